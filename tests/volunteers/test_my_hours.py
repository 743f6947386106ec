"""My hours: totals summed in the database, the posts I served a page at a time (newest first),
a fixed number of queries however long my record, and nothing written by opening the page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.pagecache import modules_changed
from tests.volunteers.helpers import DAY, at
from volunteers import services
from volunteers.models import CorrectionRequest, HoursEntry, Post, Signup, VolunteerProfile

pytestmark = pytest.mark.django_db

URL = reverse("volunteers:my-hours")


def _serve(volunteer, team, n, *, hours="2", first_day=DAY):
    """n posts on successive days that the volunteer served, each credited `hours`."""
    posts = Post.objects.bulk_create(
        Post(
            team=team,
            title=f"岗位{k:02d}",
            place="广场",
            start=at(first_day + timedelta(days=k), 9),
            end=at(first_day + timedelta(days=k), 11),
            capacity=3,
        )
        for k in range(n)
    )
    signups = Signup.objects.bulk_create(
        Signup(
            post=p,
            volunteer=volunteer,
            status=Signup.Status.CONFIRMED,
            seat=1,
            checked_in_at=p.start,
            hours_confirmed_at=p.end,
        )
        for p in posts
    )
    HoursEntry.objects.bulk_create(
        HoursEntry(
            volunteer=volunteer,
            signup=s,
            post=s.post,
            team=team,
            served_on=s.post.start.date(),
            hours=Decimal(hours),
            kind=HoursEntry.Kind.CREDIT,
            reason="served",
        )
        for s in signups
    )
    return signups


def _titles(response):
    return [s["post__title"] for s in response.context["page"]]


def test_the_posts_i_served_come_a_page_at_a_time_newest_first(client, team, volunteer):
    _serve(volunteer, team, 25)
    client.force_login(volunteer)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert _titles(first) == [f"岗位{k:02d}" for k in range(24, 4, -1)]
    assert _titles(second) == [f"岗位{k:02d}" for k in range(4, -1, -1)]
    assert 'href="?page=2#served"' in first.text and "Older" in first.text
    assert 'href="?page=1#served"' in second.text and "Newer" in second.text
    assert "2 / 2" in second.text
    # A page number out of range shows the last page rather than an error.
    assert _titles(client.get(URL, {"page": 99})) == _titles(second)


def test_the_totals_come_from_the_whole_ledger_with_corrections(client, team, volunteer):
    first, second = _serve(volunteer, team, 2)  # 2 h each, in March
    _serve(volunteer, team, 1, hours="3", first_day=DAY.replace(year=DAY.year - 1))
    HoursEntry.objects.create(
        volunteer=volunteer,
        signup=first,
        post=first.post,
        team=team,
        served_on=first.post.start.date(),
        hours=Decimal("-0.5"),
        kind=HoursEntry.Kind.CORRECTION,
        reason="left early",
    )
    client.force_login(volunteer)

    response = client.get(URL)

    assert response.context["total"] == Decimal("6.5")
    months = {m["month"]: m["hours"] for m in response.context["months"]}
    assert months[3] == Decimal("3.5") and months[2] == 0  # last year's hours are not this year's
    credited = {s["pk"]: s["credited"] for s in response.context["page"]}
    assert (credited[first.pk], credited[second.pk]) == (Decimal("1.5"), Decimal("2"))
    assert response.context["awaiting"] == 0


def test_a_correction_form_opens_for_one_post_at_a_time(client, team, volunteer):
    first, second = _serve(volunteer, team, 2)
    CorrectionRequest.objects.create(signup=first, hours=Decimal("3"), reason="多服务了一小时")
    client.force_login(volunteer)

    closed = client.get(URL).text
    opened = client.get(URL, {"correct": second.pk}).text
    pending = client.get(URL, {"correct": first.pk}).text

    # Each post links to its form; none is on the page until one is asked for.
    assert 'name="reason"' not in closed
    assert f"correct={second.pk}#correct" in closed and f"correct={first.pk}" not in closed
    assert opened.count('name="reason"') == 1
    assert reverse("volunteers:correction-request", args=[second.pk]) in opened
    # A post with a request waiting shows that instead of a form.
    assert 'name="reason"' not in pending
    assert pending.count("Correction requested; waiting for the leader.") == 1


def test_the_correction_form_sends_the_request(client, team, volunteer):
    (signup,) = _serve(volunteer, team, 1)
    client.force_login(volunteer)
    page = client.get(URL, {"correct": signup.pk}).text
    assert 'name="hours"' in page

    response = client.post(
        reverse("volunteers:correction-request", args=[signup.pk]),
        {"hours": "2.5", "reason": "多服务了半小时"},
        follow=True,
    )

    assert signup.corrections.get().hours == Decimal("2.5")
    assert "Correction requested; waiting for the leader." in response.text


def test_my_hours_runs_the_same_queries_for_one_or_thirty_posts(client, team, volunteer):
    _serve(volunteer, team, 1)
    client.force_login(volunteer)
    client.get(URL)  # the session
    modules_changed()  # measured as after any write: nothing of the page kept
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    _serve(volunteer, team, 30, first_day=DAY + timedelta(days=1))
    for signup in Signup.objects.filter(volunteer=volunteer)[:3]:
        CorrectionRequest.objects.create(signup=signup, hours=Decimal("1"), reason="x")

    client.get(URL)  # the unread count, changed by the notices, is cached again
    modules_changed()
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(URL)

    assert len(response.context["page"]) == 20
    assert len(thirty) == len(one) <= 10


def test_opening_my_hours_writes_nothing(client, resident):
    client.force_login(resident)
    client.get(URL)  # the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)

    assert response.status_code == 200
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")) for q in ctx)
    assert not VolunteerProfile.objects.filter(user=resident).exists()
    # The number the volunteer record will have once something needs it.
    assert f"PR{resident.pk:06d}" in response.text


def test_my_hours_lists_my_requests_certificates_and_local_days(client, team, volunteer):
    first, second = _serve(volunteer, team, 2)
    # 06:30 in Shanghai is the evening before in UTC: the list shows the local day.
    Post.objects.filter(pk=first.post_id).update(start=at(DAY, 6, 30), end=at(DAY, 8))
    CorrectionRequest.objects.create(
        signup=first,
        hours=Decimal("2.5"),
        reason="多服务了半小时",
        status=CorrectionRequest.Status.REJECTED,
        decision_reason="签到记录不符",
    )
    CorrectionRequest.objects.create(signup=second, hours=Decimal("3"), reason="晚走了一小时")
    certificate = services.issue_certificate(volunteer)
    client.force_login(volunteer)

    page = client.get(URL).text

    assert f"岗位00</strong> · {DAY.isoformat()}" in page
    assert "岗位00: 2.5 h — rejected (签到记录不符)" in page
    assert "岗位01: 3 h — waiting for the leader</li>" in page
    assert f'<a href="{certificate.get_absolute_url()}">{certificate.number}</a>' in page
