"""Date and time inputs that always carry ISO values, whatever the page's language.

A browser's `<input type="date">` only shows a value written `2026-11-30` (and `type="time"`
`09:30`, `type="datetime-local"` `2026-11-30T09:30`); Django would otherwise write the active
language's first input format (`2026/11/30` in Chinese), which the browser shows as an empty
field and then submits empty. Every form of the portal uses these widgets for its date and time
fields (`tests/portal/test_date_inputs.py` checks every form in both languages). What a browser
sends back is ISO too, which every language's input formats accept.
"""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    """A local date and time (Asia/Shanghai); the field converts it to the current time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MonthInput(forms.DateInput):
    """A month (`2026-11`); its field takes `input_formats=["%Y-%m"]`."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")
