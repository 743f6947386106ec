from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fund.models import FundEntry


@admin.register(FundEntry)
class FundEntryAdmin(SimpleHistoryAdmin):
    """Read-only: the ledger is written through the fund pages' services (append-only)."""

    list_display = [
        "date",
        "kind",
        "category",
        "amount",
        "description",
        "status",
        "proposed_by",
        "approved_by",
        "reverses",
    ]
    list_filter = ["kind", "category", "status"]
    list_select_related = ["proposed_by", "approved_by", "reverses"]
    search_fields = ["description", "donor_name", "reason"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
