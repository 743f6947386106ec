"""What the account pages (allauth's templates, which we do not copy) say in their meta
description: one line each, keyed by URL name. Our own pages fill base.html's `description`
block themselves."""

from django.utils.translation import gettext_lazy as _

ACCOUNT_PAGES = {
    "account_login": _("Log in to the portal with your mobile number or email."),
    "account_signup": _(
        "Sign up as a resident with your mobile number or email to book meals, "
        "enrol children and volunteer."
    ),
    "account_inactive": _("This account is not active; ask the community office."),
    "account_email_verification_sent": _("We sent you a message to confirm your email."),
    "account_reset_password": _("Forgotten your password? Set a new one by email."),
    "account_reset_password_done": _("We sent you a link to set a new password."),
    "account_reset_password_from_key": _("Set a new password for your account."),
    "account_reset_password_from_key_done": _("Your password was changed; log in again."),
    "account_request_login_code": _("Log in with a one-time code sent by text or email."),
    "account_confirm_email": _("Confirm the email address of your account."),
    "signup-sent": _("Check your messages to finish signing up."),
}
