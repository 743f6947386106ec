"""The admin is no side door: a course's places and a session's status change through the
services, which promote the waiting list and tell the parents."""

from datetime import date

import pytest
from django.contrib import admin
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from classes import services
from classes.admin import ClassSessionAdmin
from classes.models import ClassSession
from portal.models import Notice
from tests.classes.helpers import at, enrol, make_course
from tests.factories import make_child, make_user

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def staff(client, classes_staff):
    client.force_login(classes_staff)
    client.cookies["portal_language"] = "en"
    return client


def _course_form(course, **changes):
    """The admin's change form of `course` as the browser sends it, with `changes`."""
    opens, closes = course.enrol_opens_at.astimezone(), course.enrol_closes_at.astimezone()
    data = {
        "term": course.term_id,
        "title": course.title,
        "subject": course.subject,
        "age_min": course.age_min,
        "age_max": course.age_max,
        "place": course.place,
        "capacity": course.capacity,
        "enrol_opens_at_0": opens.strftime("%Y-%m-%d"),
        "enrol_opens_at_1": opens.strftime("%H:%M"),
        "enrol_closes_at_0": closes.strftime("%Y-%m-%d"),
        "enrol_closes_at_1": closes.strftime("%H:%M"),
        "mode": course.mode,
        "fee": str(course.fee),
        "needs_photo_consent": "on",
        "is_published": "on",
        "slots-TOTAL_FORMS": "0",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
    }
    return data | changes


def _families(course, count):
    """`count` parents, each enrolling one child in `course`, in this order."""
    parents = [make_user(f"家长{i}", email=f"p{i}@example.com") for i in range(count)]
    enrolments = [
        enrol(p, course, make_child(p, name=f"孩子{i}", birth_date=date(2018, 1, 1)))
        for i, p in enumerate(parents)
    ]
    return parents, enrolments


def test_raising_the_places_in_the_admin_promotes_the_waiting_list_in_order(
    staff, term, django_capture_on_commit_callbacks
):
    course = make_course(term, capacity=1)
    parents, enrolments = _families(course, 4)
    assert [e.status for e in enrolments] == ["enrolled", "waitlisted", "waitlisted", "waitlisted"]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:classes_course_change", args=[course.pk]),
            _course_form(course, capacity=3),
            follow=True,
        )

    assert response.redirect_chain  # saved
    course.refresh_from_db()
    assert course.capacity == 3
    for e in enrolments:
        e.refresh_from_db()
    assert [e.status for e in enrolments] == ["enrolled", "enrolled", "enrolled", "waitlisted"]
    promoted = Notice.objects.filter(kind=Notice.Kind.PROMOTED)
    assert set(promoted.values_list("recipient", flat=True)) == {parents[1].pk, parents[2].pk}
    assert "孩子1" in promoted.get(recipient=parents[1]).text
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@example.com", "p2@example.com"]
    assert "2 children on the waiting list got a place" in response.content.decode()


def test_the_admin_refuses_fewer_places_than_children_enrolled(staff, term):
    course = make_course(term, capacity=3)
    _families(course, 2)

    response = staff.post(
        reverse("admin:classes_course_change", args=[course.pk]), _course_form(course, capacity=1)
    )

    assert response.status_code == 200
    assert "2 children are enrolled" in response.content.decode()
    course.refresh_from_db()
    assert course.capacity == 3
    with pytest.raises(services.ClassesError, match="已有 2 名孩子报名"):
        services.set_capacity(course, 1)


def test_a_family_waiting_together_in_a_lottery_course_is_placed_together(term, time_machine):
    course = make_course(term, capacity=1, mode="lottery")
    single = make_user("单家长")
    parent = make_user("双家长")
    enrol(single, course, make_child(single, name="独生", birth_date=date(2018, 1, 1)))
    for name in ("哥哥", "妹妹"):
        enrol(parent, course, make_child(parent, name=name, birth_date=date(2018, 1, 1)))
    time_machine.move_to(at(2026, 9, 6, 21, 0), tick=False)  # the window has closed
    services.run_lottery(course)
    waiting = list(course.enrolments.waiting_order())

    promoted = services.set_capacity(course, 3)

    assert {e.pk for e in promoted} == {e.pk for e in waiting}
    assert course.enrolments.enrolled().count() == 3


def test_a_sessions_status_is_read_only_in_the_admin(classes_staff, course):
    session = course.sessions.first()
    request = RequestFactory().get("/admin/")
    request.user = classes_staff
    readonly = ClassSessionAdmin(ClassSession, admin.site).get_readonly_fields(request, session)
    assert "status" in readonly  # cancelled on the register page, which tells the parents


def test_the_way_places_are_given_stays_once_children_are_in_it(staff, term):
    """Switching a course with children in it from first come to lottery (or back) would leave
    them in states the other way does not have."""
    course = make_course(term, capacity=1)
    url = reverse("admin:classes_course_change", args=[course.pk])
    _families(course, 2)  # one place, one waiting

    response = staff.post(url, _course_form(course, mode="lottery"))
    assert response.status_code == 200
    assert "2 children are already enrolled, waiting or in the lottery" in response.content.decode()
    course.refresh_from_db()
    assert course.mode == "fcfs"

    empty = make_course(term, title="书法", capacity=5)
    response = staff.post(
        reverse("admin:classes_course_change", args=[empty.pk]), _course_form(empty, mode="lottery")
    )
    assert response.status_code == 302
    empty.refresh_from_db()
    assert empty.mode == "lottery"
