"""Forms of the alliance: a resident's request and rating, staff's triage, projects and visits."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Need, Project, Resource
from portal.fields import ImageFormField
from portal.models import Partner
from portal.validators import validate_date_in_range, validate_image_file
from portal.widgets import DateInput, TimeInput


class NeedForm(forms.Form):
    """A resident's need or micro-wish."""

    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=Need.Kind.choices,
        initial=Need.Kind.NEED,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(label=_("Category"), choices=Need.Category.choices)
    title = forms.CharField(
        label=_("In a few words"),
        max_length=Need._meta.get_field("title").max_length,
        help_text=_("For example: a handrail on the stairs of building 3."),
    )
    description = forms.CharField(
        label=_("Details"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is needed, for whom, and why. Only staff read this."),
    )
    photo = ImageFormField(
        label=_("Photo (optional)"), required=False, validators=[validate_image_file]
    )


class StaffNeedForm(forms.Form):
    """A need staff write down from a home visit or a questionnaire."""

    source = forms.ChoiceField(
        label=_("Where it came from"),
        choices=[c for c in Need.Source.choices if c[0] != Need.Source.RESIDENT],
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Need.Kind.choices, initial=Need.Kind.NEED)
    category = forms.ChoiceField(label=_("Category"), choices=Need.Category.choices)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Need.Urgency.choices, initial=Need.Urgency.NORMAL
    )
    title = forms.CharField(label=_("In a few words"), max_length=80)
    description = forms.CharField(
        label=_("Details"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    building = forms.CharField(label=_("Building"), max_length=20, required=False)


class AcceptForm(forms.Form):
    public_summary = forms.CharField(
        label=_("Summary for the public board"),
        max_length=120,
        required=False,
        help_text=_("No names, no addresses: the board and partners show only this."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Need.Urgency.choices, required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the resident reads"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Number of the request it joins"),
        min_value=1,
        max_value=2_000_000_000,
        error_messages={"invalid": _("Enter the number of a request.")},
    )


class ProjectForm(forms.Form):
    """Pair accepted needs with resources into a project."""

    title = forms.CharField(label=_("Title"), max_length=100)
    plan = forms.CharField(
        label=_("Plan"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = forms.ModelChoiceField(
        label=_("Run by"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("The community"),
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=DateInput, validators=[validate_date_in_range]
    )
    ends_on = forms.DateField(
        label=_("Ends on"), widget=DateInput, required=False, validators=[validate_date_in_range]
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        initial=0,
        required=False,
    )
    needs = forms.ModelMultipleChoiceField(
        label=_("Requests it meets"),
        queryset=Need.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    resources = forms.ModelMultipleChoiceField(
        label=_("Resources it uses"),
        queryset=Resource.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Partner.objects.filter(is_active=True).order_by("name")
        self.fields["needs"].queryset = Need.objects.filter(state=Need.State.ACCEPTED).order_by(
            "-received_at"
        )
        self.fields["needs"].label_from_instance = lambda n: f"#{n.pk} {n.title}"
        self.fields["resources"].queryset = (
            Resource.objects.current().select_related("partner").order_by("partner__name", "title")
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A project must end after it starts."))
        if data.get("budget") is None:
            data["budget"] = 0
        return data


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Progress"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = ImageFormField(
        label=_("Photo (optional)"), required=False, validators=[validate_image_file]
    )


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the project achieved: shown on the public board."),
    )
    photo = ImageFormField(
        label=_("Photo (optional)"), required=False, validators=[validate_image_file]
    )


class VolunteerPostForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=100)
    place = forms.CharField(label=_("Place"), max_length=100)
    day = forms.DateField(label=_("Date"), widget=DateInput, validators=[validate_date_in_range])
    start = forms.TimeField(label=_("From"), widget=TimeInput)
    end = forms.TimeField(label=_("To"), widget=TimeInput)
    capacity = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=1000)

    def clean(self):
        data = super().clean()
        if all(data.get(k) is not None for k in ("day", "start", "end")):
            tz = timezone.get_current_timezone()
            data["starts_at"] = datetime.combine(data["day"], data["start"], tz)
            data["ends_at"] = datetime.combine(data["day"], data["end"], tz)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", _("The task must end after it starts."))
        return data


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VisitForm(forms.Form):
    """A home visit: the household by its address, and a need heard there (optional)."""

    building = forms.CharField(label=_("Building"), max_length=20)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    room = forms.CharField(label=_("Room"), max_length=20)
    visited_on = forms.DateField(
        label=_("Visited on"), widget=DateInput, validators=[validate_date_in_range]
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    need_category = forms.ChoiceField(
        label=_("Need heard: category"),
        choices=[("", "—"), *Need.Category.choices],
        required=False,
    )
    need_title = forms.CharField(
        label=_("Need heard: in a few words"), max_length=80, required=False
    )
    need_description = forms.CharField(
        label=_("Need heard: details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A visit cannot be recorded before it happens."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("need_title") and not data.get("need_category"):
            self.add_error("need_category", _("Choose the need's category."))
        if data.get("need_category") and not data.get("need_title"):
            self.add_error("need_title", _("Say in a few words what is needed."))
        return data


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2017, max_value=2100, required=False)


STATE_FILTER = [("", _("All")), *Need.State.choices]
PROJECT_STATES = Project.State
