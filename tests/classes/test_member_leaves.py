"""A child who leaves the household keeps its class history: the class-hour figures never drop."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from classes import stats
from classes.access import my_children
from classes.models import Attendance, Enrolment
from classes.services import EnrolmentError, take_register
from portal.models import HouseholdMember
from tests.classes.helpers import at, enrol, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_month_of_classes(now, term, teacher, institution, parent, child, teacher_user):
    """The child attended every Saturday of September; the term runs until December."""
    lego = make_course(term, title="乐高", teacher=teacher, institution=institution, sessions=True)
    enrolment = enrol(parent, lego, child)
    with time_machine.travel(at(2026, 9, 30, 12, 0), tick=False):
        for session in lego.sessions.filter(date__lte=date(2026, 9, 30)):
            take_register(session, {enrolment.pk: ("present", "")}, by=teacher_user)
    return lego, enrolment


def test_removing_a_child_with_a_term_of_attendance_keeps_the_class_hour_figures(
    client, parent, child, a_month_of_classes
):
    lego, enrolment = a_month_of_classes
    before_totals = stats._totals()
    before_rows = stats.rows("course")
    marks = Attendance.objects.filter(enrolment=enrolment).count()
    assert before_totals["children"] == 1 and marks == 3

    with time_machine.travel(at(2026, 10, 8, 9, 0), tick=False):
        client.force_login(parent)
        response = client.post(reverse("household-member-remove", args=[child.pk]))

    assert response.status_code == 302 and response.url == reverse("household")
    assert stats._totals() == before_totals
    assert stats.rows("course") == before_rows
    assert Attendance.objects.filter(enrolment=enrolment).count() == marks
    child.refresh_from_db()
    assert child.left_on == date(2026, 10, 8)
    assert child.left_recorded_by == parent
    # The running term's place is given up (for the next child waiting); the record stays.
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_a_child_who_left_is_not_offered_for_enrolment_any_more(
    client, now, parent, child, term, course
):
    client.force_login(parent)
    client.post(reverse("household-member-remove", args=[child.pk]), follow=True)

    assert child not in my_children(parent)
    page = client.get(reverse("classes:enrol", args=[course.pk])).content.decode()
    assert child.name not in page
    # Posting the child's id anyway is refused by the service, not only hidden by the form.
    child.refresh_from_db()
    with pytest.raises(EnrolmentError):
        enrol(parent, course, child)
    assert not Enrolment.objects.filter(child=child).exists()


def test_a_child_with_attendance_cannot_be_deleted_by_cascade(a_month_of_classes, child):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        HouseholdMember.objects.filter(pk=child.pk).delete()
    assert Attendance.objects.filter(enrolment__child=child).count() == 3
