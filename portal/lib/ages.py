"""Age arithmetic on birth dates: who is a child, who is an elder, on the day that matters."""

from datetime import date


def age_on(birth_date: date | None, day: date) -> int | None:
    """Whole years of age on `day` (a person born on 29 February ages on 1 March)."""
    if birth_date is None:
        return None
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)
