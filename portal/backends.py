from django.contrib.auth.backends import ModelBackend

from portal.cache import cached


class CachedModelBackend(ModelBackend):
    """Django's model backend, with the logged-in user's row read through the cache.

    Every page of a logged-in resident loads their row. It is kept under the "people"
    generation: saving or deleting any account or household (a password, a role's staff flag, a
    deactivation, a move) and any write in the admin make every kept row stale. Permissions and
    groups are not kept: they are read from the database when a page checks them.
    """

    def get_user(self, user_id):
        return cached(
            f"auth-user:{user_id}",
            ("people",),
            lambda: super(CachedModelBackend, self).get_user(user_id),
        )
