"""The modules' notices move into the one inbox: nothing lost, read state, times and links kept."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from classes.models import Course, Enrolment, Term
from portal.models import Notice, Partner
from tests.factories import make_child, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE = [
    ("volunteers", "0001_initial"),
    ("events", "0004_booking_reminded_at"),
    ("classes", "0002_fees_to_the_fund"),
]


def migrate(targets=None):
    """Migrate to `targets` (to the latest of every app if None); the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Whatever happens, the next tests find every migration applied."""
    yield
    migrate()


def t(day, hour):
    return datetime(2026, 9, day, hour, tzinfo=SHANGHAI)


@pytest.mark.django_db(transaction=True)
def test_the_three_modules_notices_arrive_in_the_inbox_as_they_were(back_to_latest):
    volunteer, parent, other_parent = make_user("李志愿"), make_user("张妈妈"), make_user("王爸爸")
    child = make_child(parent, name="张小明")
    orphan_child = make_child(other_parent, name="王小红")
    term = Term.objects.create(name="秋季", starts_on=date(2026, 9, 7), ends_on=date(2026, 12, 31))
    course = Course.objects.create(
        term=term,
        title="乐高搭建",
        subject="lego",
        age_min=5,
        age_max=12,
        capacity=10,
        place="活动室",
        institution=Partner.objects.create(name="星光教育"),
        enrol_opens_at=t(1, 9),
        enrol_closes_at=t(6, 20),
    )
    by_parent = Enrolment.objects.create(course=course, child=child, enrolled_by=parent)
    # the parent's account was removed: the household's account holder hears instead
    by_nobody = Enrolment.objects.create(course=course, child=orphan_child, enrolled_by=None)

    old = migrate(BEFORE)
    VolunteerNotice = old.get_model("volunteers", "Notice")
    EventNotice = old.get_model("events", "Notice")
    ClassNotice = old.get_model("classes", "Notice")
    VolunteerNotice.objects.create(
        user_id=volunteer.pk, text="报名成功", url="/volunteers/me/", created_at=t(1, 9)
    )
    VolunteerNotice.objects.create(
        user_id=volunteer.pk, text="提醒", url="", created_at=t(2, 9), read_at=t(2, 10)
    )
    EventNotice.objects.create(
        user_id=parent.pk, text="有空位了", url="/events/my/", created_at=t(3, 9), read_at=t(3, 12)
    )
    ClassNotice.objects.create(
        enrolment_id=by_parent.pk, kind="moved", text="课程调整", created_at=t(4, 9)
    )
    ClassNotice.objects.create(
        enrolment_id=by_nobody.pk, kind="lottery_won", text="抽中了", created_at=t(5, 9)
    )

    migrate()

    moved = {
        (n.recipient_id, n.kind, n.text, n.url, n.created_at, n.read_at)
        for n in Notice.objects.all()
    }
    course_url = course.get_absolute_url()
    assert moved == {
        (volunteer.pk, "other", "报名成功", "/volunteers/me/", t(1, 9), None),
        (volunteer.pk, "other", "提醒", "", t(2, 9), t(2, 10)),
        (parent.pk, "other", "有空位了", "/events/my/", t(3, 9), t(3, 12)),
        (parent.pk, "time_changed", "课程调整", course_url, t(4, 9), None),
        (other_parent.pk, "lottery", "抽中了", course_url, t(5, 9), None),
    }
