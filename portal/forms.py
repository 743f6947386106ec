from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.models import HouseholdMember, User
from portal.validators import validate_birth_date
from portal.widgets import DateInput


class NoticePreferencesForm(forms.Form):
    """Per channel, the kinds of notice that also come that way (the inbox gets them all)."""

    sms = forms.MultipleChoiceField(
        label=_("By text message"), required=False, widget=forms.CheckboxSelectMultiple
    )
    email = forms.MultipleChoiceField(
        label=_("By email"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        from portal.notices import CHANNEL_KINDS

        super().__init__(*args, **kwargs)
        for channel in ("sms", "email"):
            self.fields[channel].choices = [(k.value, k.label) for k in CHANNEL_KINDS[channel]]

    def rows(self) -> list[dict]:
        """One row per kind: its label and, per channel, whether it is offered and ticked."""
        from portal.models import Notice

        chosen = {}
        for channel in ("sms", "email"):
            value = self[channel].value() or []
            chosen[channel] = {str(v) for v in value}
        rows = []
        for kind in Notice.Kind:
            cells = []
            for channel in ("sms", "email"):
                offered = kind.value in dict(self.fields[channel].choices)
                cells.append(
                    {
                        "channel": channel,
                        "offered": offered,
                        "checked": offered and kind.value in chosen[channel],
                        "id": f"id_{channel}_{kind.value}",
                    }
                )
            rows.append({"kind": kind.value, "label": kind.label, "cells": cells})
        return rows


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form gains: the name, birth date and privacy consent.

    allauth builds its SignupForm on top of this class, so `clean` here sees its fields too.
    """

    real_name = forms.CharField(label=_("Real name"), max_length=50)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DateInput,
        validators=[validate_birth_date],
        help_text=_("Residents aged 60+ get the canteen subsidy; it is counted from this date."),
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read and agree to the privacy notice"),
        help_text=format_lazy(
            '<a href="{}" target="_blank">{}</a>',
            reverse_lazy("privacy"),
            _("Read the privacy notice"),
        ),
        error_messages={"required": _("Please agree to the privacy notice to sign up.")},
    )

    def clean(self):
        cleaned = super().clean()
        if "phone" in self.fields and "email" in self.fields:
            if not cleaned.get("phone") and not cleaned.get("email"):
                # Only complain when neither field already has its own error.
                if "phone" not in self.errors and "email" not in self.errors:
                    raise forms.ValidationError(
                        _("Enter a mobile number or an email address (or both)."),
                        code="no_login",
                    )
        return cleaned

    def signup(self, request, user):
        from portal.services import register_resident

        register_resident(
            user,
            real_name=self.cleaned_data["real_name"],
            birth_date=self.cleaned_data.get("birth_date"),
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["real_name", "birth_date", "building", "unit", "room"]
        widgets = {"birth_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["real_name"].required = True


class MobileForm(forms.Form):
    """Change the mobile number used to log in."""

    def __init__(self, *args, user, **kwargs):
        from portal.adapters import MobileField

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["mobile"] = MobileField(required=False, initial=user.mobile)

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"] or None
        if mobile and User.objects.filter(mobile=mobile).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("This mobile number is already registered."))
        if not mobile and not self.user.email:
            raise forms.ValidationError(
                _("You log in with your mobile number; add an email before removing it.")
            )
        return mobile


class HouseholdMemberForm(forms.ModelForm):
    """Add or edit a person of my household who has no account of their own."""

    class Meta:
        model = HouseholdMember
        fields = ["name", "relation", "birth_date"]
        widgets = {"birth_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["relation"].choices = [
            c for c in HouseholdMember.Relation.choices if c[0] != HouseholdMember.Relation.SELF
        ]

    def clean(self):
        cleaned = super().clean()
        relation = cleaned.get("relation")
        birth_date = cleaned.get("birth_date")
        if (
            relation in HouseholdMember.CHILD_RELATIONS
            and not birth_date
            and not self.errors.get("birth_date")
        ):
            self.add_error(
                "birth_date",
                _("A child's birth date is needed: classes and activities go by age."),
            )
        return cleaned


class DeleteAccountForm(forms.Form):
    """Deleting one's account: the password again, and a phrase typed out (no slip of a tap)."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput, max_length=200
    )
    confirm = forms.CharField(label=_("Type the words shown above"), max_length=50)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    @staticmethod
    def phrase() -> str:
        return str(_("delete my account"))

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password

    def clean_confirm(self):
        typed = " ".join(self.cleaned_data["confirm"].split()).casefold()
        if typed != self.phrase().casefold():
            raise forms.ValidationError(
                _("Type “%(phrase)s” to confirm.") % {"phrase": self.phrase()}
            )
        return typed


class ShowMobileForm(forms.Form):
    """Why a member of staff needs someone's full mobile number (kept in the log)."""

    reason = forms.CharField(
        label=_("Why do you need the number?"),
        max_length=200,
        help_text=_("For example: to tell them the class moved. This is recorded."),
    )
