"""The course list and the micro-fund's page are the same for every visitor: served from the
cache, fresh right after a change, never a resident's own page. Their figures (the class hours,
the fund's aggregates) are cached for residents too.

These tests commit their data (transaction=True): the cache is bypassed inside a transaction
with uncommitted writes.
"""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classes import services, stats
from fund import services as fund_services
from fund import stats as fund_stats
from fund.models import FundEntry
from tests.classes.helpers import at, enrol, make_course

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("now")]

INDEX = reverse("classes:index")
FUND = reverse("fund:index")


def _get(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response


def _income(by, amount="500.00", **kw):
    kw.setdefault("category", FundEntry.Category.DONATION)
    kw.setdefault("description", "爱心捐款")
    return fund_services.record_income(by=by, date=date(2026, 9, 1), amount=amount, **kw)


def _sql(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        _get(client, url)
    return [q["sql"] for q in ctx.captured_queries]


# The course list ------------------------------------------------------------------------------


def test_visitors_get_the_course_list_from_the_cache_the_second_time(community, term):
    make_course(term, title="乐高搭建")
    visitor = Client()
    first = _get(visitor, INDEX)
    body = first.content.decode()
    assert first["X-Portal-Cache"] == "miss"
    assert "乐高搭建" in body
    assert "csrfmiddlewaretoken" not in body and "csrftoken" not in first.cookies

    second = _get(visitor, INDEX)
    assert second["X-Portal-Cache"] == "hit"
    assert second.content == first.content
    # Each choice of filters is a page of its own.
    assert _get(Client(), INDEX, {"subject": "calligraphy"})["X-Portal-Cache"] == "miss"


def test_a_new_course_and_a_place_taken_show_to_visitors_at_once(community, term, parent, child):
    course = make_course(term, title="乐高搭建", capacity=3)
    _get(Client(), INDEX)
    assert _get(Client(), INDEX)["X-Portal-Cache"] == "hit"

    make_course(term, title="书法入门")
    response = _get(Client(), INDEX)
    assert response["X-Portal-Cache"] == "miss"
    assert "书法入门" in response.content.decode()

    enrol(parent, course, child)
    response = _get(Client(), INDEX)
    assert response["X-Portal-Cache"] == "miss"
    assert [c.places_left for c in response.context["courses"] if c.pk == course.pk] == [2]


def test_a_resident_never_gets_the_visitors_course_list(community, term, parent, child):
    make_course(term)
    _get(Client(), INDEX)
    assert _get(Client(), INDEX)["X-Portal-Cache"] == "hit"

    resident = Client()
    resident.force_login(parent)
    response = _get(resident, INDEX)
    body = response.content.decode()
    assert "X-Portal-Cache" not in response
    assert "张小明" in body  # the filter "courses my child can join"
    assert f'href="{reverse("classes:mine")}"' in body


def test_what_a_resident_sees_never_reaches_visitors(community, term, parent, child):
    make_course(term)
    resident = Client()
    resident.force_login(parent)
    assert "张小明" in _get(resident, INDEX, {"child": child.pk}).content.decode()
    for params in ({}, {"child": child.pk}):
        for _visit in range(2):
            body = _get(Client(), INDEX, params).content.decode()
            assert "张小明" not in body and parent.mobile not in body


def test_residents_get_the_courses_and_their_cards_from_the_cache(community, term, parent, child):
    make_course(term, title="乐高搭建", subject="lego")
    make_course(term, title="书法入门", subject="calligraphy", age_min=9)
    resident = Client()
    resident.force_login(parent)
    assert "乐高搭建" in _get(resident, INDEX).content.decode()
    assert not [sql for sql in _sql(resident, INDEX) if "classes_course" in sql]
    # Each choice of filters has its own list, and a child's list is cut from it.
    assert [c.title for c in _get(resident, INDEX, {"subject": "lego"}).context["courses"]] == [
        "乐高搭建"
    ]
    body = _get(resident, INDEX, {"subject": "calligraphy"}).content.decode()
    assert "书法入门" in body and "乐高搭建" not in body
    body = _get(resident, INDEX, {"child": child.pk}).content.decode()  # 8 on the first day
    assert "乐高搭建" in body and "书法入门" not in body


def test_a_cached_card_follows_the_clock(community, term, parent):
    # Minutes apart: well within the time the cache keeps an entry.
    opens, closes = at(2026, 9, 1, 10, 0, 30), at(2026, 9, 1, 10, 2)
    make_course(term, title="乐高搭建", opens=opens, closes=closes)
    resident = Client()
    resident.force_login(parent)
    assert "09-01 10:00 开始报名" in _get(resident, INDEX).content.decode()
    with time_machine.travel(at(2026, 9, 1, 10, 1), tick=False):
        body = _get(resident, INDEX).content.decode()
    assert "开始报名" not in body and "报名已截止" not in body
    with time_machine.travel(at(2026, 9, 1, 10, 2), tick=False):
        assert "报名已截止" in _get(resident, INDEX).content.decode()


def test_the_class_hours_are_counted_once_until_a_register_is_taken(
    community, parent, child, course, teacher_user
):
    e = enrol(parent, course, child)
    first, second = course.sessions.order_by("date")[:2]
    with time_machine.travel(at(2026, 9, 12, 11, 0), tick=False):
        services.take_register(first, {e.pk: ("present", "")}, by=teacher_user)
    assert stats.totals() == {"hours": first.hours, "sessions": 1, "children": 1}

    resident = Client()
    resident.force_login(parent)
    _get(resident, INDEX)
    counted = _sql(resident, INDEX)
    assert not [sql for sql in counted if "classes_attendance" in sql]

    with time_machine.travel(at(2026, 9, 19, 11, 0), tick=False):
        services.take_register(second, {e.pk: ("late", "")}, by=teacher_user)
    assert stats.totals() == {"hours": first.hours + second.hours, "sessions": 2, "children": 1}
    assert 'data-testid="total-hours">3<' in _get(Client(), INDEX).content.decode()


# The micro-fund -------------------------------------------------------------------------------


def test_visitors_get_the_fund_page_from_the_cache_and_see_new_income_at_once(
    community, classes_staff
):
    _income(classes_staff, "500.00")
    visitor = Client()
    first = _get(visitor, FUND)
    assert first["X-Portal-Cache"] == "miss"
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert _get(visitor, FUND)["X-Portal-Cache"] == "hit"

    _income(classes_staff, "20.00", description="企业捐赠")
    response = _get(visitor, FUND)
    assert response["X-Portal-Cache"] == "miss"
    assert response.context["balance"] == 520
    assert "企业捐赠" in response.content.decode()


def test_a_correction_shows_at_once_and_is_marked(community, classes_staff):
    entry = _income(classes_staff, "50.00")
    _get(Client(), FUND)
    fund_services.reverse_entry(entry, by=classes_staff, reason="金额录错")
    response = _get(Client(), FUND)
    assert response["X-Portal-Cache"] == "miss"
    assert response.context["balance"] == 0
    assert [row["is_reversal"] for row in response.context["recent_income"]] == [True, False]
    assert "更正" in response.content.decode()


def test_residents_get_the_funds_figures_from_the_cache(community, classes_staff, parent):
    _income(classes_staff)
    resident = Client()
    resident.force_login(parent)
    first = _get(resident, FUND)
    assert "X-Portal-Cache" not in first
    assert not [sql for sql in _sql(resident, FUND) if "fund_fundentry" in sql]


def test_a_donor_who_did_not_agree_is_not_even_kept_in_the_cache(community, classes_staff):
    _income(classes_staff, donor_name="王秘密")
    _income(classes_staff, donor_name="红星超市", donor_is_public=True, description="企业捐赠")
    overview = fund_stats.fund_overview()
    assert "王秘密" not in repr(overview) and "红星超市" in repr(overview)
    for _visit in range(2):
        body = _get(Client(), FUND).content.decode()
        assert "王秘密" not in body and "红星超市" in body
        assert classes_staff.real_name not in body


def test_sessions_made_in_bulk_make_the_cached_figures_stale(term):
    """generate_sessions() uses bulk_create, which sends no signals: it says so itself."""
    from portal import cache as portal_cache

    course = make_course(term)
    before = portal_cache.versions(["classes"])
    assert services.generate_sessions(course) > 0
    assert portal_cache.versions(["classes"]) != before
