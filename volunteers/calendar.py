"""The volunteers' part of the calendars (portal.calendars): a volunteer's posts."""

from datetime import timedelta

from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext as _

from portal.calendars import CalendarItem, called_off, uid_for
from portal.calling_off import cancelled_by_call_off
from volunteers.models import Signup

CANCELLED_BY_CALL_OFF = cancelled_by_call_off("post", Signup.Status.CANCELLED)


def items_for(user, *, labelled: bool = False) -> list[CalendarItem]:
    """The user's confirmed and pending posts of the last 90 days and to come (one query); a
    post called off stays, cancelled (`portal.calendars.called_off`), when the call-off cancelled
    the user's place.

    `labelled`: the summary says it is a volunteer post (in the one calendar of everything).
    """
    signups = (
        Signup.objects.filter(
            Q(status__in=[Signup.Status.CONFIRMED, Signup.Status.PENDING]) | CANCELLED_BY_CALL_OFF,
            volunteer_id=user.pk,
            post__end__gt=now() - timedelta(days=90),
        )
        .select_related("post__team__leader")
        .order_by("post__start")
    )
    items = []
    for signup in signups:
        post = signup.post
        lines = [post.description] if post.description else []
        if post.team_id:
            lines.append(post.team.name)
            # The leader's name, never their mobile: feeds are synced to other apps and servers.
            if post.team.leader_id and post.team.leader.real_name:
                lines.append(post.team.leader.real_name)
        summary = post.title
        if labelled:
            summary = _("Volunteer post: %(title)s") % {"title": post.title}
        item = CalendarItem(
            uid=uid_for(signup),
            summary=summary,
            start=post.start,
            end=post.end,
            location=post.place,
            description="\n".join(lines),
            status="CONFIRMED" if signup.status == Signup.Status.CONFIRMED else "TENTATIVE",
        )
        items.append(called_off(item, post) if signup.status == Signup.Status.CANCELLED else item)
    return items
