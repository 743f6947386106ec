"""Canteen test helpers: the meal day, `at`, the lunch slot, the 60+ rule and `make_menu`."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from canteen.models import Dish, MealSlot, Menu, SubsidyRule

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday; the elder persona (born 1950-02-14) is 76 on it.
MEAL_DAY = date(2026, 5, 6)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """An aware Shanghai moment, for time_machine.travel."""
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


def make_menu(day=MEAL_DAY, slot=None, price="14.00", *, published=True, portions=None, dishes=()):
    slot = slot or lunch_slot()
    menu = Menu.objects.create(
        day=day, slot=slot, price=Decimal(price), portion_limit=portions, is_published=published
    )
    menu.dishes.set(dishes or [Dish.objects.get_or_create(name="红烧肉")[0]])
    return menu


def lunch_slot():
    """Seeded by the data migration; re-made after a transactional test flushed the tables."""
    return MealSlot.objects.get_or_create(
        name="午餐", defaults={"order": 1, "serves_at": time(11, 30), "booking_cutoff": time(9)}
    )[0]


def elder_rule_row():
    return SubsidyRule.objects.get_or_create(
        min_age=60,
        category="",
        defaults={
            "name": "60周岁以上老人就餐补贴",
            "valid_from": date(2020, 1, 1),
            "amount": Decimal("4.00"),
            "funder": "government",
        },
    )[0]
