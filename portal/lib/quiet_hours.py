"""Quiet hours: the part of each night when no non-urgent text message is sent.

Written as "HH:MM-HH:MM" in local time (the setting `NOTICE_QUIET_HOURS`, 21:00-08:00 by
default); the span may cross midnight. Read by the delivery layer (when to hold a text) and by
`portal.notices` (whether a notice is urgent).
"""

from datetime import datetime, time, timedelta


def parse(value: str) -> tuple[time, time]:
    """(start, end) of "21:00-08:00"; ValueError for anything else (or an empty span)."""
    try:
        start_text, end_text = value.replace(" ", "").split("-")
        start = time.fromisoformat(start_text)
        end = time.fromisoformat(end_text)
    except ValueError:
        raise ValueError(f"quiet hours must look like 21:00-08:00; got {value!r}") from None
    if start == end or start.second or end.second or start.microsecond or end.microsecond:
        raise ValueError(f"quiet hours must be a span of whole minutes; got {value!r}")
    return start, end


def configured() -> tuple[time, time] | None:
    """The quiet hours of the setting `NOTICE_QUIET_HOURS`, or None when it is empty (none)."""
    from django.conf import settings

    raw = (settings.NOTICE_QUIET_HOURS or "").strip()
    return parse(raw) if raw else None


def is_quiet(moment: datetime, hours: tuple[time, time]) -> bool:
    """Whether local time `moment` falls in the quiet hours (the start counts, the end not)."""
    start, end = hours
    clock = moment.time().replace(tzinfo=None)
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def quiet_until(moment: datetime, hours: tuple[time, time]) -> datetime:
    """When a text held at `moment` may go: `moment` itself outside quiet hours, else their end.

    `moment` is an aware local datetime; the answer is in the same zone.
    """
    if not is_quiet(moment, hours):
        return moment
    _start, end = hours
    day = moment.date()
    if moment.time().replace(tzinfo=None) >= end:  # in the evening part: they end tomorrow
        day += timedelta(days=1)
    ends = datetime.combine(day, end)
    return ends.replace(tzinfo=moment.tzinfo) if moment.tzinfo else ends
