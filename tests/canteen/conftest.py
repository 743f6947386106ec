"""Canteen fixtures: the lunch and dinner slots, the 60+ rule, a published menu, the morning."""

from datetime import time

import pytest

from canteen.models import MealSlot
from tests.canteen.helpers import MEAL_DAY, at, elder_rule_row, lunch_slot, make_menu


@pytest.fixture
def lunch(db):
    return lunch_slot()


@pytest.fixture
def dinner(db):
    return MealSlot.objects.get_or_create(
        name="晚餐", defaults={"order": 2, "serves_at": time(17, 30), "booking_cutoff": time(15)}
    )[0]


@pytest.fixture
def elder_rule(db):
    """The default 60+ rule seeded by the data migration."""
    return elder_rule_row()


@pytest.fixture
def menu(community, lunch):
    return make_menu(MEAL_DAY, lunch)


@pytest.fixture
def morning(time_machine):
    """The clock at 08:00 on the meal day: before the 09:00 lunch cut-off."""
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
