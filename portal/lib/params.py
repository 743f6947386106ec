"""Reading query-string and form parameters that anyone can type: dates, months, ids, text.

Every helper either returns a value the rest of the code can use safely (a date far enough from
`date.min`/`date.max` that a week or a month can be added, an id that fits a database integer,
text without NUL bytes and of bounded length) or raises `BadParameter`, which
`portal.middleware.HostileInputMiddleware` answers with a 400 page carrying its message.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

# Dates outside these years are typos or probes: the portal has nothing before or after them, and
# staying well inside date.min/date.max keeps `day + timedelta(...)` from overflowing.
MIN_YEAR = 1900
MAX_YEAR = 2100
# Ids fit PostgreSQL's `bigint`; larger numbers raise DataError before any lookup.
MAX_ID = 2**63 - 1
# Search boxes and filters: longer than any name, mobile or code anyone searches for.
MAX_TEXT = 200


class BadParameter(ValueError):
    """A parameter that cannot be read; its message is shown to the visitor on a 400 page."""

    def __init__(self, message=None):
        self.message = message or _(
            "Part of the address is not valid. Please go back and try again."
        )
        super().__init__(self.message)


def contains_nul(value: str) -> bool:
    return "\x00" in value


def _checked_date(year: int, month: int, day: int) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadParameter(
            _("Choose a date between the years %(min)s and %(max)s.")
            % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise BadParameter(_("That date does not exist.")) from None


def parse_date(text: str | None, default: date | None = None) -> date | None:
    """`YYYY-MM-DD` as a date within MIN_YEAR–MAX_YEAR; empty gives `default`."""
    text = clean_text(text)
    if not text:
        return default
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise BadParameter(_("Enter a date as YYYY-MM-DD."))
    year, month, day = (int(p) for p in parts)
    return _checked_date(year, month, day)


def parse_month(text: str | None, default: date | None = None) -> date | None:
    """`YYYY-MM` as the first day of that month; empty gives `default`."""
    text = clean_text(text)
    if not text:
        return default
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise BadParameter(_("Enter a month as YYYY-MM."))
    year, month = (int(p) for p in parts)
    if not 1 <= month <= 12:
        raise BadParameter(_("That date does not exist."))
    return _checked_date(year, month, 1)


def parse_int(text: str | None, default: int | None = None) -> int | None:
    """A positive database id (or count); empty gives `default`."""
    text = clean_text(text)
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        raise BadParameter(_("Expected a number."))
    return int(text)


def clean_text(text: str | None, max_length: int = MAX_TEXT) -> str:
    """Stripped text for a search or filter; refuses NUL bytes and absurd lengths."""
    text = (text or "").strip()
    if contains_nul(text):
        raise BadParameter(_("The text contains a character that is not allowed."))
    if len(text) > max_length:
        raise BadParameter(
            _("The text is too long (at most %(max)s characters).") % {"max": max_length}
        )
    return text
