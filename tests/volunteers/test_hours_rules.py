"""Rounding, the minimum share and star levels (framework-free rules)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from volunteers.lib import attended_share, round_hours, star_progress

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
