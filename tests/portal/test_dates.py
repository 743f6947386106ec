"""Days in words (portal.lib.dates)."""

from datetime import date

import pytest
from django.utils import translation

from portal.lib.dates import day_in_words

TODAY = date(2026, 11, 30)  # a Monday


@pytest.mark.parametrize(
    ("language", "day", "words"),
    [
        ("zh-hans", TODAY, "今天"),
        ("zh-hans", date(2026, 12, 1), "明天"),
        ("zh-hans", date(2026, 12, 2), "12月2日 星期三"),
        ("en", TODAY, "Today"),
        ("en", date(2026, 12, 1), "Tomorrow"),
        ("en", date(2026, 12, 2), "December 2, Wednesday"),
        ("zh-hans", date(2026, 11, 29), "11月29日 星期日"),
    ],
    ids=["zh-today", "zh-tomorrow", "zh-later", "en-today", "en-tomorrow", "en-later", "past"],
)
def test_a_day_reads_the_way_people_say_it(language, day, words):
    with translation.override(language):
        assert day_in_words(day, TODAY) == words
