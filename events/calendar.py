"""The events' part of the calendars (portal.calendars): one activity's file, a household's
registrations."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Registration
from portal.calendars import CalendarItem, uid_for


def activity_item(activity, *, url: str) -> CalendarItem:
    """An activity as an event; no personal data, so anyone may download it."""
    return CalendarItem(
        uid=uid_for(activity),
        summary=activity.title,
        start=activity.starts_at,
        end=activity.ends_at,
        location=activity.place,
        description=f"{activity.event.title}\n{activity.description}".strip(),
        url=url,
        status="CANCELLED" if activity.is_called_off else "",
    )


def items_for(user, *, labelled: bool = True) -> list[CalendarItem]:
    """The household's registrations for activities still to end, one event per activity with
    who goes (one query)."""
    if not user.household_id:
        return []
    registrations = (
        Registration.objects.active()
        .of_household(user.household_id)
        .filter(activity__ends_at__gt=timezone.now() - timedelta(days=30))
        .select_related("activity__event", "member__user")
        .order_by("activity__starts_at", "member_id")
    )
    by_activity = {}
    for reg in registrations:
        by_activity.setdefault(reg.activity_id, (reg.activity, []))[1].append(reg)
    items = []
    for activity, regs in by_activity.values():
        names = "、".join(_first_name(r.member) for r in regs)
        waiting = all(r.status == Registration.Status.WAITING for r in regs)
        summary = activity.title
        if labelled:
            summary = _("Activity: %(title)s") % {"title": activity.title}
        lines = [activity.event.title, _("Registered: %(names)s") % {"names": names}]
        if waiting:
            lines.append(_("On the waiting list"))
        items.append(
            CalendarItem(
                uid=uid_for(activity),
                summary=summary,
                start=activity.starts_at,
                end=activity.ends_at,
                location=activity.place,
                description="\n".join(lines),
                status="TENTATIVE" if waiting else "CONFIRMED",
            )
        )
    return items


def _first_name(member) -> str:
    """A member's name, never an account's mobile or email."""
    if member.name:
        return member.name
    return member.user.real_name if member.user_id else ""
