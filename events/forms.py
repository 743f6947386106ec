"""Forms of the events module: they validate and convert; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Activity, Question, StallApplication
from portal.questions import answer_field


class ProgrammeFilterForm(forms.Form):
    """Filters of the programme; every field optional, bad values simply ignored."""

    day = forms.TypedChoiceField(label=_("Day"), required=False, coerce=str)
    track = forms.TypedChoiceField(label=_("Track"), required=False, coerce=int, empty_value=None)
    audience = forms.ChoiceField(
        label=_("Who for"),
        required=False,
        choices=[("", _("Everyone"))]
        + [c for c in Activity.Audience.choices if c[0] != Activity.Audience.EVERYONE],
    )

    def __init__(self, *args, event, tracks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [("", _("All days"))] + [
            (d.isoformat(), d.strftime("%m-%d")) for d in event.days
        ]
        self.fields["track"].choices = [("", _("All tracks"))] + [(t.pk, t.name) for t in tracks]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class RegistrationForm(forms.Form):
    """Who of my household to register, and each person's answers.

    A field `person_<pk>` per member and `q<question>_<member>` per question and member; answers
    of people not ticked are ignored. Required answers are checked for the people ticked.
    """

    def __init__(self, *args, activity, members, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity, self.members, self.questions = activity, members, questions
        day = activity.day
        for m in members:
            age = m.age_on(day)
            name = m.full_name
            label = (
                name
                if age is None
                else _("%(name)s (age %(age)s on the day)")
                % {
                    "name": name,
                    "age": age,
                }
            )
            self.fields[f"person_{m.pk}"] = forms.BooleanField(label=label, required=False)
            for q in questions:
                self.fields[f"q{q.pk}_{m.pk}"] = answer_field(q)

    def blocks(self):
        """For the template: each member's tick box and question fields, together."""
        for m in self.members:
            yield {
                "member": m,
                "allowed": self.activity.age_allows(m.age_on(self.activity.day)),
                "tick": self[f"person_{m.pk}"],
                "questions": [self[f"q{q.pk}_{m.pk}"] for q in self.questions],
            }

    def clean(self):
        data = super().clean()
        chosen = [m for m in self.members if data.get(f"person_{m.pk}")]
        if not chosen:
            raise forms.ValidationError(_("Tick at least one person to register."))
        for m in chosen:
            for q in self.questions:
                key = f"q{q.pk}_{m.pk}"
                value = data.get(key)
                if q.kind == Question.Kind.CONSENT:
                    if q.required and not value:
                        self.add_error(key, _("Please tick to agree."))
                elif q.required and value in (None, ""):
                    self.add_error(key, _("Please answer this question."))
        return data

    def chosen_members(self):
        return [m for m in self.members if self.cleaned_data.get(f"person_{m.pk}")]

    def answers(self) -> dict:
        return {
            m.pk: {q.pk: self.cleaned_data.get(f"q{q.pk}_{m.pk}") for q in self.questions}
            for m in self.chosen_members()
        }


class StallApplicationForm(forms.ModelForm):
    class Meta:
        model = StallApplication
        fields = ["goods", "needs_table"]
        widgets = {"goods": forms.TextInput(attrs={"autocomplete": "off"})}


class StallDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        help_text=_("Required when declining; the resident sees it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", _("Give a reason when declining an application."))
        return data


class TicketCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Walk-in's name"), max_length=50)


class VolunteerPostForm(forms.Form):
    capacity = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=100)
