"""Forms of the questionnaires: they build the fields from the questions (the shared engine) and
convert; the rules (open, audience, once only) live in `questionnaire_services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.questionnaires import Question, Questionnaire
from portal.questions import CHOICE_KINDS, answer_field

Audience = Questionnaire.Audience
GROUP_CHOICES = [(a.value, a.label) for a in Audience if a != Audience.ALL]


class AnswerForm(forms.Form):
    """One field `q<pk>` per question, radio buttons and tick boxes (no JavaScript needed)."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[f"q{q.pk}"] = answer_field(q, required=q.required, radios=True)

    def values(self) -> dict:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


class PaperAnswerForm(AnswerForm):
    """A paper answer typed in by staff, with the respondent's groups as the paper says."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"] = forms.MultipleChoiceField(
            label=_("The person who answered is"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=GROUP_CHOICES,
        )


class ResultsFilterForm(forms.Form):
    """Whose answers the results count: everyone or one audience group."""

    group = forms.ChoiceField(
        label=_("Answers of"),
        required=False,
        choices=[("", _("everyone"))] + GROUP_CHOICES,
    )
    format = forms.ChoiceField(
        required=False, choices=[("", "html"), ("csv", "CSV"), ("xlsx", "Excel")]
    )


class QuestionnaireAdminForm(forms.ModelForm):
    """The admin's questionnaire: closes after it opens; anonymity fixed once answers came in."""

    class Meta:
        model = Questionnaire
        fields = ["title", "intro", "audience", "opens_at", "closes_at", "anonymous"]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        if (
            self.instance.pk
            and "anonymous" in self.changed_data
            and self.instance.responses.exists()
        ):
            self.add_error(
                "anonymous",
                _(
                    "Answers came in already: a questionnaire cannot change between named "
                    "and anonymous."
                ),
            )
        return data


class QuestionAdminForm(forms.ModelForm):
    """A question in the admin: a choice question needs at least two options."""

    class Meta:
        model = Question
        fields = ["position", "label", "kind", "choices", "required"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        options = [
            line.strip() for line in (data.get("choices") or "").splitlines() if line.strip()
        ]
        if kind in CHOICE_KINDS and len(options) < 2:
            self.add_error(
                "choices", _("A choice question needs at least two options, one per line.")
            )
        if len(set(options)) != len(options):
            self.add_error("choices", _("Each option may appear only once."))
        return data
