"""Who may grant what in the user admin.

Only a superuser may grant superuser or staff status, groups (roles) or single permissions, or
change a staff member's or a superuser's account at all (its password, its email or mobile, which
a password reset goes to, whether it is active). Anyone else who may change users (the community
admin) manages residents: their profile, address, household, password and whether they are
active. The rules hold for the change form, the add form, the password form, the delete view and
the bulk delete action; fields a person may not change are not in their form, so a tampered POST
that sends them anyway changes nothing.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal import roles

# Fields only a superuser may set.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


def _privileged_q() -> Q:
    return Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name__in=roles.ADMIN_ROLES)


def is_privileged(user) -> bool:
    """A superuser, a staff account, or the holder of a staff role (even before it is staff)."""
    if user.is_staff or user.is_superuser:
        return True
    cached = getattr(user, "_is_privileged", None)
    if cached is None:
        cached = type(user)._default_manager.filter(_privileged_q(), pk=user.pk).exists()
        user._is_privileged = cached
    return cached


class UserPrivilegesMixin:
    """For a ModelAdmin of the user model: non-superusers cannot grant privileges or touch staff."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Single permissions mean nothing to a community admin; the rest shows read-only.
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != "user_permissions"]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in PRIVILEGE_FIELDS if f not in readonly]
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser:
            # Whatever a fieldset or a caller's `fields` says, these never reach the form.
            form.base_fields = {
                name: field
                for name, field in form.base_fields.items()
                if name not in PRIVILEGE_FIELDS
            }
        return form

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and not request.user.is_superuser:
            return not is_privileged(obj)
        return allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None and not request.user.is_superuser:
            return not is_privileged(obj)
        return allowed

    def get_deleted_objects(self, objs, request):
        """The bulk delete action asks only this: refuse when a staff account is among them."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not request.user.is_superuser:
            pks = [obj.pk for obj in objs]
            if self.model._default_manager.filter(_privileged_q(), pk__in=pks).exists():
                perms_needed = {*perms_needed, str(_("staff accounts"))}
        return deleted, counts, perms_needed, protected
