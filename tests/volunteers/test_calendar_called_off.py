"""The volunteer's calendar feed, and the calendar of everything, keep a post that was called off:
the same event, marked cancelled, with the reason, so the calendar app shows the call-off
instead of silently dropping the event."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from portal.my_calendar import reset_key
from tests.volunteers.helpers import DAY, make_post
from volunteers import services

pytestmark = pytest.mark.django_db

RAIN = "暴雨，服务日改期。"


def volunteer_feed_url(user) -> str:
    return reverse("volunteers:calendar-feed", args=[services.ensure_profile(user).calendar_token])


def my_calendar_url(user) -> str:
    return reverse("my-calendar-feed", args=[reset_key(user).token])


FEEDS = pytest.mark.parametrize(
    "feed_url, title",
    [(volunteer_feed_url, "补鞋"), (my_calendar_url, "志愿服务岗位：补鞋")],
    ids=["volunteer-feed", "my-calendar"],
)


def vevents(client, url) -> list:
    response = client.get(url)
    assert response.status_code == 200
    return Calendar.from_ical(response.content).walk("VEVENT")


@FEEDS
def test_a_called_off_post_stays_once_cancelled_with_its_uid_and_the_reason(
    client, post, volunteer, team_leader, feed_url, title
):
    signup = services.sign_up(post, volunteer)
    url = feed_url(volunteer)
    [before] = vevents(client, url)
    assert str(before["UID"]) == f"signup-{signup.pk}@neighbourly-portal"
    assert str(before["STATUS"]) == "CONFIRMED"

    services.call_off_post(post, by=team_leader, reason=RAIN)

    [after] = vevents(client, url)
    assert str(after["UID"]) == str(before["UID"])
    assert str(after["STATUS"]) == "CANCELLED"
    assert after.decoded("DTSTART") == before.decoded("DTSTART")
    # the volunteer reads Chinese (the portal's default)
    assert str(after["SUMMARY"]) == f"已取消：{title}"
    description = str(after["DESCRIPTION"])
    assert description.startswith("已于 2026-03-01 09:00 取消：")
    assert RAIN in description and "补鞋队" in description


@FEEDS
def test_a_place_given_up_before_the_call_off_stays_out(
    client, team, post, volunteer, team_leader, time_machine, feed_url, title
):
    haircuts = make_post(team=team, title="理发", start_hour=14)
    kept = services.sign_up(haircuts, volunteer)
    services.cancel_signup(services.sign_up(post, volunteer), by=volunteer)
    time_machine.shift(timedelta(hours=1))

    services.call_off_post(post, by=team_leader, reason=RAIN)
    services.call_off_post(haircuts, by=team_leader, reason=RAIN)

    [event] = vevents(client, feed_url(volunteer))  # the haircuts, called off, only
    assert str(event["UID"]) == f"signup-{kept.pk}@neighbourly-portal"
    assert str(event["STATUS"]) == "CANCELLED"


@FEEDS
def test_someone_elses_called_off_post_is_not_in_my_feed(
    client, team, post, volunteer, resident, team_leader, feed_url, title
):
    services.sign_up(post, resident)
    haircuts = make_post(team=team, title="理发", start_hour=14)
    mine = services.sign_up(haircuts, volunteer)

    services.call_off_post(post, by=team_leader, reason=RAIN)
    services.call_off_post(haircuts, by=team_leader, reason=RAIN)

    [event] = vevents(client, feed_url(volunteer))
    assert str(event["UID"]) == f"signup-{mine.pk}@neighbourly-portal"
    assert str(event["STATUS"]) == "CANCELLED"


@FEEDS
def test_the_feed_runs_as_many_queries_for_many_called_off_posts_as_for_one(
    client, team, post, volunteer, team_leader, feed_url, title
):
    services.sign_up(post, volunteer)
    services.call_off_post(post, by=team_leader, reason=RAIN)
    url = feed_url(volunteer)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(5):
        other = make_post(team=team, title=f"岗位{i}", day=DAY + timedelta(days=i + 1))
        services.sign_up(other, volunteer)
        services.call_off_post(other, by=team_leader, reason=f"{RAIN}{i}")
    with CaptureQueriesContext(connection) as many:
        events = vevents(client, url)
    assert [str(e["STATUS"]) for e in events] == ["CANCELLED"] * 6
    assert len(many) == len(one), [q["sql"][:80] for q in many.captured_queries]
