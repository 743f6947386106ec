"""The classroom's texts a parent may opt into carry their kind's parameters (SMS_PARAMS): the
course, and when it next meets or how the lottery turned out, in the parent's language (Chinese
here) though the request is decided in English."""

from datetime import date

import pytest
import time_machine

from classes.models import Course, Enrolment
from classes.services import request_enrolment, run_lottery, waiting_position
from portal.models import Notice
from tests.classes.helpers import at, make_course
from tests.factories import make_child, make_user, text_params, wants_every_text

Kind = Notice.Kind


@pytest.fixture(autouse=True)
def _decided_in_english(english):
    """Whoever's request or press causes a text, it is written in the parent's language."""


@pytest.fixture
def parent(parent):
    return wants_every_text(parent)


def _request(parent, course, child):
    return request_enrolment(parent, course, child, photo_consent=True, pickup_people="张妈妈")


def test_a_place_names_the_course_and_its_next_session(now, parent, child, course):
    _request(parent, course, child)  # decided at once: tasks run at once in the tests

    assert Enrolment.objects.get(child=child).status == Enrolment.Status.ENROLLED
    (params,) = text_params(parent, Kind.CONFIRMED)
    assert (params["title"], params["time"]) == ("乐高搭建", "2026年9月12日 09:00–10:30")


def test_a_course_with_no_session_yet_says_its_timetable_follows(now, parent, child, term):
    course = make_course(term, title="书法")

    _request(parent, course, child)

    (params,) = text_params(parent, Kind.CONFIRMED)
    assert (params["title"], params["time"]) == ("书法", "课表待定")


def test_the_lottery_names_the_course_and_the_place_won_or_in_line(now, term):
    course = make_course(term, title="热门乐高", capacity=1, mode=Course.Mode.LOTTERY)
    parents = []
    for i in range(3):
        parent = wants_every_text(make_user(f"家长{i}"))
        kid = make_child(parent, name=f"孩子{i}", birth_date=date(2018, 3, 1))
        _request(parent, course, kid)
        parents.append(parent)

    with time_machine.travel(at(2026, 9, 6, 21, 0), tick=False):
        run_lottery(course)

    results = {}
    for parent in parents:
        (params,) = text_params(parent, Kind.LOTTERY)
        assert params["title"] == "热门乐高"
        results[parent] = params["result"]
    assert sorted(results.values()) == ["候补第1位", "候补第2位", "已抽中名额"]
    for entry in course.enrolments.waiting_order().select_related("enrolled_by"):
        assert results[entry.enrolled_by] == f"候补第{waiting_position(entry)}位"
