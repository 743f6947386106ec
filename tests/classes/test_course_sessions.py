"""New courses come with their sessions; a timetable change offers to regenerate future ones.

Sessions were made only by a hidden admin action, so a new course showed teachers and parents
no timetable at all.
"""

from datetime import date, time

import pytest
from django.urls import reverse

from classes import services
from classes.models import Attendance, ClassSession, Course, TimetableSlot
from tests.classes.helpers import enrol, make_course

# The autumn term runs from Monday 7 September to 31 December 2026: 16 Saturdays.
SATURDAYS = 16


@pytest.fixture
def staff(client, classes_staff):
    client.force_login(classes_staff)
    client.cookies["portal_language"] = "en"
    return client


def course_data(term, **slots):
    data = {
        "term": term.pk,
        "title": "乐高机器人",
        "subject": "lego",
        "age_min": "6",
        "age_max": "10",
        "place": "社区活动室",
        "capacity": "12",
        "enrol_opens_at_0": "2026-08-25",
        "enrol_opens_at_1": "09:00",
        "enrol_closes_at_0": "2026-09-06",
        "enrol_closes_at_1": "20:00",
        "mode": "fcfs",
        "fee": "0.00",
        "needs_photo_consent": "on",
        "is_published": "on",
        "slots-TOTAL_FORMS": "0",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
    }
    data.update(slots)
    return data


def slot_rows(*rows, initial=()):
    """Inline rows (weekday, start, end[, id]) of the course's weekly timetable."""
    data = {"slots-TOTAL_FORMS": str(len(rows)), "slots-INITIAL_FORMS": str(len(initial))}
    for i, row in enumerate(rows):
        weekday, start, end = row[:3]
        data |= {
            f"slots-{i}-weekday": str(weekday),
            f"slots-{i}-starts_at": start,
            f"slots-{i}-ends_at": end,
        }
        if len(row) > 3:
            data[f"slots-{i}-id"] = str(row[3])
    return data


def test_a_course_added_in_the_admin_gets_its_terms_sessions(staff, term, now):
    response = staff.post(
        reverse("admin:classes_course_add"),
        course_data(term, **slot_rows((5, "09:00", "10:30"))),
    )
    assert response.status_code == 302
    course = Course.objects.get(title="乐高机器人")
    sessions = list(course.sessions.all())
    assert len(sessions) == SATURDAYS
    assert sessions[0].date == date(2026, 9, 12) and sessions[0].starts_at == time(9)
    assert all(s.date.weekday() == 5 for s in sessions)
    page = staff.get(reverse("admin:classes_course_changelist"))
    assert "16 sessions created" in page.content.decode()


def test_a_course_saved_without_a_timetable_gets_sessions_once_it_has_one(staff, term, now):
    staff.post(reverse("admin:classes_course_add"), course_data(term))
    course = Course.objects.get()
    assert not course.sessions.exists()
    change = reverse("admin:classes_course_change", args=[course.pk])
    staff.post(change, course_data(term, **slot_rows((2, "16:00", "17:00"))))
    assert course.sessions.count() == 17  # Wednesdays 9 Sep … 30 Dec


def test_a_changed_timetable_offers_to_regenerate_future_sessions(
    staff, term, teacher, time_machine
):
    from tests.classes.helpers import at

    course = make_course(term, teacher=teacher, sessions=True)  # Saturdays 09:00–10:30
    slot = course.slots.get()
    time_machine.move_to(at(2026, 10, 1, 10, 0), tick=False)
    change = reverse("admin:classes_course_change", args=[course.pk])
    data = course_data(term, **slot_rows((6, "09:00", "10:30", slot.pk), initial=[slot]))
    data |= {"title": course.title, "slots-0-course": str(course.pk)}
    response = staff.post(change, data, follow=True)
    html = response.content.decode()
    regenerate = reverse("admin:classes_course_regenerate", args=[course.pk])
    assert regenerate in html
    # Nothing moves until staff confirm.
    assert course.sessions.filter(date__week_day=7).count() == SATURDAYS


def test_regenerating_keeps_past_sessions_and_those_with_attendance(
    staff, term, teacher, parent, child, now, time_machine
):
    from tests.classes.helpers import at

    course = make_course(term, teacher=teacher, sessions=True)
    enrolment = enrol(parent, course, child)
    with_register = course.sessions.filter(date=date(2026, 10, 17)).get()
    Attendance.objects.create(session=with_register, enrolment=enrolment, mark="present")
    time_machine.move_to(at(2026, 10, 1, 10, 0), tick=False)
    TimetableSlot.objects.filter(course=course).update(weekday=6)  # Saturdays → Sundays

    url = reverse("admin:classes_course_regenerate", args=[course.pk])
    preview = staff.get(url)
    assert preview.status_code == 200
    assert preview.context["preview"] == {"removed": 12, "kept": 1, "created": 13}
    assert course.sessions.count() == SATURDAYS  # GET changes nothing

    response = staff.post(url)
    assert response.status_code == 302
    past = course.sessions.filter(date__lte=date(2026, 10, 1))
    assert past.count() == 3 and all(s.date.weekday() == 5 for s in past)
    assert ClassSession.objects.filter(pk=with_register.pk).exists()
    future = course.sessions.filter(date__gt=date(2026, 10, 1)).exclude(pk=with_register.pk)
    assert future.count() == 13 and all(s.date.weekday() == 6 for s in future)
    again = services.regenerate_future_sessions(course, today=date(2026, 10, 1))
    assert again == {"removed": 0, "kept": 1, "created": 0}  # safe to run twice


def test_only_classes_staff_may_regenerate(client, resident, events_staff, term, teacher, now):
    course = make_course(term, teacher=teacher, sessions=True)
    url = reverse("admin:classes_course_regenerate", args=[course.pk])
    client.force_login(events_staff)
    assert client.post(url).status_code in (302, 403)
    client.force_login(resident)
    assert client.post(url).status_code == 302  # to the log-in page
    assert course.sessions.count() == SATURDAYS


def test_a_course_copied_to_another_term_comes_with_its_sessions(staff, term, teacher, now):
    from classes.models import Term

    course = make_course(term, teacher=teacher, sessions=True)
    spring = Term.objects.create(
        name="2027年春季", starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 30)
    )
    staff.post(
        reverse("admin:classes_course_changelist"),
        {"action": "copy_to_term", "_selected_action": [course.pk], "term": spring.pk},
    )
    copy = Course.objects.get(term=spring)
    assert copy.sessions.count() == 17  # Saturdays 6 Mar … 26 Jun 2027
