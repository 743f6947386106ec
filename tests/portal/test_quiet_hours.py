"""Quiet hours: parsing the setting and when a held text may go."""

import os
import subprocess
import sys
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from portal.lib import quiet_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = (time(21), time(8))


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("21:00-08:00", NIGHT),
        (" 22:30 - 07:15 ", (time(22, 30), time(7, 15))),
        ("12:00-14:00", (time(12), time(14))),
    ],
    ids=["default", "spaces", "midday"],
)
def test_it_reads_a_span_of_local_times(value, expected):
    assert quiet_hours.parse(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "21:00", "21:00-25:00", "nine-eight", "08:00-08:00", "21:00:30-08:00", "1-2-3"],
    ids=["empty", "one-time", "bad-hour", "words", "empty-span", "seconds", "three-parts"],
)
def test_it_refuses_anything_else(value):
    with pytest.raises(ValueError):
        quiet_hours.parse(value)


@pytest.mark.parametrize(
    ("moment", "quiet", "until"),
    [
        (at(2026, 9, 1, 20, 59), False, at(2026, 9, 1, 20, 59)),
        (at(2026, 9, 1, 21, 0), True, at(2026, 9, 2, 8, 0)),
        (at(2026, 9, 1, 23, 30), True, at(2026, 9, 2, 8, 0)),
        (at(2026, 9, 2, 3, 0), True, at(2026, 9, 2, 8, 0)),
        (at(2026, 9, 2, 8, 0), False, at(2026, 9, 2, 8, 0)),
    ],
    ids=["just-before", "the-start-counts", "evening", "small-hours", "the-end-does-not"],
)
def test_a_text_held_in_the_quiet_hours_goes_when_they_end(moment, quiet, until):
    assert quiet_hours.is_quiet(moment, NIGHT) is quiet
    assert quiet_hours.quiet_until(moment, NIGHT) == until


def test_the_default_setting_is_nine_at_night_to_eight_in_the_morning():
    assert quiet_hours.parse(settings.NOTICE_QUIET_HOURS) == NIGHT


def test_the_portal_refuses_to_start_with_a_bad_setting():
    env = {**os.environ, "NOTICE_QUIET_HOURS": "late", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )

    assert result.returncode != 0
    assert "NOTICE_QUIET_HOURS" in result.stderr
