"""Sign-up that does not tell a stranger whether a mobile number or email is registered.

Kept apart from `portal.forms` because allauth's sign-up form is built on top of
`portal.forms.SignupExtraForm`: importing allauth's form there would import itself.
"""

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm
from allauth.account.utils import filter_users_by_email
from django.shortcuts import redirect
from django.urls import reverse

from portal import services


class PortalSignupForm(SignupForm):
    """When the number or email already has an account, no error says so: nothing is created,
    the account's owner is told (by mail now, by text once texts are sent), and the visitor sees
    the same "check your messages" page whichever of the two was taken.
    """

    def validate_unique_email(self, value):
        if filter_users_by_email(value):
            self.account_already_exists = True
            return value
        return super().validate_unique_email(value)

    def existing_accounts(self) -> list:
        found = {}
        if email := self.cleaned_data.get("email"):
            for user in filter_users_by_email(email):
                found[user.pk] = user
        if phone := self.cleaned_data.get("phone"):
            if user := get_adapter().get_user_by_phone(phone):
                found[user.pk] = user
        return list(found.values())

    def try_save(self, request):
        if not self.account_already_exists:
            return super().try_save(request)
        reset_url = request.build_absolute_uri(reverse("account_reset_password"))
        for user in self.existing_accounts():
            services.tell_of_signup_attempt(user, password_reset_url=reset_url)
        return None, redirect("signup-sent")
