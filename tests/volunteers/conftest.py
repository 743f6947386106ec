"""Volunteer module fixtures: a team led by the team-leader persona, posts on a service day."""

import pytest

from tests.volunteers.helpers import DAY, NOW, make_post, make_team
from volunteers.models import ServiceDay, VolunteerSettings


@pytest.fixture(autouse=True)
def english(english):
    """Tests read English messages; one test checks the Chinese default explicitly."""
    return english


@pytest.fixture
def client(english_client):
    return english_client


@pytest.fixture
def clock_start():
    return NOW


@pytest.fixture(autouse=True)
def frozen_clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def rules(db):
    return VolunteerSettings.current()


@pytest.fixture
def service_day(db):
    return ServiceDay.objects.create(date=DAY)


@pytest.fixture
def team(team_leader):
    return make_team("补鞋队", leader=team_leader, slug="shoe-repair")


@pytest.fixture
def post(team, service_day):
    return make_post(team=team)
