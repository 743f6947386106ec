"""Refusals before effort: the course page and the enrolment form ask `can_enrol` first.

A child who is too young or too old, already enrolled, or busy at the same time is not offered
the enrol button; the reason stands where the button would be. The service asks the same
function under its lock (one source of the rules), and the pages ask it for every child in a
fixed number of queries.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classes import services
from classes.models import Enrolment
from tests.classes.helpers import enrol, make_course
from tests.factories import make_child

pytestmark = pytest.mark.django_db


def _page(client, parent, course, name="classes:course"):
    client.force_login(parent)
    response = client.get(reverse(name, args=[course.pk]))
    assert response.status_code == 200
    return response


def test_a_child_too_young_is_not_offered_the_button_and_sees_why(client, now, parent, child, term):
    older = make_course(term, title="编程入门", age_min=10, age_max=12)
    reason = services.can_enrol(parent, older, child)
    assert reason and "张小明" in reason
    html = _page(client, parent, older).content.decode()
    assert 'data-testid="enrol-link"' not in html
    assert 'data-testid="enrol-refusal"' in html and "张小明" in html
    # The form does not offer the child either, and shows the same reason.
    response = _page(client, parent, older, "classes:enrol")
    assert response.context["form"].fields["child"].choices == []
    assert '<form method="post" novalidate' not in response.content.decode()
    assert reason in response.content.decode().replace("&#x27;", "'")
    # Asking changed nothing.
    assert not Enrolment.objects.exists()


def test_an_enrolled_child_gets_no_second_button(client, now, parent, child, course):
    enrol(parent, course, child)
    assert "already" in services.can_enrol(parent, course, child) or "已" in services.can_enrol(
        parent, course, child
    )
    html = _page(client, parent, course).content.decode()
    assert 'data-testid="enrol-link"' not in html
    # Its status is shown instead (not the refusal as well).
    assert 'data-testid="enrol-refusal"' not in html


def test_a_clash_is_shown_before_the_form(client, now, parent, child, term, course):
    enrol(parent, course, child)
    same_time = make_course(term, title="同一时间")
    reason = services.can_enrol(parent, same_time, child)
    assert course.title in reason
    html = _page(client, parent, same_time).content.decode()
    assert 'data-testid="enrol-link"' not in html and course.title in html


def test_a_child_who_may_enrol_is_offered_the_button(client, now, parent, child, term, course):
    too_old = make_child(parent, name="张大明", birth_date=date(2012, 1, 1))
    html = _page(client, parent, course).content.decode()
    assert 'data-testid="enrol-link"' in html
    assert "张大明" in html  # why the elder one cannot
    choices = _page(client, parent, course, "classes:enrol").context["form"].fields["child"]
    assert [pk for pk, _name in choices.choices] == [child.pk]
    assert too_old.pk not in [pk for pk, _name in choices.choices]


def test_the_service_refuses_with_the_very_same_reason(now, parent, child, term):
    older = make_course(term, age_min=10, age_max=12)
    reason = services.can_enrol(parent, older, child)
    with pytest.raises(services.EnrolmentError) as refused:
        enrol(parent, older, child)
    assert str(refused.value) == reason


def _grow(parent, term, n_children, n_courses):
    """A household of `n_children` each with `n_courses` active enrolments."""
    courses = [
        make_course(term, slots=((1 + i % 5, f"{8 + i % 10:02d}:00", f"{8 + i % 10:02d}:30"),))
        for i in range(n_courses)
    ]
    for i in range(n_children):
        kid = make_child(parent, name=f"孩子{i}", birth_date=date(2017, 1, 1 + i % 28))
        for c in courses:
            Enrolment.objects.create(
                course=c, child=kid, enrolled_by=parent, status=Enrolment.Status.ENROLLED
            )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_ask_for_every_child_in_a_fixed_number_of_queries(
    client, now, parent, child, term, course
):
    client.force_login(parent)
    target = make_course(term, title="目标课程", slots=((6, "09:00", "10:00"),))
    _grow(parent, term, 2, 2)
    detail = reverse("classes:course", args=[target.pk])
    form = reverse("classes:enrol", args=[target.pk])
    _count(client, detail)  # the first request also loads the session and warms the caches
    small = (_count(client, detail), _count(client, form))
    _grow(parent, term, 20, 20)  # ten times the children, ten times the courses
    assert (_count(client, detail), _count(client, form)) == small
