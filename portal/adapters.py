"""allauth glue: mobile numbers are stored on the user (verified by a code or at the office);
codes and account mails go out through the delivery queue, never inside the request."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
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
    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The failed-login counter's key: one per account, whichever way its login is typed.

        allauth keys the counter on the email or username only, so every log-in by mobile would
        share one counter (and one lock-out). Here a mobile counts under its 11 digits (so
        `+86 138 0000 0009` and `138-0000-0009` are one account) and an email in lower case.
        The request's host is left out: one installation serves one community, and a key that
        varies with the Host header would let an attacker multiply the attempts allowed.
        """
        if credentials.get("email"):
            return "email:" + credentials["email"].strip().lower()
        if credentials.get("phone"):
            return "phone:" + normalize_mobile(credentials["phone"])
        return "username:" + (credentials.get("username") or "").strip().lower()

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        """After a password reset by email, unlock the account's mobile log-in too."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        from portal.models import User

        email = (credentials.get("email") or "").strip()
        mobile = (
            User.objects.filter(email__iexact=email).values_list("mobile", flat=True).first()
            if email
            else None
        )
        if mobile:
            super()._delete_login_attempts_cached_email(request, phone=mobile)

    def get_client_ip(self, request) -> str:
        """The visitor's address for the per-address limits (see TRUSTED_PROXY_COUNT).

        A request carrying fewer forwarded addresses than there are trusted proxies did not
        come through them all: refused (403) rather than a server error.
        """
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            raise PermissionDenied("not forwarded by the trusted proxies") from None

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
