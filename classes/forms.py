"""Forms of the classroom: course filters, enrolment with consents, registers, the fund."""

from django import forms
from django.utils.translation import gettext_lazy as _

from classes.models import WEEKDAYS, ClassSession, Subject
from portal.validators import validate_date_in_range
from portal.widgets import DateInput, TimeInput

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class CourseFilterForm(forms.Form):
    """The public list's filters; all optional. `child` lists the visitor's own children."""

    child = forms.TypedChoiceField(
        label=_("Courses my child can join"), required=False, coerce=int, empty_value=None
    )
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=18)
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any day"))] + WEEKDAYS,
    )
    subject = forms.ChoiceField(
        label=_("Subject"), required=False, choices=[("", _("All subjects"))] + Subject.choices
    )

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        if children:
            self.fields["child"].choices = [("", _("Any child"))] + [
                (c.pk, c.full_name) for c in children
            ]
        else:
            del self.fields["child"]

    def controls(self) -> list[tuple]:
        """(bound field, options) per field for the list page's own markup; options are
        (value, label, chosen) for a choice and None for the age.

        The course list renders these filters on every visit; drawn through the widget
        templates (and crispy's) they cost about as much as the whole list of courses.
        """
        rows = []
        for bound in self:
            options = None
            if isinstance(bound.field, forms.ChoiceField):
                value = bound.value()
                chosen = "" if value is None else str(value)
                options = [(str(v), label, str(v) == chosen) for v, label in bound.field.choices]
            rows.append((bound, options))
        return rows


class EnrolForm(forms.Form):
    child = forms.TypedChoiceField(label=_("Child"), coerce=int)
    photo_consent = forms.ChoiceField(
        label=_("May your child be photographed in class (for the community's notices)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    pickup_people = forms.CharField(
        label=_("Who may pick the child up"),
        max_length=200,
        help_text=_("Names and relation, e.g. 张妈妈 (mother), 张爷爷 (grandfather)."),
    )
    volunteer = forms.BooleanField(
        label=_("I would like to volunteer (help at class or join a volunteer team)"),
        required=False,
    )
    volunteer_message = forms.CharField(
        label=_("How would you like to help? (optional)"), max_length=300, required=False
    )

    def __init__(self, *args, children=(), needs_photo_consent=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(c.pk, c.full_name) for c in children]
        if not needs_photo_consent:
            del self.fields["photo_consent"]


class RedrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the re-draw (published with both results)"), max_length=200
    )


class CancelSessionForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the parents)"), max_length=200)


class MoveSessionForm(forms.Form):
    day = forms.DateField(
        label=_("New date"), widget=DateInput, validators=[validate_date_in_range]
    )
    starts_at = forms.TimeField(label=_("Starts"), widget=TimeInput)
    ends_at = forms.TimeField(label=_("Ends"), widget=TimeInput)
    place = forms.CharField(label=_("Place (if it changes)"), max_length=100, required=False)

    @classmethod
    def for_session(cls, session: ClassSession):
        return cls(
            initial={
                "day": session.date,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
            }
        )
