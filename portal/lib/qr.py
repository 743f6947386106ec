"""The one QR helper: every QR code the portal shows is made here.

ISO/IEC 18004 asks for a quiet zone of 4 modules around the symbol: with less, phone cameras
often fail to find the code (on a printed page, next to text or a table border). The code is
inline SVG (no image stack, no JavaScript), pure black on white, with an accessible name: the
`<svg>` has `role="img"`, an `aria-label` and a `<title>`.
"""

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

QUIET_ZONE = 4  # modules, as the standard asks
ERROR_LEVEL = "m"  # 15 % of the code may be damaged (a crease, a smudge on a printed roster)


def qr_svg(data: str, *, label: str, scale: int = 4, scalable: bool = False) -> SafeString:
    """`data` as an inline SVG QR code named `label` for screen readers.

    `scale`: pixels per module. `scalable`: no width and height but a viewBox, so CSS sizes it.
    """
    code = segno.make(data, error=ERROR_LEVEL)
    svg = code.svg_inline(
        scale=scale,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        title=label,
        omitsize=scalable,
    )
    named = f'<svg role="img" aria-label="{escape(label)}" '
    return mark_safe(svg.replace("<svg ", named, 1))  # segno's own markup, the label escaped
