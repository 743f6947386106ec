"""Volunteer module fixtures: a team led by the team-leader persona, posts on a service day."""

from datetime import date, datetime, timedelta

import pytest
from django.utils.timezone import make_aware

from volunteers import services
from volunteers.models import Membership, ServiceDay, Team, VolunteerSettings

# Tests run "now" at 2026-03-01 09:00 Shanghai unless they travel elsewhere.
NOW = make_aware(datetime(2026, 3, 1, 9, 0))
DAY = date(2026, 3, 10)


def at(day: date, hour: int, minute: int = 0):
    return make_aware(datetime(day.year, day.month, day.day, hour, minute))


def make_team(name="补鞋队", *, leader=None, is_open=True, slug=None):
    return Team.objects.create(
        name=name, slug=slug or f"t{Team.objects.count() + 1}", leader=leader, is_open=is_open
    )


def make_post(*, team=None, title="补鞋", day=DAY, start_hour=9, hours=2, capacity=3, **kw):
    start = at(day, start_hour)
    return services.create_post(
        title=title,
        place=kw.pop("place", "社区广场"),
        start=start,
        end=start + timedelta(hours=hours),
        capacity=capacity,
        team=team,
        **kw,
    )


def make_member(user, team, by=None):
    membership = Membership.objects.create(
        user=user, team=team, status=Membership.Status.APPROVED, decided_by=by
    )
    services.ensure_profile(user)
    return membership


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
