"""Member codes for the canteen card: short, typeable, with a check digit against typos."""

import re

PREFIX = "MC"
_CODE_RE = re.compile(r"^MC(\d{6,})(\d)$")


def _check_digit(digits: str) -> int:
    """Weighted mod-10 check digit: catches a single wrong digit and most swaps."""
    total = sum((i + 1) * int(d) for i, d in enumerate(reversed(digits)))
    return total % 10


def member_code(member_pk: int) -> str:
    """`MC0000421`: the member's number, padded, with a check digit."""
    digits = f"{member_pk:06d}"
    return f"{PREFIX}{digits}{_check_digit(digits)}"


def parse_member_code(text: str) -> int | None:
    """The member pk a typed or scanned code stands for, or None if it is not a valid code."""
    match = _CODE_RE.match((text or "").strip().upper())
    if not match:
        return None
    digits, check = match.groups()
    if _check_digit(digits) != int(check):
        return None
    return int(digits)


def qr_svg(data: str) -> str:
    """The member card's code (portal.lib.qr: the 4-module quiet zone, an accessible name)."""
    from django.utils.translation import gettext as _

    from portal.lib.qr import qr_svg as make_qr

    return make_qr(data, label=_("QR code of the canteen card"), scale=6)
