"""allauth glue: mobile numbers are stored on the user; there is no SMS gateway."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.validators import normalize_mobile, validate_mainland_mobile

log = logging.getLogger(__name__)


class MobileField(forms.CharField):
    """A mainland mobile number, normalised to its 11 digits."""

    default_error_messages = {
        "required": _("Enter your mobile number."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        widget = forms.TextInput(
            attrs={
                "autocomplete": "tel",
                "inputmode": "tel",
                "placeholder": _("e.g. 13800138000"),
            }
        )
        kwargs.setdefault("widget", widget)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_mobile(value) if value else value

    def validate(self, value):
        super().validate(value)
        if value:
            validate_mainland_mobile(value)


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs):
        kwargs.pop("label", None)
        return MobileField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return normalize_mobile(phone)

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.mobile = normalize_mobile(phone)
        if user.pk:
            user.save(update_fields=["mobile"])

    def get_phone(self, user):
        if user.mobile:
            return user.mobile, True
        return None

    def set_phone_verified(self, user, phone: str) -> None:
        # Mobile numbers are confirmed in person by staff; nothing to record here.
        return None

    def get_user_by_phone(self, phone: str):
        from portal.models import User

        number = normalize_mobile(phone)
        if not number:
            return None
        return User.objects.filter(mobile=number).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        # No SMS gateway is configured (phone verification is off); log so an operator sees it.
        log.warning("SMS to %s not sent: no SMS gateway configured", phone[:3] + "****")
