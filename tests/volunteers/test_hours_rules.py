"""Rounding, the minimum share and star levels (framework-free rules)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from volunteers.lib import attended_percent, attended_share, meets_share, round_hours, star_progress

LEVELS = [Decimal(x) for x in (100, 300, 600, 1000, 1500)]


@pytest.mark.parametrize(
    "minutes,expected",
    [
        (0, "0"),
        (14, "0"),
        (15, "0.5"),
        (44, "0.5"),
        (45, "1"),
        (59, "1"),
        (60, "1"),
        (130, "2"),
        (140, "2.5"),
        (170, "3"),
    ],
    ids=["0", "14m", "15m", "44m", "45m", "59m", "1h", "2h10", "2h20", "2h50"],
)
def test_hours_are_rounded_by_the_extra_minutes(minutes, expected):
    assert round_hours(timedelta(minutes=minutes)) == Decimal(expected)


def test_rounding_steps_are_settings():
    assert round_hours(timedelta(minutes=20), zero_below=30, half_below=50) == 0


def test_the_share_attended_is_capped_at_one():
    assert attended_share(timedelta(hours=3), timedelta(hours=2)) == 1
    assert attended_share(timedelta(hours=1), timedelta(hours=2)) == Decimal("0.5")


TWO_HOURS = timedelta(hours=2)  # 60 % of it is exactly 72 minutes


@pytest.mark.parametrize(
    "attended,meets",
    [
        (timedelta(minutes=71, seconds=24), False),  # 59.5 %: rounds to 60 % but is not 60 %
        (timedelta(minutes=71, seconds=59, microseconds=999999), False),
        (timedelta(minutes=72), True),
        (timedelta(minutes=72, microseconds=1), True),
        (timedelta(0), False),
    ],
    ids=["59.5%", "a-microsecond-short", "exactly-60%", "just-over", "nothing"],
)
def test_the_minimum_share_is_compared_exactly(attended, meets):
    assert meets_share(attended, TWO_HOURS, 60) is meets


def test_a_zero_minimum_share_takes_everyone_and_a_full_one_only_the_whole_post():
    assert meets_share(timedelta(0), TWO_HOURS, 0)
    assert not meets_share(TWO_HOURS - timedelta(seconds=1), TWO_HOURS, 100)
    assert meets_share(TWO_HOURS, TWO_HOURS, 100)


def test_the_percent_shown_is_rounded_down():
    assert attended_percent(timedelta(minutes=71, seconds=24), TWO_HOURS) == 59
    assert attended_percent(timedelta(hours=3), TWO_HOURS) == 100
    assert attended_percent(timedelta(minutes=5), timedelta(0)) == 0


@pytest.mark.parametrize(
    "hours,stars,next_,percent",
    [
        ("0", 0, "100", 0),
        ("50", 0, "100", 50),
        ("100", 1, "300", 0),
        ("200", 1, "300", 50),
        ("1500", 5, None, 100),
    ],
    ids=["none", "half-way", "first-star", "between", "top"],
)
def test_star_levels_and_progress(hours, stars, next_, percent):
    progress = star_progress(Decimal(hours), LEVELS)
    assert progress["stars"] == stars
    assert progress["next"] == (Decimal(next_) if next_ else None)
    assert progress["percent"] == percent
