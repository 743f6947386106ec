"""Classroom test helpers: the term and enrolment window, `at`, `make_course` and `enrol`."""

import itertools
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from classes import services
from classes.models import Course, TimetableSlot

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Enrolment is open (25 Aug – 6 Sep); the autumn term starts on Monday 7 September 2026.
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)
TERM_START = date(2026, 9, 7)
WINDOW_OPENS = datetime(2026, 8, 25, 9, 0, tzinfo=SHANGHAI)
WINDOW_CLOSES = datetime(2026, 9, 6, 20, 0, tzinfo=SHANGHAI)
_titles = itertools.count(1)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def make_course(
    term,
    *,
    title=None,
    subject="lego",
    age_min=5,
    age_max=12,
    capacity=10,
    slots=((5, "09:00", "10:30"),),
    mode=Course.Mode.FCFS,
    teacher=None,
    institution=None,
    opens=None,
    closes=None,
    sessions=False,
    **extra,
) -> Course:
    course = Course.objects.create(
        term=term,
        title=title or f"课程{next(_titles)}",
        subject=subject,
        age_min=age_min,
        age_max=age_max,
        capacity=capacity,
        place="社区活动室",
        mode=mode,
        teacher=teacher,
        institution=institution,
        enrol_opens_at=opens or WINDOW_OPENS,
        enrol_closes_at=closes or WINDOW_CLOSES,
        **extra,
    )
    for weekday, start, end in slots:
        TimetableSlot.objects.create(
            course=course,
            weekday=weekday,
            starts_at=time.fromisoformat(start),
            ends_at=time.fromisoformat(end),
        )
    if sessions:
        services.generate_sessions(course)
    return course


def enrol(parent, course, child, **kwargs):
    kwargs.setdefault("photo_consent", True)
    kwargs.setdefault("pickup_people", "张妈妈（母亲）")
    return services.enrol(parent, course, child, **kwargs)
