"""A resident's own pages kept for them (portal.cache.resident_page): a repeated view costs no
query, and anything the page shows (their sign-ups, a notice, anyone's write in the module, the
clock) makes it fresh at once; nobody else, and no other browser, is served their copy."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.notices import Kind, mark_all_read, notify
from tests.volunteers.helpers import NOW, make_post
from volunteers import services

# These tests commit their data (transaction=True): inside a test's transaction with uncommitted
# writes nothing is kept (portal.cache.usable).
pytestmark = pytest.mark.django_db(transaction=True)

SCHEDULE = reverse("volunteers:my-schedule")
HEADER = "X-Portal-Cache"


def _get(client, url=SCHEDULE):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(ctx.captured_queries)


def _kept(client, url=SCHEDULE):
    """Views until the page is kept: the first has no CSRF cookie yet (it gets one), the second
    stores the page."""
    first, _n = _get(client, url)
    assert HEADER not in first  # a page that gave the browser its CSRF secret is not stored
    second, _n = _get(client, url)
    assert second[HEADER] == "resident-miss"
    return second


def test_a_repeated_view_is_served_whole_without_a_query(community, client, volunteer):
    client.force_login(volunteer)
    stored = _kept(client)

    again, queries = _get(client)

    assert again[HEADER] == "resident-hit"
    assert queries == 0
    assert again.content == stored.content
    assert again["Cache-Control"].startswith("max-age=0") or "private" in again["Cache-Control"]


def test_my_sign_up_shows_at_once(community, client, volunteer):
    post = make_post(title="修雨伞", day=(NOW + timedelta(days=5)).date())
    client.force_login(volunteer)
    assert "修雨伞" not in _kept(client).text

    services.sign_up(post, volunteer)

    response, _n = _get(client)
    assert response[HEADER] == "resident-miss"
    assert "修雨伞" in response.text


def test_a_notice_to_me_or_read_shows_at_once(community, client, volunteer):
    client.force_login(volunteer)
    _kept(client)

    notify(volunteer, Kind.OTHER, "明天的岗位改到九点", SCHEDULE)

    response, _n = _get(client)
    assert response[HEADER] == "resident-miss"
    assert "明天的岗位改到九点" in response.text
    assert _get(client)[0][HEADER] == "resident-hit"

    mark_all_read(volunteer)

    assert _get(client)[0][HEADER] == "resident-miss"


def test_anyone_elses_write_in_the_module_makes_it_fresh(community, client, volunteer, resident):
    post = make_post(title="修雨伞", day=(NOW + timedelta(days=5)).date())
    client.force_login(volunteer)
    _kept(client)

    services.sign_up(post, resident)

    assert _get(client)[0][HEADER] == "resident-miss"


def test_another_browser_or_person_never_gets_this_copy(community, client, volunteer, resident):
    client.force_login(volunteer)
    _kept(client)

    same_person_other_phone = Client()
    same_person_other_phone.cookies["portal_language"] = "en"
    same_person_other_phone.force_login(volunteer)
    assert HEADER not in _get(same_person_other_phone)[0]
    assert _get(same_person_other_phone)[0][HEADER] == "resident-miss"

    other = Client()
    other.cookies["portal_language"] = "en"
    other.force_login(resident)
    _get(other)
    response, _n = _get(other)
    assert response[HEADER] == "resident-miss"
    assert response.wsgi_request.user == resident


def test_the_clock_bounds_how_long_it_is_kept(community, client, volunteer, time_machine):
    client.force_login(volunteer)
    _kept(client)
    assert _get(client)[0][HEADER] == "resident-hit"

    time_machine.move_to(NOW + timedelta(seconds=31), tick=False)

    assert _get(client)[0][HEADER] == "resident-miss"


def test_a_flash_message_is_never_kept_or_skipped(community, client, volunteer):
    client.force_login(volunteer)
    _kept(client)

    response = client.post(reverse("volunteers:calendar-reset"), follow=True)

    assert HEADER not in response  # the page that shows the message is not stored
    assert any("ready" in str(m) for m in response.context["messages"])


def test_off_when_the_setting_is_zero(community, client, volunteer, settings):
    settings.RESIDENT_PAGE_CACHE_SECONDS = 0
    client.force_login(volunteer)
    for _ in range(3):
        assert HEADER not in _get(client)[0]


RESIDENT_PAGES = [
    reverse("home"),
    SCHEDULE,
    reverse("volunteers:my-hours"),
    reverse("volunteers:day-detail", args=[(NOW + timedelta(days=9)).date().isoformat()]),
    reverse("classes:mine"),
    reverse("canteen:index"),
    reverse("canteen:my-meals"),
]


@pytest.mark.parametrize("url", RESIDENT_PAGES)
def test_each_residents_page_seen_again_costs_no_query(community, client, elder, url):
    if "/days/" in url:
        make_post(title="修雨伞", day=(NOW + timedelta(days=9)).date())
    client.force_login(elder)
    _kept(client, url)

    response, queries = _get(client, url)

    assert response[HEADER] == "resident-hit"
    assert queries == 0


def test_home_recomputes_only_the_parts_of_the_module_that_changed(
    community, client, volunteer, settings
):
    from portal.cache import changed as bump

    home = reverse("home")
    soon = make_post(title="修雨伞", day=(NOW + timedelta(days=5)).date())
    services.sign_up(soon, volunteer)
    client.force_login(volunteer)
    settings.RESIDENT_PAGE_CACHE_SECONDS = 0
    _get(client, home)
    uncached = _get(client, home)[1]  # every module's part of the page computed
    settings.RESIDENT_PAGE_CACHE_SECONDS = 30
    assert _get(client, home)[0][HEADER] == "resident-miss"
    assert _get(client, home)[0][HEADER] == "resident-hit"

    bump("canteen")  # what a meal booked by anyone does
    response, queries = _get(client, home)

    assert response[HEADER] == "resident-miss"
    assert "修雨伞" in response.text  # the volunteers part, kept
    assert queries < uncached

    sooner = make_post(title="磨剪刀", day=(NOW + timedelta(days=2)).date())
    services.sign_up(sooner, volunteer)  # my own write in the volunteers module

    response, _n = _get(client, home)
    assert "磨剪刀" in response.text and "修雨伞" not in response.text


def test_my_notices_are_kept_apart_from_the_modules_rows(community, client, volunteer, settings):
    from portal.cache import changed as bump

    classes = reverse("classes:mine")
    client.force_login(volunteer)
    settings.RESIDENT_PAGE_CACHE_SECONDS = 0
    _get(client, SCHEDULE)
    bump("volunteers")  # measured alike: after a write in the module
    uncached = _get(client, SCHEDULE)[1]
    settings.RESIDENT_PAGE_CACHE_SECONDS = 30
    _get(client, SCHEDULE)

    bump("volunteers")  # anyone's sign-up
    response, queries = _get(client, SCHEDULE)
    assert response[HEADER] == "resident-miss"
    assert queries < uncached  # my notices were not read again

    notify(volunteer, Kind.OTHER, "课程改到周六", classes)
    assert "课程改到周六" in _get(client, classes)[0].text
    notify(volunteer, Kind.OTHER, "岗位改到九点", SCHEDULE)
    assert "岗位改到九点" in _get(client, SCHEDULE)[0].text
