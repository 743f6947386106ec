from datetime import datetime
from decimal import Decimal

from django import forms
from django.utils.timezone import make_aware
from django.utils.translation import gettext_lazy as _

from portal.lib.lists import split_list
from portal.validators import validate_date_in_range
from portal.widgets import DateInput, TimeInput
from volunteers.models import Team


class ApplyForm(forms.Form):
    message = forms.CharField(
        label=_("A few words to the leader (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PoolDecisionForm(DecisionForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)


class PostForm(forms.Form):
    """A post on one day; the times are local (Asia/Shanghai)."""

    title = forms.CharField(label=_("What"), max_length=100)
    place = forms.CharField(label=_("Where"), max_length=100)
    day = forms.DateField(label=_("Date"), widget=DateInput, validators=[validate_date_in_range])
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput)
    capacity = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=1000)
    skills = forms.CharField(
        label=_("Skills wanted"),
        max_length=200,
        required=False,
        help_text=_("Separate with commas or 、, e.g. shoe repair, sewing"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_skills(self):
        # "补鞋、缝纫", "补鞋，缝纫" and "shoe repair, sewing" are each two skills.
        return ",".join(split_list(self.cleaned_data["skills"]))

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", _("A post must end after it starts."))
            cleaned["start"] = make_aware(datetime.combine(day, start))
            cleaned["end"] = make_aware(datetime.combine(day, end))
        return cleaned

    def post_fields(self) -> dict:
        c = self.cleaned_data
        return {
            "title": c["title"],
            "place": c["place"],
            "start": c["start"],
            "end": c["end"],
            "capacity": c["capacity"],
            "skills": c["skills"],
            "description": c["description"],
        }


class OutcomeForm(forms.Form):
    residents_served = forms.IntegerField(label=_("Residents served"), min_value=0, initial=0)
    items_repaired = forms.IntegerField(label=_("Items repaired"), min_value=0, initial=0)
    meals_delivered = forms.IntegerField(label=_("Meals delivered"), min_value=0, initial=0)
    note = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectionForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours I served"),
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        decimal_places=1,
        max_digits=3,
    )
    reason = forms.CharField(label=_("Why"), max_length=200)


class CorrectionDecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class GenerateYearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, **kwargs):
        from volunteers.services import generatable_years

        super().__init__(*args, **kwargs)
        years = generatable_years()
        self.fields["year"].choices = [(y, y) for y in years]
        self.fields["year"].initial = years[0]
        self.fields["year"].error_messages["invalid_choice"] = _(
            "Service days can be generated for %(first)s to %(last)s only."
        ) % {"first": years[0], "last": years[-1]}


class CopyPostsForm(forms.Form):
    source = forms.DateField(
        label=_("Copy the posts of"), widget=DateInput, validators=[validate_date_in_range]
    )
    target = forms.DateField(
        label=_("To the service day"), widget=DateInput, validators=[validate_date_in_range]
    )


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
