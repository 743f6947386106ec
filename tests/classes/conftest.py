"""Classroom fixtures: a term, teachers, a course with a weekly timetable, the clock frozen."""

from datetime import date

import pytest

from classes.models import Teacher, Term
from portal import roles
from portal.models import Partner
from tests.classes.helpers import NOW, TERM_START, make_course
from tests.factories import make_user


@pytest.fixture
def clock_start():
    return NOW


@pytest.fixture
def now(frozen_clock):
    return frozen_clock


@pytest.fixture
def term(db):
    return Term.objects.create(name="2026年秋季", starts_on=TERM_START, ends_on=date(2026, 12, 31))


@pytest.fixture
def institution(db):
    return Partner.objects.create(name="星光教育", kind=Partner.Kind.EDUCATION)


@pytest.fixture
def teacher_user(db):
    return make_user("林老师", role_list=[roles.RESIDENT])


@pytest.fixture
def teacher(teacher_user, institution):
    return Teacher.objects.create(name="林老师", institution=institution, user=teacher_user)


@pytest.fixture
def other_teacher(institution):
    user = make_user("赵老师", role_list=[roles.RESIDENT])
    return Teacher.objects.create(name="赵老师", institution=institution, user=user)


@pytest.fixture
def course(term, teacher, institution):
    return make_course(
        term, title="乐高搭建", teacher=teacher, institution=institution, sessions=True
    )
