"""Days in words, the way people say them: 今天, 明天, 12月2日 星期三."""

from datetime import date, timedelta

from django.utils import formats
from django.utils.translation import gettext as _


def day_in_words(day: date, today: date) -> str:
    """ "Today", "Tomorrow", or the month, day and weekday in the active language."""
    if day == today:
        return _("Today")
    if day == today + timedelta(days=1):
        return _("Tomorrow")
    return _("%(date)s, %(weekday)s") % {
        "date": formats.date_format(day, "MONTH_DAY_FORMAT"),
        "weekday": formats.date_format(day, "l"),
    }
