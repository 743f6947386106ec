"""My calendar keeps an activity that was called off: the same event, marked cancelled, with the
reason, so the calendar app shows the call-off instead of silently dropping the event."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import now
from icalendar import Calendar

from events import services
from events.models import Registration
from portal.my_calendar import reset_key
from tests.events.helpers import at, make_activity

pytestmark = pytest.mark.django_db

RAIN = "暴雨预警，活动取消。"


def feed(client, user) -> list:
    """The VEVENTs of the user's calendar of everything."""
    response = client.get(reverse("my-calendar-feed", args=[reset_key(user).token]))
    assert response.status_code == 200
    return Calendar.from_ical(response.content).walk("VEVENT")


def events_of(client, user, activity) -> list:
    return [
        e
        for e in feed(client, user)
        if str(e["UID"]) == f"activity-{activity.pk}@neighbourly-portal"
    ]


@pytest.fixture
def movie(festival, parent, child):
    """The parent and child registered for an open-air film."""
    activity = make_activity(festival, title="露天电影")
    services.register(activity, user=parent, members=[parent.member, child])
    return activity


def test_a_called_off_activity_stays_once_cancelled_with_its_uid_and_the_reason(
    client, movie, parent, events_staff
):
    [before] = events_of(client, parent, movie)
    assert str(before["STATUS"]) == "CONFIRMED"

    services.call_off_activity(movie, by=events_staff, reason=RAIN)

    [after] = events_of(client, parent, movie)
    assert str(after["UID"]) == str(before["UID"])
    assert str(after["STATUS"]) == "CANCELLED"
    assert after.decoded("DTSTART") == before.decoded("DTSTART")
    # the parent reads Chinese (the portal's default)
    assert str(after["SUMMARY"]) == "已取消：活动：露天电影"
    description = str(after["DESCRIPTION"])
    assert RAIN in description and "已于" in description
    assert "张妈妈" in description and "张小明" in description  # who was going


def test_it_reads_in_english_for_a_reader_of_english(client, movie, parent, events_staff):
    parent.language = "en"
    parent.save(update_fields=["language"])

    services.call_off_activity(movie, by=events_staff, reason=RAIN)

    [after] = events_of(client, parent, movie)
    assert str(after["SUMMARY"]) == "Called off: Activity: 露天电影"
    assert f": {RAIN}" in str(after["DESCRIPTION"])
    assert str(after["DESCRIPTION"]).startswith("It was called off on ")


def test_places_the_household_gave_up_before_stay_out(
    client, festival, movie, parent, events_staff, time_machine
):
    chess = make_activity(festival, title="象棋比赛")
    services.register(chess, user=parent, members=[parent.member])
    for reg in Registration.objects.filter(activity=movie):
        services.cancel_registration(reg, by=parent)
    time_machine.shift(timedelta(hours=1))

    services.call_off_activity(movie, by=events_staff, reason=RAIN)
    services.call_off_activity(chess, by=events_staff, reason=RAIN)

    [event] = feed(client, parent)  # the film is not there; the chess, called off, is
    assert str(event["UID"]) == f"activity-{chess.pk}@neighbourly-portal"
    assert str(event["STATUS"]) == "CANCELLED"


def test_only_the_places_the_call_off_cancelled_are_named(
    client, movie, parent, child, events_staff, time_machine
):
    services.cancel_registration(Registration.objects.get(activity=movie, member=child), by=parent)
    time_machine.shift(timedelta(hours=1))

    services.call_off_activity(movie, by=events_staff, reason=RAIN)

    [after] = events_of(client, parent, movie)
    assert str(after["STATUS"]) == "CANCELLED"
    assert "张妈妈" in str(after["DESCRIPTION"]) and "张小明" not in str(after["DESCRIPTION"])


def test_another_households_called_off_activity_is_not_in_my_calendar(
    client, festival, movie, resident, events_staff
):
    mine = make_activity(festival, title="象棋比赛")
    services.register(mine, user=resident, members=[resident.member])

    services.call_off_activity(movie, by=events_staff, reason=RAIN)
    services.call_off_activity(mine, by=events_staff, reason=RAIN)

    [event] = feed(client, resident)
    assert str(event["UID"]) == f"activity-{mine.pk}@neighbourly-portal"
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_ticket_checked_in_before_the_call_off_keeps_the_activity_as_it_was(
    client, movie, parent, events_staff
):
    Registration.objects.filter(activity=movie, member=parent.member).update(checked_in_at=now())

    services.call_off_activity(movie, by=events_staff, reason=RAIN)

    [after] = events_of(client, parent, movie)
    assert str(after["STATUS"]) == "CONFIRMED"
    assert "张小明" not in str(after["DESCRIPTION"])


def test_the_feed_runs_as_many_queries_for_many_called_off_activities_as_for_one(
    client, festival, movie, parent, child, events_staff
):
    services.call_off_activity(movie, by=events_staff, reason=RAIN)
    url = reverse("my-calendar-feed", args=[reset_key(parent).token])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(5):
        activity = make_activity(
            festival,
            title=f"活动{i}",
            starts_at=at(festival.starts_on, 12 + i),
            ends_at=at(festival.starts_on, 13 + i),
        )
        services.register(activity, user=parent, members=[parent.member, child])
        services.call_off_activity(activity, by=events_staff, reason=f"{RAIN}{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    cancelled = [
        e for e in Calendar.from_ical(response.content).walk("VEVENT") if e["STATUS"] == "CANCELLED"
    ]
    assert len(cancelled) == 6
    assert len(many) == len(one), [q["sql"][:80] for q in many.captured_queries]
