from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from alliance.models import AllianceSettings, HomeVisit, Need


@admin.register(AllianceSettings)
class AllianceSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "board_min_households", "visit_overdue_months"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not AllianceSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "category", "source", "urgency", "state", "received_at"]
    list_filter = ["state", "kind", "category", "source", "urgency"]
    list_select_related = ["author"]
    search_fields = ["title", "description"]
    raw_id_fields = ["author", "household", "home_visit", "merged_into", "answered_by"]
    date_hierarchy = "received_at"


@admin.register(HomeVisit)
class HomeVisitAdmin(admin.ModelAdmin):
    list_display = ["household", "visited_on", "recorded_by"]
    list_select_related = ["household", "recorded_by"]
    raw_id_fields = ["household", "recorded_by", "visitors"]
    date_hierarchy = "visited_on"


from alliance import questionnaire_admin  # noqa: E402, F401  (the questionnaires' admin)
