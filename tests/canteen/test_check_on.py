"""Welfare watch: regular elders who stopped coming appear on the staff's "check on" list."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from canteen import reports
from canteen.models import CanteenSettings, MealRecord
from tests.canteen.helpers import make_menu
from tests.factories import make_user

TODAY = date(2026, 5, 20)


@pytest.fixture
def menus(lunch):
    """One lunch menu per day in the 50 days before TODAY."""
    return {
        TODAY - timedelta(days=n): make_menu(TODAY - timedelta(days=n), lunch) for n in range(1, 50)
    }


def meals(member, days, menus):
    MealRecord.objects.bulk_create(
        MealRecord(
            menu=menus[d],
            day=d,
            slot=menus[d].slot,
            month=d.replace(day=1),
            member=member,
            person_name=member.full_name,
            price=Decimal("14.00"),
            subsidy=Decimal("4.00"),
            paid=Decimal("10.00"),
        )
        for d in days
    )


def test_a_regular_elder_absent_for_a_week_is_listed(elder, resident, menus, community):
    gone = [TODAY - timedelta(days=n) for n in range(10, 20)]  # 10 meals, last 10 days ago
    meals(elder.member, gone, menus)
    still_coming = make_user("常来的", birth_date=date(1945, 1, 1))
    meals(still_coming.member, gone + [TODAY - timedelta(days=2)], menus)
    meals(resident.member, gone, menus)  # absent too, but not an elder
    occasional = make_user("偶尔来", birth_date=date(1945, 1, 1))
    meals(occasional.member, gone[:3], menus)

    rows = reports.check_on_list(TODAY)
    assert [r["member"] for r in rows] == [elder.member]
    assert rows[0]["days"] == 10


def test_the_watch_follows_the_canteen_settings(elder, menus, community):
    meals(elder.member, [TODAY - timedelta(days=n) for n in range(4, 14)], menus)
    assert reports.check_on_list(TODAY) == []
    knobs = CanteenSettings.current()
    knobs.watch_after_days = 3
    knobs.save()
    assert len(reports.check_on_list(TODAY)) == 1


def test_the_check_on_page_is_for_canteen_staff_with_fixed_queries(
    client,
    canteen_staff,
    resident,
    elder,
    menus,
    community,
    time_machine,
    django_assert_max_num_queries,
):
    from tests.canteen.helpers import at

    time_machine.move_to(at(TODAY, 10), tick=False)
    for i in range(12):
        person = make_user(f"老人{i}", birth_date=date(1940, 1, 1)) if i else elder
        meals(person.member, [TODAY - timedelta(days=n) for n in range(10, 20)], menus)
    client.force_login(resident)
    assert client.get("/canteen/staff/check-on/").status_code == 403
    client.force_login(canteen_staff)
    with django_assert_max_num_queries(16):
        response = client.get("/canteen/staff/check-on/")
    assert len(response.context["rows"]) == 12
    assert elder.real_name in response.content.decode()
