"""Lists typed as text, the way people type them in Chinese or English: "补鞋、缝纫",
"100，300，600", "shoe repair, sewing" all split the same way."""

import re
from decimal import Decimal, InvalidOperation

# ASCII and full-width commas, the enumeration comma 、, semicolons and line breaks.
SEPARATORS = re.compile(r"[,，、;；\n\r]+")


def split_list(text: str) -> list[str]:
    """The items of a typed list, trimmed, empty ones dropped, each once, in typed order."""
    items = []
    for part in SEPARATORS.split(text or ""):
        part = part.strip()
        if part and part not in items:
            items.append(part)
    return items


def split_numbers(text: str) -> list[Decimal]:
    """A typed list of numbers (spaces also separate here); ValueError names the first item that
    is not a number."""
    numbers = []
    for part in split_list(re.sub(r"\s+", ",", (text or "").strip())):
        try:
            value = Decimal(part)
        except InvalidOperation:
            raise ValueError(part) from None
        if not value.is_finite():
            raise ValueError(part)
        numbers.append(value)
    return numbers
