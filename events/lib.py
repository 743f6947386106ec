"""Small helpers of the events module: the iCalendar file of an activity."""

from django.utils.timezone import now
from icalendar import Calendar
from icalendar import Event as VEvent


def activity_calendar(activity, *, url: str) -> bytes:
    """An RFC 5545 file with one event; no personal data, so anyone may download it."""
    cal = Calendar()
    cal.add("prodid", "-//Neighbourly Portal//events//ZH")
    cal.add("version", "2.0")
    item = VEvent()
    item.add("uid", f"activity-{activity.pk}@neighbourly-portal")
    item.add("summary", activity.title)
    item.add("dtstart", activity.starts_at)
    item.add("dtend", activity.ends_at)
    item.add("dtstamp", now())
    item.add("location", activity.place)
    item.add("description", f"{activity.event.title}\n{activity.description}".strip())
    item.add("url", url)
    cal.add_component(item)
    return cal.to_ical()
