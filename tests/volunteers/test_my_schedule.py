"""My schedule: nothing written by opening it, a calendar link made on request, unread notices
told apart, and a fixed number of queries however many posts I have."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Notice
from portal.notices import Kind, notify
from tests.pagecache import modules_changed
from tests.volunteers.helpers import NOW, make_post
from volunteers import services
from volunteers.models import VolunteerProfile

pytestmark = pytest.mark.django_db

URL = reverse("volunteers:my-schedule")


def test_opening_my_schedule_writes_nothing_and_offers_a_calendar_link(client, resident):
    client.force_login(resident)
    client.get(URL)  # the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)

    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")) for q in ctx)
    assert not VolunteerProfile.objects.filter(user=resident).exists()
    assert "Make my calendar link" in response.text
    assert "webcal://" not in response.text

    response = client.post(reverse("volunteers:calendar-reset"), follow=True)

    profile = VolunteerProfile.objects.get(user=resident)
    assert any("ready" in str(m) for m in response.context["messages"])
    assert reverse("volunteers:calendar-feed", args=[profile.calendar_token]) in response.text
    assert "Make my calendar link" not in response.text


def test_resetting_an_existing_link_says_the_old_one_stopped_working(client, volunteer):
    services.ensure_profile(volunteer)
    client.force_login(volunteer)

    response = client.post(reverse("volunteers:calendar-reset"), follow=True)

    assert any("no longer works" in str(m) for m in response.context["messages"])


def _notices(user, n, *, unread_oldest=0):
    """n notices, an hour apart, all read but the `unread_oldest` oldest ones."""
    for k in range(n):
        notice = notify(user, Kind.OTHER, f"通知{k}", URL)
        Notice.objects.filter(pk=notice.pk).update(
            created_at=NOW - timedelta(hours=n - k), read_at=None if k < unread_oldest else NOW
        )


@pytest.mark.parametrize(
    ("count", "unread_oldest", "offered"),
    [(3, 0, False), (3, 1, True), (12, 0, False), (12, 1, True)],
    ids=["few-all-read", "few-one-unread", "many-all-read", "many-oldest-unread-not-shown"],
)
def test_mark_all_as_read_is_offered_while_any_notice_is_unread(
    client, volunteer, count, unread_oldest, offered
):
    _notices(volunteer, count, unread_oldest=unread_oldest)
    client.force_login(volunteer)

    response = client.get(URL)

    assert response.context["has_unread"] is offered
    assert ("Mark all as read" in response.text) is offered


def test_my_schedule_runs_the_same_queries_for_one_or_ten_posts(client, team, volunteer):
    services.sign_up(make_post(team=team, title="岗位0", start_hour=6, hours=1), volunteer)
    client.force_login(volunteer)
    client.get(URL)  # the session
    modules_changed()  # measured as after any write: nothing of the page kept
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for k in range(1, 10):
        services.sign_up(
            make_post(team=team, title=f"岗位{k}", start_hour=6 + k, hours=1), volunteer
        )

    client.get(URL)  # the unread count, changed by the sign-ups' notices, is cached again
    modules_changed()
    with CaptureQueriesContext(connection) as ten:
        response = client.get(URL)

    assert len(response.context["signups"]) == 10
    assert len(ten) == len(one)
