"""The canteen's part of the calendars (portal.calendars): a household's booked meals."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from canteen.models import Booking
from portal.calendars import CalendarItem, called_off, uid_for
from portal.calling_off import cancelled_by_call_off

MEAL_LENGTH = timedelta(hours=1)

CANCELLED_BY_CALL_OFF = cancelled_by_call_off("menu", Booking.Status.CANCELLED)


def items_for(user, *, labelled: bool = True) -> list[CalendarItem]:
    """The household's live bookings from a week ago on, one event per booking (one query); a
    meal called off stays, cancelled (`portal.calendars.called_off`), for the bookings the
    call-off cancelled."""
    if not user.household_id:
        return []
    since = timezone.localdate() - timedelta(days=7)
    bookings = (
        Booking.objects.filter(Q(status=Booking.Status.BOOKED) | CANCELLED_BY_CALL_OFF)
        .filter(member__household_id=user.household_id, menu__day__gte=since)
        .select_related("menu__slot", "member__user")
        .order_by("menu__day", "menu__slot__order", "member_id")
    )
    items = []
    for booking in bookings:
        menu = booking.menu
        start = menu.slot.serves_on(menu.day)
        name = booking.member.name or (
            booking.member.user.real_name if booking.member.user_id else ""
        )
        summary = _("Canteen: %(meal)s") % {"meal": menu.slot.name}
        if name:
            summary = f"{summary} · {name}"
        item = CalendarItem(
            uid=uid_for(booking),
            summary=summary if labelled else menu.slot.name,
            start=start,
            end=start + MEAL_LENGTH,
            location=_("Neighbour Canteen"),
            status="CONFIRMED",
        )
        items.append(called_off(item, menu) if booking.status == Booking.Status.CANCELLED else item)
    return items
