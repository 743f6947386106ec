"""Teachers' registers: scoping to their own courses, marks, class hours, cancel and move."""

from datetime import date, time

import pytest
import time_machine
from django.urls import reverse

from classes.models import Attendance, ClassSession
from classes.services import RegisterError, take_register
from portal.models import Notice
from tests.classes.helpers import at, enrol, make_course

ON_THE_DAY = at(2026, 9, 12, 10, 45)  # the first Saturday of term, after class


@pytest.fixture
def enrolled(now, parent, child, course):
    return enrol(parent, course, child)


@pytest.fixture
def first_session(course):
    return course.sessions.order_by("date").first()


def _post_marks(client, session, marks, notes=""):
    data = {f"mark-{pk}": mark for pk, mark in marks.items()}
    data["notes"] = notes
    return client.post(reverse("classes:register", args=[session.pk]), data)


def test_teacher_takes_the_register_and_the_hours_count(
    client, teacher_user, enrolled, first_session, course
):
    assert first_session.date == date(2026, 9, 12)
    client.force_login(teacher_user)
    with time_machine.travel(ON_THE_DAY, tick=False):
        response = _post_marks(client, first_session, {enrolled.pk: "late"}, notes="搭了一座桥")
    assert response.status_code == 302
    first_session.refresh_from_db()
    assert first_session.status == ClassSession.Status.HELD
    assert first_session.notes == "搭了一座桥"
    mark = Attendance.objects.get()
    assert (mark.enrolment, mark.mark, mark.marked_by) == (enrolled, "late", teacher_user)
    assert course.sessions.total_hours() == first_session.hours == 1.5


def test_a_teacher_cannot_open_another_teachers_course_or_register(
    client, other_teacher, first_session, course
):
    client.force_login(other_teacher.user)
    assert client.get(reverse("classes:roster", args=[course.pk])).status_code == 404
    assert client.get(reverse("classes:register", args=[first_session.pk])).status_code == 404
    with time_machine.travel(ON_THE_DAY, tick=False):
        assert _post_marks(client, first_session, {}).status_code == 404
    first_session.refresh_from_db()
    assert first_session.status == ClassSession.Status.SCHEDULED


def test_a_parent_cannot_open_teaching_pages(client, parent, first_session, course):
    client.force_login(parent)
    assert client.get(reverse("classes:teach")).status_code == 403
    assert client.get(reverse("classes:roster", args=[course.pk])).status_code == 403
    assert client.get(reverse("classes:register", args=[first_session.pk])).status_code == 403


def test_teach_page_lists_only_my_courses(client, teacher_user, other_teacher, course, term):
    make_course(term, title="别人的书法", teacher=other_teacher)
    client.force_login(teacher_user)
    page = client.get(reverse("classes:teach")).content.decode()
    assert "乐高搭建" in page and "别人的书法" not in page


def test_classes_staff_see_every_course(client, classes_staff, course, first_session):
    client.force_login(classes_staff)
    assert client.get(reverse("classes:roster", args=[course.pk])).status_code == 200
    assert client.get(reverse("classes:register", args=[first_session.pk])).status_code == 200


def test_attendance_for_a_child_not_enrolled_is_refused(
    teacher_user, enrolled, first_session, course, term, resident
):
    with time_machine.travel(ON_THE_DAY, tick=False):
        with pytest.raises(RegisterError, match="名额已确认"):
            take_register(
                first_session,
                {enrolled.pk: ("present", ""), 99999: ("present", "")},
                by=teacher_user,
            )
    assert not Attendance.objects.exists()
    first_session.refresh_from_db()
    assert first_session.status == ClassSession.Status.SCHEDULED


def test_the_register_must_mark_every_child(client, teacher_user, enrolled, first_session):
    client.force_login(teacher_user)
    with time_machine.travel(ON_THE_DAY, tick=False):
        response = _post_marks(client, first_session, {})
    assert response.status_code == 200
    assert "张小明" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_register_cannot_be_taken_before_the_day(teacher_user, enrolled, first_session):
    with pytest.raises(RegisterError, match="上课当天"):
        take_register(first_session, {enrolled.pk: ("present", "")}, by=teacher_user)


def test_an_unknown_mark_is_refused(teacher_user, enrolled, first_session):
    with time_machine.travel(ON_THE_DAY, tick=False):
        with pytest.raises(RegisterError):
            take_register(first_session, {enrolled.pk: ("asleep", "")}, by=teacher_user)
    assert not Attendance.objects.exists()


def test_retaking_the_register_corrects_marks(teacher_user, enrolled, first_session):
    with time_machine.travel(ON_THE_DAY, tick=False):
        take_register(first_session, {enrolled.pk: ("absent", "")}, by=teacher_user)
        take_register(first_session, {enrolled.pk: ("excused", "生病")}, by=teacher_user)
    mark = Attendance.objects.get()
    assert (mark.mark, mark.note) == ("excused", "生病")


def test_cancelling_a_session_tells_the_parents(client, teacher_user, enrolled, first_session):
    client.force_login(teacher_user)
    response = client.post(
        reverse("classes:session-cancel", args=[first_session.pk]), {"reason": "老师生病"}
    )
    assert response.status_code == 302
    first_session.refresh_from_db()
    assert first_session.status == ClassSession.Status.CANCELLED
    notice = Notice.objects.get()
    assert notice.kind == Notice.Kind.CANCELLED and "老师生病" in notice.text
    assert notice.recipient == enrolled.enrolled_by
    assert notice.url == enrolled.course.get_absolute_url()


def test_a_cancelled_session_takes_no_register(teacher_user, enrolled, first_session):
    from classes.services import cancel_session

    cancel_session(first_session, reason="下雨")
    with time_machine.travel(ON_THE_DAY, tick=False):
        with pytest.raises(RegisterError, match="已取消"):
            take_register(first_session, {enrolled.pk: ("present", "")}, by=teacher_user)


def test_moving_a_session_tells_the_parents(client, teacher_user, enrolled, first_session):
    client.force_login(teacher_user)
    response = client.post(
        reverse("classes:session-move", args=[first_session.pk]),
        {"day": "2026-09-13", "starts_at": "14:00", "ends_at": "15:30", "place": "二楼教室"},
    )
    assert response.status_code == 302
    first_session.refresh_from_db()
    assert (first_session.date, first_session.starts_at) == (date(2026, 9, 13), time(14, 0))
    assert first_session.place == "二楼教室" and first_session.moved_from
    assert "二楼教室" in Notice.objects.get(kind=Notice.Kind.TIME_CHANGED).text


def test_a_move_with_bad_times_is_refused(client, teacher_user, enrolled, first_session):
    client.force_login(teacher_user)
    client.post(
        reverse("classes:session-move", args=[first_session.pk]),
        {"day": "2026-09-13", "starts_at": "15:00", "ends_at": "14:00"},
    )
    first_session.refresh_from_db()
    assert first_session.date == date(2026, 9, 12)
    assert not Notice.objects.exists()


def test_the_register_runs_a_fixed_number_of_queries(
    client, classes_staff, now, course, first_session, django_assert_max_num_queries
):
    from tests.factories import make_child, make_user

    course.capacity = 40
    course.save(update_fields=["capacity"])
    for i in range(30):
        p = make_user(f"家长{i}")
        enrol(p, course, make_child(p, name=f"孩子{i:02d}", birth_date=date(2018, 1, 1)))
    client.force_login(classes_staff)
    with time_machine.travel(ON_THE_DAY, tick=False), django_assert_max_num_queries(12):
        response = client.get(reverse("classes:register", args=[first_session.pk]))
    assert response.content.decode().count('data-testid="register-row"') == 30


def test_teach_and_roster_pages_run_a_fixed_number_of_queries(
    client, teacher_user, teacher, term, now, django_assert_max_num_queries
):
    from tests.factories import make_child, make_user

    courses = [
        make_course(term, teacher=teacher, slots=[(i % 7, "09:00", "10:00")], sessions=True)
        for i in range(25)
    ]
    for i in range(20):
        p = make_user(f"家长{i}")
        enrol(p, courses[0], make_child(p, name=f"孩子{i}", birth_date=date(2018, 1, 1)))
    client.force_login(teacher_user)
    with time_machine.travel(ON_THE_DAY, tick=False), django_assert_max_num_queries(12):
        response = client.get(reverse("classes:teach"))
    assert len(response.context["courses"]) == 25
    with django_assert_max_num_queries(12):
        response = client.get(reverse("classes:roster", args=[courses[0].pk]))
    assert len(response.context["enrolled"]) == 10 and len(response.context["waiting"]) == 10


def test_another_teacher_cannot_cancel_or_move_my_sessions(client, other_teacher, first_session):
    client.force_login(other_teacher.user)
    cancel = reverse("classes:session-cancel", args=[first_session.pk])
    move = reverse("classes:session-move", args=[first_session.pk])
    assert client.post(cancel, {"reason": "x"}).status_code == 404
    assert (
        client.post(
            move, {"day": "2026-09-13", "starts_at": "14:00", "ends_at": "15:00"}
        ).status_code
        == 404
    )
    assert client.get(cancel).status_code == 405
    first_session.refresh_from_db()
    assert first_session.status == ClassSession.Status.SCHEDULED
    assert first_session.date == date(2026, 9, 12)
    assert not Notice.objects.exists()


def test_a_posted_mark_for_a_child_not_enrolled_is_refused(
    client, teacher_user, enrolled, first_session, course, resident
):
    from tests.factories import make_child

    stranger = make_child(resident, name="别家孩子", birth_date=date(2018, 1, 1))
    other_course = make_course(course.term, slots=[(1, "09:00", "10:00")])
    theirs = enrol(resident, other_course, stranger)
    client.force_login(teacher_user)
    with time_machine.travel(ON_THE_DAY, tick=False):
        response = _post_marks(
            client, first_session, {enrolled.pk: "present", theirs.pk: "present"}
        )
    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_a_cancellation_is_mailed_to_parents_with_an_email(
    teacher_user, now, course, django_capture_on_commit_callbacks
):
    from django.core import mail

    from classes.services import cancel_session
    from tests.factories import make_child, make_user

    with_mail = make_user("王妈妈", email="wang@example.com")
    without = make_user("李爸爸")
    enrol(with_mail, course, make_child(with_mail, name="王娃", birth_date=date(2018, 1, 1)))
    enrol(without, course, make_child(without, name="李娃", birth_date=date(2018, 1, 1)))
    session = course.sessions.first()
    with django_capture_on_commit_callbacks(execute=True):
        told = cancel_session(session, reason="停电")
    assert told == 2 and Notice.objects.count() == 2
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    assert "停电" in mail.outbox[0].body


def test_the_calendar_marks_a_cancelled_session(client, parent, child, enrolled, first_session):
    from classes.services import cancel_session, reset_calendar_token

    cancel_session(first_session, reason="下雨")
    token = reset_calendar_token(parent).token
    body = client.get(reverse("classes:calendar", args=[token])).content.decode()
    assert "STATUS:CANCELLED" in body


def test_parents_read_a_cancellation_in_their_own_language(
    teacher_user, now, course, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.utils import translation

    from classes.services import cancel_session
    from tests.factories import make_child, make_user

    english = make_user("Mrs Wang", email="wang@example.com")
    english.language = "en"
    english.save(update_fields=["language"])
    chinese = make_user("李爸爸", email="li@example.com")
    enrol(english, course, make_child(english, name="王娃", birth_date=date(2018, 1, 1)))
    enrol(chinese, course, make_child(chinese, name="李娃", birth_date=date(2018, 1, 1)))
    session = course.sessions.order_by("date").first()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        cancel_session(session, reason="停电")  # a teacher reading English does not matter

    sent = {m.to[0]: m for m in mail.outbox}
    assert sent["wang@example.com"].subject == f"Neighbour Classroom: {course.title}"
    assert sent["wang@example.com"].body == (
        f"{course.title} on 09/12/2026 09:00–10:30 is cancelled. 停电"
    )
    assert sent["li@example.com"].subject == f"睦邻课堂：{course.title}"
    assert sent["li@example.com"].body.startswith(f"“{course.title}”2026年9月12日 09:00")
    assert Notice.objects.get(recipient=english).text.endswith("is cancelled. 停电")
    assert Notice.objects.get(recipient=chinese).text.endswith("的课取消了。停电")


def test_without_the_enrolling_account_the_households_account_holder_is_told(
    teacher_user, now, course, django_capture_on_commit_callbacks
):
    from django.core import mail

    from classes.services import cancel_session
    from tests.factories import make_child, make_user

    mum = make_user("Mrs Wang", email="wang@example.com")
    mum.language = "en"
    mum.save(update_fields=["language"])
    enrolment = enrol(mum, course, make_child(mum, name="王娃", birth_date=date(2018, 1, 1)))
    enrolment.enrolled_by = None
    enrolment.save(update_fields=["enrolled_by"])
    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(course.sessions.order_by("date").first(), reason="停电")

    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    assert mail.outbox[0].subject.startswith("Neighbour Classroom: ")
    assert Notice.objects.get().text.endswith("is cancelled. 停电")


def _session_form(session, **changes):
    return {
        "course": session.course_id,
        "date": session.date.isoformat(),
        "starts_at": session.starts_at.strftime("%H:%M"),
        "ends_at": session.ends_at.strftime("%H:%M"),
        "place": session.place,
        "notes": session.notes,
        **changes,
    }


def test_moving_a_session_in_the_admin_tells_the_parents_too(
    client, classes_staff, enrolled, first_session
):
    client.force_login(classes_staff)
    url = reverse("admin:classes_classsession_change", args=[first_session.pk])
    response = client.post(url, _session_form(first_session, notes="带上彩笔"))
    assert response.status_code == 302
    assert not Notice.objects.exists()  # a note is not a move
    first_session.refresh_from_db()

    response = client.post(
        url, _session_form(first_session, date="2026-09-13", starts_at="14:00", ends_at="15:30")
    )
    assert response.status_code == 302
    first_session.refresh_from_db()
    assert (first_session.date, first_session.starts_at) == (date(2026, 9, 13), time(14, 0))
    assert first_session.moved_from and first_session.notes == "带上彩笔"
    notice = Notice.objects.get(kind=Notice.Kind.TIME_CHANGED)
    assert notice.recipient == enrolled.enrolled_by and "9月13日" in notice.text


def test_the_admin_refuses_a_move_the_register_page_would_refuse(
    client, classes_staff, enrolled, first_session
):
    client.force_login(classes_staff)
    url = reverse("admin:classes_classsession_change", args=[first_session.pk])
    response = client.post(
        url, _session_form(first_session, starts_at="15:00", ends_at="14:00", notes="改")
    )
    assert response.status_code == 200
    assert "下课时间必须晚于上课时间" in response.content.decode()
    response = client.post(url, _session_form(first_session, date="2026-01-01"))
    assert response.status_code == 200
    assert "不能把课次调整到过去的日期" in response.content.decode()
    first_session.refresh_from_db()
    assert first_session.date == date(2026, 9, 12) and first_session.notes == ""
    assert not Notice.objects.exists()


def test_a_register_taken_after_the_admins_check_leaves_the_session_as_it_was(
    client, classes_staff, teacher_user, enrolled, first_session, monkeypatch
):
    """The form's check passed, then the register was taken before the save: the move is
    refused, and the rest of the admin's save stands down (no success, no log entry)."""
    from django.contrib.admin.models import LogEntry

    from classes.admin import ClassSessionAdminForm

    with time_machine.travel(ON_THE_DAY, tick=False):
        take_register(first_session, {enrolled.pk: ("present", "")}, by=teacher_user)
    monkeypatch.setattr(ClassSessionAdminForm, "clean", lambda form: form.cleaned_data)  # race
    client.force_login(classes_staff)
    url = reverse("admin:classes_classsession_change", args=[first_session.pk])

    response = client.post(
        url, _session_form(first_session, date="2026-09-13", notes="改"), follow=True
    )

    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "什么都没有保存" in page or "Nothing was saved" in page
    assert "成功" not in page and "changed successfully" not in page
    first_session.refresh_from_db()
    assert first_session.date == date(2026, 9, 12) and first_session.notes == ""
    assert not LogEntry.objects.filter(object_id=str(first_session.pk)).exists()
    assert not Notice.objects.filter(kind=Notice.Kind.TIME_CHANGED).exists()


def test_marks_are_shown_in_the_admin_and_written_only_by_the_register(
    client, classes_staff, teacher_user, enrolled, first_session
):
    """A mark made in the admin could name anyone as its marker, or a child not in the course."""
    with time_machine.travel(ON_THE_DAY, tick=False):
        take_register(first_session, {enrolled.pk: ("present", "")}, by=teacher_user)
    mark = Attendance.objects.get()
    client.force_login(classes_staff)
    assert client.get(reverse("admin:classes_attendance_changelist")).status_code == 200
    page = client.get(reverse("admin:classes_attendance_change", args=[mark.pk]))
    assert page.status_code == 200 and 'name="mark"' not in page.content.decode()
    assert client.get(reverse("admin:classes_attendance_add")).status_code == 403
    client.post(
        reverse("admin:classes_attendance_change", args=[mark.pk]),
        {"mark": "absent", "marked_by": classes_staff.pk},
    )
    assert (
        client.post(reverse("admin:classes_attendance_delete", args=[mark.pk])).status_code == 403
    )
    mark.refresh_from_db()
    assert (mark.mark, mark.marked_by) == ("present", teacher_user)


@pytest.mark.django_db(transaction=True)
def test_a_session_is_moved_in_a_transaction_of_its_own(enrolled, first_session):
    """Called outside any transaction (the register page runs in autocommit), the move still
    locks the session: on PostgreSQL a row lock outside a transaction is an error."""
    from classes.services import move_session

    told = move_session(first_session, day=date(2026, 9, 13), starts_at=time(14), ends_at=time(15))
    first_session.refresh_from_db()
    assert told == 1 and first_session.date == date(2026, 9, 13)
