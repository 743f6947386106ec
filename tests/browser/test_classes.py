"""The Neighbour Classroom on a phone: a parent enrols a child (a too-young sibling is refused),
sees the class in My children's classes; the teacher takes the register; the hours go up."""

import re
from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from classes import services
from classes.models import Attendance, ClassSession, Course, Teacher, Term, TimetableSlot
from portal import roles
from tests.browser.helpers import log_in
from tests.factories import make_child, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lego_today(db):
    """A course meeting today (whatever the day) and weekly after; enrolment open."""
    today = timezone.localdate()
    now = timezone.now()
    term = Term.objects.create(name="本学期", starts_on=today, ends_on=today + timedelta(days=60))
    teacher_user = make_user("林老师", role_list=[roles.RESIDENT])
    teacher = Teacher.objects.create(name="林老师", user=teacher_user)
    course = Course.objects.create(
        term=term,
        title="乐高创意搭建",
        subject="lego",
        age_min=5,
        age_max=12,
        capacity=10,
        place="睦邻课堂活动室",
        teacher=teacher,
        enrol_opens_at=now - timedelta(days=1),
        enrol_closes_at=now + timedelta(days=7),
    )
    TimetableSlot.objects.create(
        course=course, weekday=today.weekday(), starts_at=time(0, 0), ends_at=time(1, 30)
    )
    services.generate_sessions(course)
    return course


def test_parent_enrols_child_and_teacher_takes_the_register(page, parent_with_children, lego_today):
    parent, child, little = parent_with_children
    course = lego_today
    log_in(page, parent, next_url="/classes/")

    page.get_by_role("link", name="乐高创意搭建").click()
    expect(page.get_by_test_id("course-hours")).to_have_text("0")
    page.get_by_test_id("enrol-link").click()

    # The too-young sibling is not offered (refusal before effort): the reason stands above
    # the form, and nothing is saved.
    expect(page.get_by_test_id("enrol-refusal")).to_contain_text("小妹")
    expect(page.locator("select[name=child] option", has_text="小妹")).to_have_count(0)
    assert not course.enrolments.exists()

    # The older child gets a place and appears in My children's classes.
    page.select_option("select[name=child]", label="张小明")
    page.locator("input[name=photo_consent][value=yes]").check()
    page.fill("input[name=pickup_people]", "张妈妈（母亲）")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/classes/mine/$"))
    enrolment = course.enrolments.get()
    assert enrolment.child == child and enrolment.status == "enrolled"
    expect(page.get_by_test_id("my-enrolment")).to_contain_text("张小明")
    expect(page.get_by_test_id("my-enrolment")).to_contain_text("乐高创意搭建")
    expect(page.get_by_test_id("my-session").first).to_contain_text("张小明")

    # The teacher, on their phone, marks 张小明 present.
    page.context.clear_cookies()
    log_in(page, course.teacher.user, next_url="/classes/teach/")
    page.get_by_test_id("register-link").first.click()
    page.locator(f"label[for=m{enrolment.pk}-present]").click()
    page.fill("#session-notes", "今天搭了一座桥")
    page.get_by_test_id("save-register").click()
    expect(page.get_by_test_id("session-status")).to_have_text(re.compile(r"held|已上课"))

    assert Attendance.objects.get().mark == "present"
    session = ClassSession.objects.get(date=timezone.localdate())
    assert session.status == "held"
    page.goto(course.get_absolute_url())
    expect(page.get_by_test_id("course-hours")).to_have_text("1.50")


@pytest.fixture
def parent_with_children(db):
    parent = make_user("张妈妈")
    child = make_child(parent, name="张小明", birth_date=date(2018, 9, 1))
    little = make_child(
        parent, name="小妹", birth_date=timezone.localdate() - timedelta(days=3 * 365)
    )
    return parent, child, little
