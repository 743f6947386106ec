"""The iCalendar feed of a parent's children's classes (its address: `CalendarLink`)."""

from icalendar import Calendar, Event


def build(rows, *, name: str, host: str) -> bytes:
    """RFC 5545 calendar of (session, enrolment) pairs: one event per child and session."""
    cal = Calendar()
    cal.add("prodid", "-//Neighbourly Portal//Classes//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for session, enrolment in rows:
        event = Event()
        event.add("uid", f"class-session-{session.pk}-{enrolment.child_id}@{host}")
        event.add("summary", f"{session.course.title} · {_child_name(enrolment.child)}")
        event.add("dtstart", session.starts)
        event.add("dtend", session.ends)
        event.add("location", session.where)
        if session.is_cancelled:
            event.add("status", "CANCELLED")
        cal.add_component(event)
    return cal.to_ical()


def _child_name(member) -> str:
    """The child's name, never the account's mobile or email (`full_name` may fall back to them):
    a calendar feed is fetched by apps that sync it anywhere."""
    if member.name:
        return member.name
    return member.user.real_name if member.user_id else ""
