"""Money in yuan: Decimal with two places, never float."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def yuan(value) -> Decimal:
    """Coerce an amount to a Decimal of yuan with 2 places; floats are refused."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(value) -> str:
    """`¥12.00` (and `−¥4.00` below zero), the way amounts are shown everywhere in the portal."""
    if value is None or value == "":
        return ""
    amount = yuan(value)
    sign = "\u2212" if amount < 0 else ""  # a minus sign before the ¥, never "¥-4.00"
    return f"{sign}¥{abs(amount):,.2f}"
