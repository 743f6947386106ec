from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from portal.cache import cached, person


class CachedUserMixin:
    """The logged-in user's row (and roles) read through the cache.

    Every page of a logged-in resident loads their row, and most ask for one of their roles. Both
    are kept in the person's own cache namespace: saving or deleting their account (a password, a
    deactivation) or a change of their roles makes the kept row stale. Permissions are not kept:
    they are read when a page checks them.

    The session remembers which backend logged the user in (allauth's for the log-in form, the
    model backend for `force_login`), so both are given this `get_user`.
    """

    def get_user(self, user_id):
        return cached(f"auth-user:{user_id}", (person(user_id),), lambda: self._load(user_id))

    def _load(self, user_id):
        model = get_user_model()
        try:
            # The groups come along, so `has_role()` asks the database nothing more.
            user = model._default_manager.prefetch_related("groups").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class CachedModelBackend(CachedUserMixin, ModelBackend):
    """Django's model backend, with `CachedUserMixin.get_user`."""


class CachedAuthenticationBackend(CachedUserMixin, AuthenticationBackend):
    """allauth's backend (log-in by mobile or email), with `CachedUserMixin.get_user`."""
