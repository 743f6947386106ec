"""The one shape of an event that was called off (portal.calendars.called_off), which every
personal feed uses: the modules' feeds are tested in tests/<app>/test_calendar_called_off.py."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import translation
from icalendar import Calendar

from portal.calendars import CalendarItem, build_calendar, called_off

START = datetime.fromisoformat("2026-09-10 09:00+08:00")
ITEM = CalendarItem(
    uid="signup-7@neighbourly-portal",
    summary="补鞋",
    start=START,
    end=START + timedelta(hours=2),
    location="社区广场",
    description="补鞋队\n陈队长",
    status="CONFIRMED",
)
POST = SimpleNamespace(
    called_off_at=datetime.fromisoformat("2026-09-08 18:30:12+08:00"),
    called_off_reason="暴雨，服务日改期。",
)


@pytest.mark.parametrize(
    "language, summary, why",
    [
        ("zh-hans", "已取消：补鞋", "已于 2026-09-08 18:30 取消：暴雨，服务日改期。"),
        ("en", "Called off: 补鞋", "It was called off on 2026-09-08 18:30: 暴雨，服务日改期。"),
    ],
    ids=["chinese", "english"],
)
def test_it_keeps_the_event_cancelled_saying_when_and_why_in_the_readers_language(
    language, summary, why
):
    with translation.override(language):
        item = called_off(ITEM, POST)

    assert (item.uid, item.start, item.end, item.location) == (
        ITEM.uid,
        ITEM.start,
        ITEM.end,
        ITEM.location,
    )
    assert item.status == "CANCELLED"
    assert item.summary == summary
    assert item.description == f"{why}\n补鞋队\n陈队长"  # the reason first, then as before
    assert ITEM.status == "CONFIRMED"  # the item it was made from is left alone


def test_the_feed_writes_it_as_a_cancelled_vevent():
    with translation.override("zh-hans"):
        body = build_calendar([called_off(ITEM, POST)], name="日历")

    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["UID"]) == ITEM.uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["DESCRIPTION"]).startswith("已于 2026-09-08 18:30 取消：")
