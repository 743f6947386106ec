"""The public pages: events, programme with filters, timetable, activity, calendar file."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services
from events.models import Activity, Event
from tests.events.helpers import at, make_activity
from tests.factories import make_child, make_user
from tests.pagecache import modules_changed

pytestmark = pytest.mark.django_db


def test_the_index_lists_published_events_only(client, festival):
    Event.objects.create(title="草稿活动", starts_on=festival.starts_on, ends_on=festival.ends_on)

    body = client.get(reverse("events:index")).content.decode()

    assert "你好·邻居" in body
    assert "草稿活动" not in body


def test_a_draft_programme_is_404_for_residents_and_visible_to_staff(
    client, resident, events_staff
):
    draft = Event.objects.create(title="草稿", starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 1))
    url = reverse("events:programme", args=[draft.pk])

    assert client.get(url).status_code == 404
    client.force_login(resident)
    assert client.get(url).status_code == 404
    client.force_login(events_staff)
    assert client.get(url).status_code == 200


def test_the_programme_shows_tracks_activities_and_places_left(
    client, parent, child, festival, activity
):
    services.register(activity, user=parent, members=[parent.member, child])

    body = client.get(reverse("events:programme", args=[festival.pk])).content.decode()

    assert "趣味运动会" in body
    assert "睦邻乐" in body
    assert "8" in body and 'data-testid="places-left"' in body


def test_public_pages_never_show_who_registered(client, parent, child, festival, activity):
    services.register(activity, user=parent, members=[parent.member, child])
    pages = [
        reverse("events:index"),
        reverse("events:programme", args=[festival.pk]),
        reverse("events:timetable", args=[festival.pk]),
        reverse("events:activity", args=[activity.pk]),
        reverse("events:stalls", args=[festival.pk]),
    ]
    outsider = make_user("旁人")
    for viewer in (None, outsider):
        if viewer:
            client.force_login(viewer)
        for url in pages:
            body = client.get(url).content.decode()
            assert "张小明" not in body, url
            assert "张妈妈" not in body, url
            assert parent.mobile not in body and parent.mobile[-4:] not in body, url
            assert "2018-09-01" not in body, url


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"早场", "下午场", "第二天", "儿童场"}),
        ({"day": "2026-06-14"}, {"第二天"}),
        ({"track": "TRACK"}, {"早场", "儿童场"}),
        ({"audience": "children"}, {"儿童场", "早场", "第二天"}),
        ({"audience": "elders"}, {"早场", "第二天"}),
        ({"day": "nonsense", "track": "x"}, {"早场", "下午场", "第二天", "儿童场"}),
    ],
    ids=["no-filter", "second-day", "one-track", "children", "elders", "bad-values-ignored"],
)
def test_the_programme_filters_by_day_track_and_age_group(client, festival, track, query, expected):
    make_activity(festival, title="早场", track=track)
    make_activity(
        festival,
        title="下午场",
        audience="adults",
        starts_at=at(festival.starts_on, 14),
        ends_at=at(festival.starts_on, 15),
    )
    make_activity(
        festival,
        title="第二天",
        starts_at=at(festival.ends_on, 9),
        ends_at=at(festival.ends_on, 10),
    )
    make_activity(festival, title="儿童场", track=track, audience="children")
    query = {k: (track.pk if v == "TRACK" else v) for k, v in query.items()}

    body = client.get(reverse("events:programme", args=[festival.pk]), query).content.decode()

    titles = {t for t in ("早场", "下午场", "第二天", "儿童场") if f">{t}</a>" in body}
    assert titles == expected


def test_the_programme_runs_the_same_queries_for_one_or_forty_activities(
    client, resident, festival, track
):
    url = reverse("events:programme", args=[festival.pk])
    make_activity(festival, track=track)
    client.force_login(resident)
    client.get(url)  # the session
    modules_changed()  # measured as after any write: nothing of the page kept
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(39):
        make_activity(festival, title=f"活动{n}", track=track if n % 2 else None, audience="elders")

    modules_changed()
    with CaptureQueriesContext(connection) as forty:
        body = client.get(url).content.decode()

    assert body.count('data-testid="activity"') == 40
    assert len(forty) == len(one)


def test_the_timetable_shows_one_day_by_the_hour(client, festival):
    make_activity(festival, title="早场")
    make_activity(
        festival,
        title="第二天",
        starts_at=at(festival.ends_on, 9),
        ends_at=at(festival.ends_on, 10),
    )
    url = reverse("events:timetable", args=[festival.pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"day": "2026-06-14"}).content.decode()

    assert "早场" in first and "第二天" not in first
    assert "第二天" in second and "09:00" in second


def test_the_activity_page_tells_a_full_activity_has_a_waiting_list(client, resident, festival):
    activity = make_activity(festival, capacity=1)
    services.register(activity, user=resident, members=[resident.member])

    body = client.get(reverse("events:activity", args=[activity.pk])).content.decode()

    assert reverse("events:register", args=[activity.pk]) in body
    assert activity.title in body


def test_the_activity_page_shows_my_household_its_place_in_line(
    client, resident, parent, child, festival
):
    activity = make_activity(festival, capacity=1)
    services.register(activity, user=resident, members=[resident.member])
    services.register(activity, user=parent, members=[child])
    client.force_login(parent)

    response = client.get(reverse("events:activity", args=[activity.pk]))

    [mine] = response.context["mine"]
    assert mine.position == 1
    assert "张小明" in response.content.decode()


def test_the_calendar_file_describes_the_activity(client, activity):
    response = client.get(reverse("events:calendar", args=[activity.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "趣味运动会" in body
    assert "DTSTART" in body


def test_unpublished_activities_have_no_calendar_file(client, festival, activity):
    festival.is_published = False
    festival.save()

    assert client.get(reverse("events:calendar", args=[activity.pk])).status_code == 404


def _many(festival, track, n=120):
    Activity.objects.bulk_create(
        Activity(
            event=festival,
            track=track,
            title=f"活动{i}",
            place="广场",
            starts_at=at(festival.starts_on, 8) + timedelta(minutes=5 * i),
            ends_at=at(festival.starts_on, 8) + timedelta(minutes=5 * i + 30),
            needs_registration=True,
            capacity=50,
        )
        for i in range(n)
    )
    people = [make_user(f"居民{i}") for i in range(4)]
    for a in Activity.objects.all()[:20]:
        for p in people:
            services.register(a, user=p, members=[p.member])


def test_public_pages_run_a_fixed_number_of_queries(
    client, festival, track, resident, django_assert_max_num_queries
):
    _many(festival, track)
    kid = make_child(resident)
    for a in Activity.objects.all()[20:50]:
        services.register(a, user=resident, members=[resident.member, kid])
    client.force_login(resident)
    for name, args in [
        ("events:index", []),
        ("events:programme", [festival.pk]),
        ("events:timetable", [festival.pk]),
        ("events:stalls", [festival.pk]),
        ("events:my", []),
        ("events:activity", [Activity.objects.first().pk]),
        ("events:register", [Activity.objects.first().pk]),
    ]:
        with django_assert_max_num_queries(12):
            response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    body = client.get(reverse("events:programme", args=[festival.pk])).content.decode()
    assert body.count('data-testid="activity"') == 120


def test_pages_and_refusals_speak_chinese_by_default(zh_client, parent, festival):
    activity = make_activity(festival, capacity=1, max_age=12)

    body = zh_client.get(reverse("events:programme", args=[festival.pk])).content.decode()
    assert "剩余 1 个名额" in body
    zh_client.force_login(parent)
    response = zh_client.post(
        reverse("events:register", args=[activity.pk]), {f"person_{parent.member.pk}": "on"}
    )
    assert "不符合这个活动的年龄要求" in response.content.decode()
