"""Rows that only a service writes, shown in the admin and never written there."""

from django.contrib import admin


class ViewOnlyAdmin(admin.ModelAdmin):
    """A model admin for rows written only by the portal's services (ledgers, logs, a register's
    marks): staff see them; nobody adds, changes or deletes them in the admin, whatever their
    permissions. Corrections go through the service, which records who and when."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
