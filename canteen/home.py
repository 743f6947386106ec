"""This module's section on the home page (see portal.views.home)."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from canteen import services
from canteen.access import my_deliveries_q
from canteen.models import Booking, LoveMealDelivery, Menu, ResidentCategory, SubsidyRule
from portal.cache import cached, personal
from portal.lib.dates import day_in_words
from portal.models import HouseholdMember


def _todays_menus(today):
    return list(
        Menu.objects.published()
        .filter(day=today)
        .select_related("slot")
        .prefetch_related("dishes")
        .order_by("slot__order")
    )


def _two_days_menus(today):
    tomorrow = today + timedelta(days=1)
    return list(Menu.objects.published().between(today, tomorrow).filter(day__in=[today, tomorrow]))


def _for_an_elder(user, today):
    """Today's and tomorrow's meals priced for this elder, each bookable from the home page."""
    me = HouseholdMember.objects.filter(user=user).first()
    if me is None:
        return None
    menus = cached(f"home:canteen:2days:{today}", ("canteen",), lambda: _two_days_menus(today))
    if not menus:
        return {"member": me, "meals": []}
    tomorrow = today + timedelta(days=1)
    rules = list(
        SubsidyRule.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=tomorrow
        )
    )
    categories = list(ResidentCategory.objects.filter(member=me))
    booked = {
        b.menu_id: b
        for b in Booking.objects.filter(
            member=me, status=Booking.Status.BOOKED, menu__in=[m.pk for m in menus]
        )
    }
    moment = timezone.now()
    meals = [
        {
            "menu": menu,
            "day_words": day_in_words(menu.day, today),
            "quote": services.quote_for(me, menu, rules=rules, categories=categories),
            "booking": booked.get(menu.pk),
            "bookable": menu.is_bookable(moment),
        }
        for menu in menus
    ]
    return {"member": me, "meals": [m for m in meals if m["booking"] or m["bookable"]]}


def section(request):
    """Today's published menus (the same for everyone, cached), my next booking and my open
    deliveries (two queries)."""
    today = timezone.localdate()
    ctx = {
        "menus": cached(f"home:canteen:{today}", ("canteen",), lambda: _todays_menus(today)),
        "next_booking": None,
        "deliveries": False,
        "elder": None,
    }
    if not ctx["menus"]:
        # Shown instead of the menus: the age the subsidy rules start at.
        ctx["elder_age"] = cached(
            f"home:canteen:elder-age:{today}",
            ("canteen",),
            lambda: SubsidyRule.objects.elder_age_on(today),
        )
    # The age the subsidy rules start at (shown when there is no menu; decides the elder's view).
    elder_age = cached(
        f"home:canteen:elder-age:{today}",
        ("canteen",),
        lambda: SubsidyRule.objects.elder_age_on(today),
    )
    if not ctx["menus"]:
        ctx["elder_age"] = elder_age
    user = request.user
    age = user.age_on(today) if user.is_authenticated else None
    is_elder = elder_age is not None and age is not None and age >= elder_age
    if user.is_authenticated:
        ctx.update(
            personal(
                f"home:canteen:{today}",
                user.pk,
                ("canteen", "volunteers"),  # a Love Meal delivery may come with a post
                lambda: _mine(user, today, is_elder),
            )
        )
    return ctx


def _mine(user, today, is_elder) -> dict:
    """An elder's meals of today and tomorrow (their home page opens on the canteen: one tap
    each), my household's next booking and whether I have deliveries to make."""
    mine = {"elder": _for_an_elder(user, today) if is_elder else None}
    if user.household_id:
        mine["next_booking"] = (
            Booking.objects.filter(
                member__household_id=user.household_id,
                status=Booking.Status.BOOKED,
                menu__day__gte=today,
            )
            .select_related("menu__slot", "member__user")
            .order_by("menu__day", "menu__slot__order")
            .first()
        )
        mine["deliveries"] = LoveMealDelivery.objects.filter(
            my_deliveries_q(user), day__gte=today, delivered_at__isnull=True
        ).exists()
    return mine
