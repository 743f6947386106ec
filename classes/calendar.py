"""The classes' part of the calendars (portal.calendars): the children's sessions."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from classes.models import Enrolment
from portal.calendars import CalendarItem, uid_for


def items_for(user, *, labelled: bool = False, days_back: int = 60) -> list[CalendarItem]:
    """One event per child and session of the household's enrolled children (two queries),
    from `days_back` days ago on. `labelled`: the summary says it is a class."""
    from classes.views import _my_sessions

    if not user.household_id:
        return []
    enrolments = (
        Enrolment.objects.enrolled()
        .filter(child__household_id=user.household_id)
        .select_related("child", "child__user", "course")
        .defer("course__description", "course__lottery_result")
    )
    since = timezone.localdate() - timedelta(days=days_back)
    items = []
    for session, enrolment in _my_sessions(enrolments, since=since):
        summary = f"{session.course.title} · {child_name(enrolment.child)}"
        if labelled:
            summary = _("Class: %(title)s") % {"title": summary}
        items.append(
            CalendarItem(
                uid=uid_for(session, enrolment.child_id),
                summary=summary,
                start=session.starts,
                end=session.ends,
                location=session.where,
                status="CANCELLED" if session.is_cancelled else "CONFIRMED",
            )
        )
    return items


def child_name(member) -> str:
    """The child's name, never the account's mobile or email (`full_name` may fall back to them):
    a calendar feed is fetched by apps that sync it anywhere."""
    if member.name:
        return member.name
    return member.user.real_name if member.user_id else ""
