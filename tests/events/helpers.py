"""Events test helpers: the festival's clock and date, `at`, `make_activity` and `add_question`."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from events.models import Activity, Question

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The clock in these tests: registration is open, the festival is twelve days away.
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
FESTIVAL_DAY = date(2026, 6, 13)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


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


def add_question(activity, label, kind=Question.Kind.TEXT, *, choices="", required=True):
    return Question.objects.create(
        activity=activity, label=label, kind=kind, choices=choices, required=required
    )
