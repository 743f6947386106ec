"""This module's section on the home page (see portal.views.home)."""

from django.utils import timezone

from canteen.models import Booking, LoveMealDelivery, Menu


def section(request):
    """Today's published menus and, for a resident, their next booking (at most 4 queries)."""
    today = timezone.localdate()
    ctx = {
        "menus": list(
            Menu.objects.published()
            .filter(day=today)
            .select_related("slot")
            .prefetch_related("dishes")
            .order_by("slot__order")
        ),
        "next_booking": None,
        "deliveries": False,
    }
    user = request.user
    if user.is_authenticated and user.household_id:
        ctx["next_booking"] = (
            Booking.objects.filter(
                member__household_id=user.household_id,
                status=Booking.Status.BOOKED,
                menu__day__gte=today,
            )
            .select_related("menu__slot", "member__user")
            .order_by("menu__day", "menu__slot__order")
            .first()
        )
        ctx["deliveries"] = LoveMealDelivery.objects.filter(
            volunteer=user, day__gte=today, delivered_at__isnull=True
        ).exists()
    return ctx
