"""The private iCalendar (RFC 5545) feed of a volunteer's posts."""

from django.utils.timezone import now
from icalendar import Calendar, Event


def schedule_calendar(signups, *, host: str, name: str) -> bytes:
    """One VEVENT per post; stable UIDs so phone calendars update rather than duplicate."""
    cal = Calendar()
    cal.add("prodid", "-//Neighbourly Portal//volunteers//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = now()
    for signup in signups:
        post = signup.post
        event = Event()
        event.add("uid", f"volunteer-signup-{signup.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", post.start)
        event.add("dtend", post.end)
        event.add("summary", post.title)
        event.add("location", post.place)
        lines = [post.description] if post.description else []
        if post.team_id:
            lines.append(post.team.name)
            # The leader's name, never their mobile: feeds are synced to other apps and servers.
            if post.team.leader_id and post.team.leader.real_name:
                lines.append(post.team.leader.real_name)
        event.add("description", "\n".join(lines))
        event.add("status", "CONFIRMED" if signup.status == "confirmed" else "TENTATIVE")
        cal.add_component(event)
    return cal.to_ical()
