"""The one calendar helper: every iCalendar (RFC 5545) file and feed of the portal is built here.

Modules turn their rows into `CalendarItem`s and call `calendar_response`; nothing else in the
portal imports `icalendar`. What every client (phones, Outlook, Google, Thunderbird) gets:

- VERSION, PRODID, CALSCALE:GREGORIAN and METHOD:PUBLISH, and the calendar's name in
  X-WR-CALNAME (in the reader's language: summaries are translated by the callers);
- every event with DTSTAMP, its times in UTC (`…Z`, so no VTIMEZONE is needed and no client
  has to know Asia/Shanghai), and a UID that is stable across requests and hosts:
  `<model>-<pk>[-<part>]@neighbourly-portal` (a calendar updates an event rather than copying it);
- lines folded at 75 octets (icalendar folds on UTF-8 octets, never inside a character);
- a place that a call-off cancelled kept in the personal feeds as a cancelled event
  (`called_off`), never dropped: a calendar app removes an event that vanishes from a feed
  without a word, and the person would never see why.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

UID_DOMAIN = "neighbourly-portal"
PRODID = "-//Park Road Community//Neighbourly Portal//ZH"


@dataclass
class CalendarItem:
    """One event of a feed."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    location: str = ""
    description: str = ""
    url: str = ""
    status: str = ""  # CONFIRMED, TENTATIVE or CANCELLED (RFC 5545 3.8.1.11)
    categories: list[str] = field(default_factory=list)


def uid_for(obj, *parts) -> str:
    """`<model>-<pk>[-<part>…]@neighbourly-portal`: the same event gets the same UID forever."""
    tail = "".join(f"-{p}" for p in parts)
    return f"{obj._meta.model_name}-{obj.pk}{tail}@{UID_DOMAIN}"


def called_off(item: CalendarItem, obj) -> CalendarItem:
    """`item` as a person's feed keeps it once `obj` (a `calling_off.CalledOff`) is called off.

    The same UID, so the calendar app marks the event it holds cancelled rather than adding
    another; STATUS:CANCELLED; a summary saying so; when and why first in the description.
    Translated in the language active when called (the feed's reader's).
    """
    when = timezone.localtime(obj.called_off_at).strftime("%Y-%m-%d %H:%M")
    why = _("It was called off on %(when)s: %(reason)s") % {
        "when": when,
        "reason": obj.called_off_reason,
    }
    return replace(
        item,
        summary=_("Called off: %(title)s") % {"title": item.summary},
        description="\n".join(line for line in (why, item.description) if line),
        status="CANCELLED",
    )


def _utc(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(UTC).replace(microsecond=0)


def build_calendar(items, *, name: str) -> bytes:
    """The RFC 5545 text of the items, as bytes (UTF-8, CRLF line ends, folded)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = _utc(timezone.now())
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(item.start))
        event.add("dtend", _utc(item.end))
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.status:
            event.add("status", item.status)
        if item.categories:
            event.add("categories", item.categories)
        cal.add_component(event)
    return cal.to_ical()


def calendar_response(
    items, *, name: str, filename: str, private: bool = True, attachment: bool = False
) -> HttpResponse:
    """The feed as an HTTP answer: `text/calendar`, cached privately for 15 minutes."""
    response = HttpResponse(
        build_calendar(items, name=name), content_type="text/calendar; charset=utf-8"
    )
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900" if private else "public, max-age=900"
    if private:
        # a private feed's address is its key: never sent on to other sites, never indexed
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
    return response
