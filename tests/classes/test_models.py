"""Rules on single objects: a course's age range and window, class hours, clashes, sessions."""

from datetime import date, time
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from classes import services
from classes.models import (
    WEEKDAYS,
    Attendance,
    ClassSession,
    Course,
    Enrolment,
    Subject,
    TimetableSlot,
    hours_between,
)
from tests.classes.helpers import WINDOW_CLOSES, WINDOW_OPENS, make_course


@pytest.mark.parametrize(
    ("age_min", "age_max", "field"),
    [(4, 8, "age_min"), (6, 13, "age_min"), (9, 7, "age_max")],
    ids=["below-community-minimum", "above-community-maximum", "inverted"],
)
def test_a_courses_ages_stay_within_the_communitys_range(community, term, age_min, age_max, field):
    course = Course(
        term=term,
        title="x",
        subject="lego",
        age_min=age_min,
        age_max=age_max,
        place="p",
        capacity=5,
        enrol_opens_at=WINDOW_OPENS,
        enrol_closes_at=WINDOW_CLOSES,
    )
    with pytest.raises(ValidationError) as info:
        course.clean()
    assert field in info.value.message_dict


def test_the_community_setting_moves_the_allowed_range(community, term):
    community.child_age_max = 14
    community.save()
    course = Course(
        term=term,
        title="x",
        subject="lego",
        age_min=10,
        age_max=14,
        place="p",
        capacity=5,
        enrol_opens_at=WINDOW_OPENS,
        enrol_closes_at=WINDOW_CLOSES,
    )
    course.clean()


def test_a_window_must_close_after_it_opens(community, term):
    course = Course(
        term=term,
        title="x",
        subject="lego",
        age_min=6,
        age_max=8,
        place="p",
        capacity=5,
        enrol_opens_at=WINDOW_CLOSES,
        enrol_closes_at=WINDOW_OPENS,
    )
    with pytest.raises(ValidationError) as info:
        course.clean()
    assert "enrol_closes_at" in info.value.message_dict


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [("09:00", "10:30", "1.50"), ("16:30", "18:00", "1.50"), ("14:00", "14:45", "0.75")],
    ids=["ninety-minutes", "afternoon", "three-quarters"],
)
def test_class_hours_come_from_the_duration(start, end, hours):
    assert str(hours_between(time.fromisoformat(start), time.fromisoformat(end))) == hours


def test_generating_sessions_follows_the_timetable_and_is_safe_to_repeat(term):
    course = make_course(term, slots=[(5, "09:00", "10:30"), (2, "16:00", "17:00")])
    made = services.generate_sessions(course)
    # 7 Sep – 31 Dec 2026: 16 Saturdays and 17 Wednesdays.
    assert made == 33
    assert services.generate_sessions(course) == 0
    first = course.sessions.first()
    assert (first.date, first.starts_at, first.hours) == (date(2026, 9, 9), time(16), 1)


def test_copying_a_course_to_a_new_term_copies_its_timetable(term, course):
    from classes.models import Term

    spring = Term.objects.create(
        name="2027年春季", starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 30)
    )
    copy = services.copy_course(course, spring)
    assert copy.pk != course.pk and copy.term == spring and copy.copied_from == course
    assert [str(s) for s in copy.slots.all()] == [str(s) for s in course.slots.all()]
    assert copy.enrol_opens_at > course.enrol_opens_at
    assert not copy.sessions.exists()
    with pytest.raises(services.ClassesError):
        services.copy_course(course, term)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_quick_labels_say_what_djangos_display_says(language):
    from django.utils import translation

    with translation.override(language):
        for value, _label in Subject.choices:
            course = Course(subject=value)
            assert course.subject_label == course.get_subject_display()
        for value, _label in Enrolment.Status.choices:
            enrolment = Enrolment(status=value)
            assert enrolment.status_label == enrolment.get_status_display()
        for value, _label in Attendance.Mark.choices:
            mark = Attendance(mark=value)
            assert mark.mark_label == mark.get_mark_display()
        for value, _label in WEEKDAYS:
            slot = TimetableSlot(weekday=value, starts_at=time(9), ends_at=time(10, 30))
            assert str(slot) == f"{slot.get_weekday_display()} 09:00–10:30"


def test_slots_overlap_only_on_the_same_day_at_overlapping_times():
    a = TimetableSlot(weekday=5, starts_at=time(9), ends_at=time(10, 30))
    assert a.overlaps(TimetableSlot(weekday=5, starts_at=time(10), ends_at=time(11)))
    assert not a.overlaps(TimetableSlot(weekday=5, starts_at=time(10, 30), ends_at=time(11)))
    assert not a.overlaps(TimetableSlot(weekday=4, starts_at=time(9), ends_at=time(10)))


def test_courses_in_terms_that_do_not_overlap_never_clash(term):
    from classes.models import Term

    later = Term.objects.create(name="下学期", starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 1))
    a = make_course(term)
    b = make_course(later)
    assert not a.clashes_with(b)


def test_an_uploaded_picture_gets_a_thumbnail(term, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (1600, 1200), "red").save(buffer, format="PNG")
    course = make_course(term)
    course.picture = SimpleUploadedFile("lego.png", buffer.getvalue(), content_type="image/png")
    course.save()
    with Image.open(course.thumbnail.path) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= 480


def test_admin_actions_generate_and_copy(admin_client, term, course):
    from django.urls import reverse

    from classes.models import Term

    url = reverse("admin:classes_course_changelist")
    ClassSession.objects.all().delete()
    admin_client.post(url, {"action": "generate_sessions", "_selected_action": [course.pk]})
    assert course.sessions.count() == 16
    spring = Term.objects.create(
        name="2027年春季", starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 30)
    )
    admin_client.post(
        url, {"action": "copy_to_term", "_selected_action": [course.pk], "term": spring.pk}
    )
    assert Course.objects.filter(term=spring, copied_from=course).count() == 1


@pytest.mark.parametrize(
    "model",
    [
        "teacher",
        "term",
        "course",
        "classsession",
        "enrolment",
        "attendance",
        "volunteeroffer",
        "classroomsettings",
        "feepayment",
    ],
)
def test_admin_pages_open(admin_client, now, parent, child, course, model):
    from django.urls import reverse

    from tests.classes.helpers import enrol

    e = enrol(parent, course, child)
    # The settings' changelist goes straight to their one row (portal.admin_singleton).
    changelist = reverse(f"admin:classes_{model}_changelist")
    assert admin_client.get(changelist, follow=True).status_code == 200
    if model == "enrolment":
        change = admin_client.get(reverse("admin:classes_enrolment_change", args=[e.pk]))
        assert change.status_code == 200
        assert admin_client.get(reverse("admin:classes_enrolment_add")).status_code == 403
