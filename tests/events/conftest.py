"""Events fixtures: a published festival on a fixed date, and a small `make_activity` helper."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.models import Activity, Event, Question

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The clock in these tests: registration is open, the festival is twelve days away.
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
FESTIVAL_DAY = date(2026, 6, 13)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def english(english):
    """Assertions read the English source strings; one test checks the Chinese on purpose."""
    return english


@pytest.fixture
def client(english_client):
    return english_client


@pytest.fixture
def zh_client(db):
    from django.test import Client

    return Client(headers={"accept-language": "zh-hans"})


@pytest.fixture
def clock_start():
    return NOW


@pytest.fixture(autouse=True)
def frozen_clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def festival(db):
    return Event.objects.create(
        title="你好·邻居",
        starts_on=FESTIVAL_DAY,
        ends_on=FESTIVAL_DAY + timedelta(days=1),
        is_published=True,
    )


@pytest.fixture
def track(festival):
    return festival.tracks.create(name="睦邻乐", theme="快乐在一起", position=1)


def make_activity(event, **fields) -> Activity:
    """An activity on the festival's first day, 09:00–11:00, taking registrations by default."""
    values = {
        "title": "趣味运动会",
        "place": "篮球场",
        "starts_at": at(event.starts_on, 9),
        "ends_at": at(event.starts_on, 11),
        "needs_registration": True,
        "capacity": 10,
        "household_limit": 4,
        "registration_opens_at": NOW - timedelta(days=1),
    }
    values.update(fields)
    return Activity.objects.create(event=event, **values)


@pytest.fixture
def activity(festival, track):
    return make_activity(festival, track=track)


@pytest.fixture
def children_games(festival):
    return make_activity(
        festival, title="亲子游园", min_age=5, max_age=12, capacity=2, household_limit=2
    )


def add_question(activity, label, kind=Question.Kind.TEXT, *, choices="", required=True):
    return Question.objects.create(
        activity=activity, label=label, kind=kind, choices=choices, required=required
    )
