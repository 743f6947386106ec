"""The lottery result: names for the staff who run the course, anonymous numbers for others.

Staff saw the result only as lists of entry ids, so they could not tell parents who got in.
"""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from classes.models import Course
from classes.services import run_lottery
from tests.classes.helpers import WINDOW_CLOSES, enrol, make_course
from tests.factories import make_child, make_user

AFTER_CLOSE = WINDOW_CLOSES.replace(hour=21)


@pytest.fixture
def drawn(now, term, teacher):
    course = make_course(
        term, title="热门乐高", capacity=1, mode=Course.Mode.LOTTERY, teacher=teacher
    )
    for i in range(3):
        parent = make_user(f"家长{i}")
        enrol(parent, course, make_child(parent, name=f"抽签孩子{i}", birth_date=date(2018, 3, 1)))
    with time_machine.travel(AFTER_CLOSE, tick=False):
        result = run_lottery(course)
    course.refresh_from_db()
    return course, result


def _page(client, course):
    return client.get(reverse("classes:lottery", args=[course.pk]))


@pytest.mark.parametrize("who", ["classes_staff", "teacher_user"])
def test_staff_and_the_teacher_see_names_in_draw_order(client, request, who, drawn):
    course, result = drawn
    client.force_login(request.getfixturevalue(who))
    response = _page(client, course)
    named = response.context["named"]
    assert [r["entry"] for r in named["won"]] == result["won"]
    assert [r["entry"] for r in named["waiting"]] == result["waiting"]
    winner = course.enrolments.get(pk=result["won"][0]).child.full_name
    html = response.content.decode()
    assert 'data-testid="lottery-names"' in html and winner in html


@pytest.mark.parametrize("who", [None, "resident", "events_staff", "other_teacher"])
def test_everyone_else_sees_only_anonymous_numbers(client, request, who, drawn):
    course, result = drawn
    if who:
        client.force_login(
            request.getfixturevalue(who).user
            if who == "other_teacher"
            else request.getfixturevalue(who)
        )
    response = _page(client, course)
    html = response.content.decode()
    assert 'data-testid="lottery-names"' not in html
    assert "抽签孩子" not in html
    assert str(result["won"][0]) in html  # the anonymous entry number is public
