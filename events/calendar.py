"""The events' part of the calendars (portal.calendars): one activity's file, a household's
registrations."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Registration
from portal.calendars import CalendarItem, called_off, uid_for
from portal.calling_off import cancelled_by_call_off

CANCELLED_BY_CALL_OFF = cancelled_by_call_off("activity", Registration.Status.CANCELLED)


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
    who goes (one query). An activity called off stays, cancelled (`portal.calendars.called_off`),
    when the call-off cancelled the household's places; places given up by the household do not."""
    if not user.household_id:
        return []
    registrations = (
        Registration.objects.of_household(user.household_id)
        .filter(~Q(status=Registration.Status.CANCELLED) | CANCELLED_BY_CALL_OFF)
        .filter(activity__ends_at__gt=timezone.now() - timedelta(days=30))
        .select_related("activity__event", "member__user")
        .order_by("activity__starts_at", "member_id")
    )
    by_activity = {}
    for reg in registrations:
        by_activity.setdefault(reg.activity_id, (reg.activity, []))[1].append(reg)
    items = []
    for activity, regs in by_activity.values():
        live = [r for r in regs if r.status != Registration.Status.CANCELLED]
        # a ticket checked in before the call-off keeps its place (those people came)
        item = _item(activity, live or regs, labelled=labelled)
        items.append(item if live else called_off(item, activity))
    return items


def _item(activity, regs, *, labelled: bool) -> CalendarItem:
    names = "、".join(_first_name(r.member) for r in regs)
    waiting = all(r.status == Registration.Status.WAITING for r in regs)
    summary = activity.title
    if labelled:
        summary = _("Activity: %(title)s") % {"title": activity.title}
    lines = [activity.event.title, _("Registered: %(names)s") % {"names": names}]
    if waiting:
        lines.append(_("On the waiting list"))
    return CalendarItem(
        uid=uid_for(activity),
        summary=summary,
        start=activity.starts_at,
        end=activity.ends_at,
        location=activity.place,
        description="\n".join(lines),
        status="TENTATIVE" if waiting else "CONFIRMED",
    )


def _first_name(member) -> str:
    """A member's name, never an account's mobile or email."""
    if member.name:
        return member.name
    return member.user.real_name if member.user_id else ""
