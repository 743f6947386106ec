"""Bar charts drawn on the server as inline SVG: no JavaScript, no CDN, nothing but markup.

Horizontal bars, one under the other, each with its label above it and its value beside it: a
phone's narrow screen (360 px) reads them without turning, and long Chinese labels have the whole
width. The drawing is 320 units wide with 16-unit text, so on a phone the text is about as large as
the page's; the stylesheet caps its width in rem (`.bar-chart`), so large-text mode draws it
larger. The figures are also in the chart's text alternative (`<title>`, `<desc>`), for screen
readers.

    chart = bar_chart([Bar("公园路1号楼", 12, "12 (40%)"), …], title="各楼需求")
    {{ chart }}  in a template (the result is markup: Django does not escape it again)

Every text drawn is escaped here; the colours are presentation attributes (the CSP forbids
`style`), which the stylesheet may override through the classes.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH = 320
FONT = 16
BAR_HEIGHT = 22
LABEL_GAP = 4  # between a label's baseline and its bar
ROW_GAP = 14  # between a bar and the next label
VALUE_ROOM = 84  # kept at the right of the longest bar for its value
MAX_LABEL_CHARS = 18  # about a full line of Chinese at 16 units; longer labels end in "…"

BAR_FILL = "#1f5f99"  # 7:1 against white
TEXT_FILL = "#212529"
TRACK_FILL = "#e9ecef"


class Markup(str):
    """Markup that is safe as it is: Django's templates (and Jinja's) do not escape it again."""

    def __html__(self):
        return self


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float | Decimal
    text: str = ""  # the value as shown ("12", "40%", "12 (40%)"); the number itself if empty


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _number(value) -> str:
    if isinstance(value, float | Decimal) and value != int(value):
        return f"{value:.1f}"
    return str(int(value))


def bar_chart(bars: Iterable[Bar], *, title: str, empty_text: str = "", max_value=None) -> Markup:
    """An SVG bar chart of `bars` (in the order given), titled `title` for screen readers.

    Bars are scaled to `max_value` (the largest value if None): pass 100 for percentages, or the
    same maximum to several charts that should compare. Negative values draw as empty bars.
    With no bars, the chart says `empty_text`.
    """
    bars = list(bars)
    top = max_value if max_value is not None else max((b.value for b in bars), default=0)
    top = top if top and top > 0 else 1
    row = FONT + LABEL_GAP + BAR_HEIGHT + ROW_GAP
    height = max(row * len(bars), row) if bars else FONT * 2
    digest = hashlib.blake2s(
        repr((title, [(b.label, str(b.value), b.text) for b in bars])).encode(), digest_size=5
    ).hexdigest()
    title_id, desc_id = f"chart-{digest}-t", f"chart-{digest}-d"
    shown = [b.text or _number(b.value) for b in bars]
    desc = "; ".join(f"{b.label}: {text}" for b, text in zip(bars, shown, strict=True))
    parts = [
        f'<svg class="bar-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" role="img" aria-labelledby="{title_id} {desc_id}"'
        f' font-size="{FONT}" font-family="sans-serif">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc or empty_text)}</desc>',
    ]
    if not bars:
        parts.append(
            f'<text class="bar-chart-empty" x="0" y="{FONT + 4}" fill="{TEXT_FILL}">'
            f"{escape(empty_text)}</text>"
        )
    span = WIDTH - VALUE_ROOM
    for i, (bar, text) in enumerate(zip(bars, shown, strict=True)):
        y = i * row
        length = 0.0 if bar.value <= 0 else float(bar.value) / float(top) * span
        length = min(length, span)
        bar_y = y + FONT + LABEL_GAP
        parts += [
            "<g>",
            f"<title>{escape(bar.label)}: {escape(text)}</title>",
            f'<text class="bar-chart-label" x="0" y="{y + FONT}" fill="{TEXT_FILL}">'
            f"{escape(_shorten(bar.label))}</text>",
            f'<rect class="bar-chart-track" x="0" y="{bar_y}" width="{span}"'
            f' height="{BAR_HEIGHT}" fill="{TRACK_FILL}"/>',
            f'<rect class="bar-chart-bar" x="0" y="{bar_y}" width="{length:.1f}"'
            f' height="{BAR_HEIGHT}" fill="{BAR_FILL}"/>',
            f'<text class="bar-chart-value" x="{span + 6}" y="{bar_y + BAR_HEIGHT - 5}"'
            f' fill="{TEXT_FILL}">{escape(text)}</text>',
            "</g>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
