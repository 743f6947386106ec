"""allauth glue: mobile numbers are stored on the user (verified by a code or at the office);
codes and account mails go out through the delivery queue, never inside the request."""

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
        from portal import services

        number = normalize_mobile(phone)
        if user.pk:
            services.change_mobile(user, number, verified=verified)
        else:  # a sign-up: the account is saved after this
            user.mobile = number
            user.mobile_verified = verified

    def get_phone(self, user):
        if user.mobile:
            return user.mobile, user.mobile_verified
        return None

    def set_phone_verified(self, user, phone: str) -> None:
        """The code sent to `phone` was entered: at sign-up, at log-in by code, or to change to
        this number (allauth calls this before the number is on the account)."""
        from portal import services

        services.change_mobile(user, normalize_mobile(phone), verified=True)

    def validation_error(self, code, *args):
        """allauth says "too many failed log-ins" when codes are asked for too often; say what
        happened instead."""
        from allauth.core import context

        match = getattr(context.request, "resolver_match", None)
        if (
            code == "too_many_login_attempts"
            and match
            and match.url_name == ("account_request_login_code")
        ):
            return forms.ValidationError(
                _(
                    "Too many codes were asked for this number or from this connection. "
                    "Please wait a while and try again."
                ),
                code="too_many_codes",
            )
        return super().validation_error(code, *args)

    def get_user_by_phone(self, phone: str):
        from portal.models import User

        number = normalize_mobile(phone)
        if not number:
            return None
        return User.objects.filter(mobile=number).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        """The code goes through the delivery queue: urgent (no quiet hours), sent after commit."""
        from django.conf import settings
        from django.utils import translation
        from django.utils.translation import gettext

        from portal.delivery import queue_code

        language = user.preferred_language() if user else settings.LANGUAGE_CODE
        with translation.override(language):
            text = gettext(
                "Your code is %(code)s. Enter it on the portal; never tell it to anyone, "
                "not even staff."
            ) % {"code": code}
        queue_code(
            user=user if user and user.pk else None,
            to=normalize_mobile(phone),
            channel="sms",
            kind="verification_code",
            text=text,
            params={"code": code},
        )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails (codes, password reset, email confirmation) through the queue too."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from portal.delivery import queue_code
        from portal.models import User

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        msg = self.render_mail(template_prefix, email, ctx)
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        queue_code(
            user=user if user and user.pk else None,
            to=email,
            channel="email",
            kind=template_prefix.rsplit("/", 1)[-1],
            text=msg.body,
            params={},
            subject=msg.subject,
        )
