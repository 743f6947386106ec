"""The classroom's partner institutions become the portal's partner organisations: same ids, the
teachers and courses still point at them, and the way back works too."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from classes.models import Course, Teacher
from portal.models import Partner
from tests.portal.test_notice_migration import migrate

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE = [("classes", "0007_merge_20261130_1738")]


@pytest.fixture
def back_to_latest():
    yield
    migrate()


@pytest.mark.django_db(transaction=True)
def test_institutions_become_education_partners_with_their_ids(back_to_latest):
    old = migrate(BEFORE)
    Institution = old.get_model("classes", "Institution")
    OldTeacher = old.get_model("classes", "Teacher")
    OldCourse = old.get_model("classes", "Course")
    OldTerm = old.get_model("classes", "Term")
    star = Institution.objects.create(
        pk=7, name="星光教育", about="乐高", contact_name="陈老师", contact_phone="028-88880001"
    )
    ink = Institution.objects.create(pk=12, name="翰墨书法社", is_active=False)
    teacher = OldTeacher.objects.create(name="林老师", institution_id=star.pk)
    term = OldTerm.objects.create(
        name="秋季", starts_on=date(2026, 9, 7), ends_on=date(2026, 12, 31)
    )
    course = OldCourse.objects.create(
        term_id=term.pk,
        title="书法",
        subject="calligraphy",
        age_min=6,
        age_max=12,
        capacity=10,
        place="活动室",
        institution_id=ink.pk,
        enrol_opens_at=datetime(2026, 9, 1, 9, tzinfo=SHANGHAI),
        enrol_closes_at=datetime(2026, 9, 6, 20, tzinfo=SHANGHAI),
    )

    migrate()

    partners = {p.pk: p for p in Partner.objects.all()}
    assert set(partners) == {7, 12}
    assert partners[7].name == "星光教育"
    assert (partners[7].about, partners[7].contact_name, partners[7].contact_phone) == (
        "乐高",
        "陈老师",
        "028-88880001",
    )
    assert partners[12].is_active is False
    assert {p.kind for p in partners.values()} == {Partner.Kind.EDUCATION}
    assert Teacher.objects.get(pk=teacher.pk).institution == partners[7]
    assert Course.objects.get(pk=course.pk).institution == partners[12]
    # new partners get new ids (PostgreSQL's sequence moved past the copied ones)
    assert Partner.objects.create(name="区人民医院", kind=Partner.Kind.HOSPITAL).pk > 12

    # and back: the classroom's partners are institutions again, with their ids
    old = migrate(BEFORE)
    Institution = old.get_model("classes", "Institution")
    assert set(Institution.objects.values_list("pk", "name")) == {
        (7, "星光教育"),
        (12, "翰墨书法社"),
    }
    assert old.get_model("classes", "Teacher").objects.get(pk=teacher.pk).institution_id == 7
