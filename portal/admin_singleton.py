"""The admin of a one-row settings model (`portal.singleton.SingletonSettings`)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from simple_history.admin import SimpleHistoryAdmin


class SingletonSettingsAdmin(SimpleHistoryAdmin):
    """The changelist goes straight to the one row (made with the defaults if it is missing):
    nobody adds a second row or deletes the one every page reads. The history stays."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = self.model.current()
        opts = self.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", row.pk)
