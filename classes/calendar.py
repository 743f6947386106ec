"""The iCalendar feed of a parent's children's classes, and the signed token in its address."""

from django.core import signing
from icalendar import Calendar, Event

SALT = "classes.calendar"


def token_for(user) -> str:
    """A stable, unguessable token naming the user; calendar apps fetch the feed without a login."""
    return signing.Signer(salt=SALT).sign_object({"u": user.pk})


def user_id_from(token: str) -> int | None:
    try:
        return signing.Signer(salt=SALT).unsign_object(token)["u"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def build(rows, *, name: str, host: str) -> bytes:
    """RFC 5545 calendar of (session, enrolment) pairs: one event per child and session."""
    cal = Calendar()
    cal.add("prodid", "-//Neighbourly Portal//Classes//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for session, enrolment in rows:
        event = Event()
        event.add("uid", f"class-session-{session.pk}-{enrolment.child_id}@{host}")
        event.add("summary", f"{session.course.title} · {enrolment.child.full_name}")
        event.add("dtstart", session.starts)
        event.add("dtend", session.ends)
        event.add("location", session.where)
        if session.is_cancelled:
            event.add("status", "CANCELLED")
        cal.add_component(event)
    return cal.to_ical()
