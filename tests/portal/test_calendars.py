"""Calendars every client reads (portal.calendars) and "my calendar", the feed of everything.

Every feed is read by two independent parsers, `icalendar` (which builds them) and `ics`: both
must accept it, every event has a DTSTAMP and UTC times, UIDs stay the same from one request to
the next, and no line is longer than 75 octets (RFC 5545 3.1).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import ics
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from canteen.models import Booking as MealBooking
from classes.models import ClassSession, Course, Enrolment
from classes.services import generate_sessions, reset_calendar_token
from events.models import Activity, Registration
from events.models import Booking as EventBooking
from portal.calendars import CalendarItem, build_calendar
from portal.models import CalendarKey
from portal.my_calendar import reset_key, stop_key
from tests.canteen.helpers import make_menu
from tests.factories import make_child, make_user
from tests.portal.register import build_register
from tests.volunteers.helpers import make_post
from volunteers import services as volunteer_services
from volunteers.models import Signup

pytestmark = pytest.mark.django_db

LONG = "社区长者智能手机使用课堂·第二期（微信视频通话、健康码、网上挂号与防诈骗）" * 2


@pytest.fixture
def world(time_machine):
    time_machine.move_to("2026-09-01 10:00 +08:00", tick=False)
    reg = build_register()
    parent = reg.parent
    generate_sessions(Course.objects.get(pk=reg.course_id))
    # the parent also volunteers, registered for the festival and booked a meal
    post = make_post(title=LONG, day=date(2026, 9, 10))
    Signup.objects.create(post=post, volunteer=parent, status=Signup.Status.CONFIRMED)
    volunteer_services.ensure_profile(parent)
    activity = Activity.objects.first()
    booking = EventBooking.objects.create(
        activity=activity, household=parent.household, booked_by=parent
    )
    Registration.objects.create(booking=booking, activity=activity, member=parent.member)
    menu = make_menu(day=date(2026, 9, 3))
    MealBooking.objects.create(menu=menu, member=parent.member, booked_by=parent)
    return reg


def parse_both(body: bytes):
    """The feed as icalendar and as ics read it (both must accept it)."""
    text = body.decode("utf-8")
    return Calendar.from_ical(body), ics.Calendar(text)


def assert_well_formed(body: bytes, *, events: int | None = None):
    cal, other = parse_both(body)
    for prop in ("PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME"):
        assert cal.get(prop), prop
    assert str(cal["VERSION"]) == "2.0"
    vevents = cal.walk("VEVENT")
    if events is not None:
        assert len(vevents) == events
    assert len(other.events) == len(vevents)
    for event in vevents:
        assert event.get("DTSTAMP") is not None
        for prop in ("DTSTART", "DTEND", "DTSTAMP"):
            moment = event.decoded(prop)
            assert moment.utcoffset() == timedelta(0), prop
        assert str(event["UID"]).endswith("@neighbourly-portal")
    for e in other.events:
        assert e.begin is not None and e.end > e.begin
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
    # raw text: times written in UTC ("Z"), one DTSTAMP per event
    assert body.count(b"DTSTAMP:") == len(vevents)
    assert b"DTSTART:" in body or not vevents
    return cal


def uids(body: bytes) -> list[str]:
    return sorted(str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT"))


def test_the_helper_folds_long_chinese_lines_at_75_octets_and_writes_utc(time_machine):
    time_machine.move_to("2026-09-01 10:00 +08:00", tick=False)
    start = datetime.fromisoformat("2026-09-10 09:00+08:00")
    item = CalendarItem(
        uid="post-1@neighbourly-portal",
        summary=LONG,
        start=start,
        end=start + timedelta(hours=2),
        description=LONG,
    )
    body = build_calendar([item], name="日历")
    assert_well_formed(body, events=1)
    assert b"DTSTART:20260910T010000Z" in body
    assert b"DTSTAMP:20260901T020000Z" in body
    cal, other = parse_both(body)
    assert str(cal.walk("VEVENT")[0]["SUMMARY"]) == LONG  # unfolded intact
    assert next(iter(other.events)).name == LONG


def test_every_feed_is_read_by_both_parsers_with_stable_uids(client, world, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example.org"]
    parent = world.parent
    volunteer_token = volunteer_services.ensure_profile(parent).calendar_token
    activity = Activity.objects.first()
    urls = [
        reverse("volunteers:calendar-feed", args=[volunteer_token]),
        reverse("classes:calendar", args=[reset_calendar_token(parent).token]),
        reverse("events:calendar", args=[activity.pk]),
        reverse("my-calendar-feed", args=[reset_key(parent).token]),
    ]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["Content-Type"].startswith("text/calendar")
        cal = assert_well_formed(first.content)
        assert cal.walk("VEVENT"), url
        again = client.get(url, HTTP_HOST="other.example.org")
        assert uids(again.content) == uids(first.content), url


def test_my_calendar_holds_everything_of_mine(client, world):
    parent = world.parent
    body = client.get(reverse("my-calendar-feed", args=[reset_key(parent).token])).content
    cal = assert_well_formed(body)
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    text = "\n".join(summaries)
    assert f"志愿服务岗位：{LONG}" in summaries  # my volunteer post, labelled in Chinese
    assert Activity.objects.first().title in text  # the household's registration
    sessions = ClassSession.objects.filter(course_id=world.course_id).count()
    assert sum("张小明" in s for s in summaries) == sessions  # the child's classes
    assert "食堂" in text  # the booked meal
    # not another household's: the registrant's child and the diner's meal are not here
    assert "赵小宝" not in text and "孙食客" not in text


def test_my_calendar_runs_a_fixed_number_of_queries(client, world):
    parent = world.parent
    url = reverse("my-calendar-feed", args=[reset_key(parent).token])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    # ten times as much of everything
    team_post_day = date(2026, 9, 11)
    for i in range(10):
        post = make_post(title=f"岗位{i}", day=team_post_day + timedelta(days=i))
        Signup.objects.create(post=post, volunteer=parent, status=Signup.Status.CONFIRMED)
        menu = make_menu(day=date(2026, 9, 4) + timedelta(days=i))
        MealBooking.objects.create(menu=menu, member=parent.member, booked_by=parent)
        child = make_child(parent, name=f"张{i}", birth_date=date(2018, 1, 1))
        Enrolment.objects.create(
            course_id=world.course_id,
            child=child,
            enrolled_by=parent,
            status=Enrolment.Status.ENROLLED,
            pickup_people="张妈妈",
            fee=Decimal("0.00"),
        )
        activity = Activity.objects.create(
            event=Activity.objects.first().event,
            title=f"活动{i}",
            place="广场",
            starts_at=datetime.fromisoformat("2026-10-01 09:00+08:00") + timedelta(hours=i),
            ends_at=datetime.fromisoformat("2026-10-01 10:00+08:00") + timedelta(hours=i),
        )
        booking = EventBooking.objects.create(
            activity=activity, household=parent.household, booked_by=parent
        )
        Registration.objects.create(booking=booking, activity=activity, member=child)
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) > 100
    assert len(big) == len(small), [q["sql"][:80] for q in big.captured_queries]


def test_the_address_is_long_random_stored_hashed_and_reset_at_once(client, world):
    parent = world.parent
    key = reset_key(parent)
    old = key.token
    assert len(old) >= 43  # 256 bits
    row = CalendarKey.objects.get(user=parent)
    assert old not in (row.salt, row.digest)  # the database never holds the address itself
    assert client.get(reverse("my-calendar-feed", args=[old])).status_code == 200
    new = reset_key(parent).token
    assert new != old
    assert client.get(reverse("my-calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("my-calendar-feed", args=[new])).status_code == 200
    # a forged or truncated token, a token with a different last character
    for forged in ["x" * 43, new[:-1], new[:-1] + ("A" if new[-1] != "A" else "B"), "%00"]:
        assert client.get(reverse("my-calendar-feed", args=[forged])).status_code == 404
    stop_key(parent)
    assert client.get(reverse("my-calendar-feed", args=[new])).status_code == 404


def test_a_token_never_shows_another_persons_calendar(client, world):
    parent, registrant = world.parent, world.registrant
    mine = reset_key(parent).token
    theirs = reset_key(registrant).token
    client.force_login(registrant)  # a session does not matter: the token decides
    body = client.get(reverse("my-calendar-feed", args=[mine])).content.decode()
    assert "张小明" in body
    other = client.get(reverse("my-calendar-feed", args=[theirs])).content.decode()
    assert "张小明" not in other
    reset_key(parent)
    assert client.get(reverse("my-calendar-feed", args=[mine])).status_code == 404
    # a deactivated account's address answers nothing
    registrant.is_active = False
    registrant.save()
    assert client.get(reverse("my-calendar-feed", args=[theirs])).status_code == 404


def test_the_page_makes_shows_resets_and_stops_the_address(client, world):
    parent = world.parent
    page = reverse("my-calendar")
    assert client.get(page).status_code == 302  # log in first
    client.force_login(parent)
    response = client.get(page)
    assert response.status_code == 200
    assert 'data-testid="make"' in response.text
    assert 'data-testid="calendar-warning"' in response.text
    assert client.get(reverse("my-calendar-reset")).status_code == 405  # GET never writes
    client.post(reverse("my-calendar-reset"))
    token = CalendarKey.objects.get(user=parent).token
    response = client.get(page)
    assert f"webcal://testserver/calendar/{token}.ics" in response.text
    assert f"http://testserver/calendar/{token}.ics" in response.text
    assert response["Referrer-Policy"] == "no-referrer"
    client.post(reverse("my-calendar-reset"))
    assert token not in client.get(page).text
    client.post(reverse("my-calendar-stop"))
    assert not CalendarKey.objects.filter(user=parent).exists()


def test_a_deleted_account_loses_its_address(world):
    from portal.services import delete_account

    person = make_user("钱删除", birth_date=date(1970, 1, 1), mobile="13700000099")
    reset_key(person)
    delete_account(person)
    assert not CalendarKey.objects.filter(user=person).exists()
