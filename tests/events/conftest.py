"""Events fixtures: a published festival on a fixed date, its track and activities."""

from datetime import timedelta

import pytest

from events.models import Event
from tests.events.helpers import FESTIVAL_DAY, NOW, make_activity


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


@pytest.fixture
def activity(festival, track):
    return make_activity(festival, track=track)


@pytest.fixture
def children_games(festival):
    return make_activity(
        festival, title="亲子游园", min_age=5, max_age=12, capacity=2, household_limit=2
    )
