"""Volunteer test helpers: the frozen moment, the service day, and `make_*` for teams and posts."""

from datetime import date, datetime, timedelta

from django.utils.timezone import make_aware

from volunteers import services
from volunteers.models import Membership, Team

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
