"""Framework-free rules of the volunteer module: rounding hours, star levels."""

from datetime import timedelta
from decimal import Decimal

HALF = Decimal("0.5")


def round_hours(duration: timedelta, *, zero_below: int = 15, half_below: int = 45) -> Decimal:
    """Whole hours plus the extra minutes rounded: < zero_below → 0, < half_below → 0.5, else 1.

    With the defaults: 2 h 10 min → 2, 2 h 20 min → 2.5, 2 h 50 min → 3.
    """
    minutes = max(int(duration.total_seconds() // 60), 0)
    whole, extra = divmod(minutes, 60)
    if extra < zero_below:
        part = Decimal("0")
    elif extra < half_below:
        part = HALF
    else:
        part = Decimal("1")
    return Decimal(whole) + part


def meets_share(attended: timedelta, scheduled: timedelta, percent: int) -> bool:
    """Whether `attended` is at least `percent` % of `scheduled`, compared exactly.

    In whole microseconds (integers), never a rounded share: 59.5 % is not 60 %.
    """
    tick = timedelta(microseconds=1)
    return (attended // tick) * 100 >= (scheduled // tick) * percent


def attended_percent(attended: timedelta, scheduled: timedelta) -> int:
    """The whole percent attended, rounded down (what a refusal says: 59.5 % reads 59 %)."""
    if scheduled <= timedelta(0):
        return 0
    tick = timedelta(microseconds=1)
    return max(0, min(100, (attended // tick) * 100 // (scheduled // tick)))


def attended_share(attended: timedelta, scheduled: timedelta) -> Decimal:
    """The share of the scheduled time attended, 0..1, rounded to 2 places for display only
    (the minimum-share rule uses `meets_share`)."""
    if scheduled.total_seconds() <= 0:
        return Decimal("0")
    share = Decimal(attended.total_seconds()) / Decimal(scheduled.total_seconds())
    return max(Decimal("0"), min(share, Decimal("1"))).quantize(Decimal("0.01"))


def star_progress(hours: Decimal, thresholds: list[Decimal]) -> dict:
    """The star level reached, the next threshold and the percentage of the way to it."""
    stars = sum(1 for t in thresholds if hours >= t)
    if stars >= len(thresholds):
        return {"stars": stars, "next": None, "to_go": Decimal("0"), "percent": 100}
    lower = thresholds[stars - 1] if stars else Decimal("0")
    upper = thresholds[stars]
    span = upper - lower
    percent = int((hours - lower) * 100 / span) if span > 0 else 100
    return {
        "stars": stars,
        "next": upper,
        "to_go": upper - hours,
        "percent": max(0, min(percent, 100)),
    }
