"""This module's section on the home page (see portal.views.home)."""

from django.utils import timezone

from canteen.access import my_deliveries_q
from canteen.models import Booking, LoveMealDelivery, Menu, SubsidyRule
from portal.cache import cached


def _todays_menus(today):
    return list(
        Menu.objects.published()
        .filter(day=today)
        .select_related("slot")
        .prefetch_related("dishes")
        .order_by("slot__order")
    )


def _posts_taken_by(user):
    """The posts this user holds a confirmed place on, as a subquery (not a query of its own)."""
    from volunteers.models import Signup

    return Signup.objects.filter(volunteer=user, status=Signup.Status.CONFIRMED).values("post_id")


def section(request):
    """Today's published menus (the same for everyone, cached), my next booking and my open
    deliveries (two queries)."""
    today = timezone.localdate()
    ctx = {
        "menus": cached(f"home:canteen:{today}", ("canteen",), lambda: _todays_menus(today)),
        "next_booking": None,
        "deliveries": False,
    }
    if not ctx["menus"]:
        # Shown instead of the menus: the age the subsidy rules start at.
        ctx["elder_age"] = cached(
            f"home:canteen:elder-age:{today}",
            ("canteen",),
            lambda: SubsidyRule.objects.elder_age_on(today),
        )
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
            my_deliveries_q(user, _posts_taken_by), day__gte=today, delivered_at__isnull=True
        ).exists()
    return ctx
