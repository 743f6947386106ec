"""My calendar keeps a booked meal that was called off: the same event, marked cancelled, with
the reason, so the calendar app shows the call-off instead of silently dropping the event."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from canteen import services
from portal.my_calendar import reset_key
from tests.canteen.helpers import MEAL_DAY, make_menu
from tests.factories import make_child

pytestmark = pytest.mark.django_db

WATER = "停水检修，今日午餐暂停。"


def meals(client, user) -> list:
    """The canteen's VEVENTs in the user's calendar of everything."""
    response = client.get(reverse("my-calendar-feed", args=[reset_key(user).token]))
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    return [e for e in events if str(e["UID"]).startswith("booking-")]


@pytest.fixture
def kid(parent):
    return make_child(parent, name="小明")


def test_a_called_off_meal_stays_once_per_booking_cancelled_with_its_uid_and_the_reason(
    client, menu, parent, kid, canteen_staff, morning
):
    mine = services.book(menu, parent.member, by=parent)
    theirs = services.book(menu, kid, by=parent)
    before = {str(e["UID"]): e for e in meals(client, parent)}
    assert sorted(before) == sorted(f"booking-{b.pk}@neighbourly-portal" for b in (mine, theirs))

    services.call_off_menu(menu, by=canteen_staff, reason=WATER)

    after = {str(e["UID"]): e for e in meals(client, parent)}
    assert sorted(after) == sorted(before)  # once each, the same events
    for uid, event in after.items():
        assert str(event["STATUS"]) == "CANCELLED"
        assert event.decoded("DTSTART") == before[uid].decoded("DTSTART")
        assert str(event["SUMMARY"]).startswith(
            "已取消：睦邻食堂：午餐 · "
        )  # in Chinese, the default
        assert WATER in str(event["DESCRIPTION"])


def test_a_booking_cancelled_before_the_call_off_stays_out(
    client, menu, parent, kid, canteen_staff, morning, time_machine
):
    services.cancel_booking(services.book(menu, kid, by=parent))
    kept = services.book(menu, parent.member, by=parent)
    time_machine.shift(timedelta(minutes=20))

    services.call_off_menu(menu, by=canteen_staff, reason=WATER)

    [event] = meals(client, parent)
    assert str(event["UID"]) == f"booking-{kept.pk}@neighbourly-portal"
    assert str(event["STATUS"]) == "CANCELLED"


def test_another_households_called_off_meal_is_not_in_my_calendar(
    client, menu, lunch, parent, elder, canteen_staff, morning
):
    services.book(menu, elder.member, by=elder)
    tomorrow = make_menu(MEAL_DAY + timedelta(days=1), lunch)
    mine = services.book(tomorrow, parent.member, by=parent)

    services.call_off_menu(menu, by=canteen_staff, reason=WATER)
    services.call_off_menu(tomorrow, by=canteen_staff, reason=WATER)

    [event] = meals(client, parent)
    assert str(event["UID"]) == f"booking-{mine.pk}@neighbourly-portal"
    assert str(event["STATUS"]) == "CANCELLED"


def test_the_feed_runs_as_many_queries_for_many_called_off_meals_as_for_one(
    client, menu, lunch, parent, kid, canteen_staff, morning
):
    services.book(menu, parent.member, by=parent)
    services.call_off_menu(menu, by=canteen_staff, reason=WATER)
    url = reverse("my-calendar-feed", args=[reset_key(parent).token])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(1, 6):
        other = make_menu(MEAL_DAY + timedelta(days=i), lunch)
        services.book(other, parent.member, by=parent)
        services.book(other, kid, by=parent)
        services.call_off_menu(other, by=canteen_staff, reason=f"{WATER}{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["STATUS"]) for e in events] == ["CANCELLED"] * 11
    assert len(many) == len(one), [q["sql"][:80] for q in many.captured_queries]
