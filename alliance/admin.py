from django.contrib import admin

from alliance.models import (
    AllianceSettings,
    HomeVisit,
    Need,
    Project,
    ProjectUpdate,
    Rating,
    Resource,
)
from portal.admin_singleton import SingletonSettingsAdmin

admin.site.register(AllianceSettings, SingletonSettingsAdmin)


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    """Triage happens on the alliance's own pages (services tell the resident); the admin is
    for looking up and correcting the wording."""

    list_display = ["title", "kind", "category", "source", "urgency", "state", "received_at"]
    list_filter = ["state", "kind", "category", "source", "urgency"]
    search_fields = ["title", "description", "public_summary"]
    raw_id_fields = ["author", "household", "home_visit", "merged_into", "answered_by", "project"]
    readonly_fields = [
        "state",
        "merged_into",
        "reason",
        "answered_at",
        "answered_by",
        "done_at",
        "project",
        "claimed_by",
        "claimed_at",
    ]
    date_hierarchy = "received_at"


@admin.register(HomeVisit)
class HomeVisitAdmin(admin.ModelAdmin):
    list_display = ["household", "visited_on", "recorded_by"]
    list_select_related = ["household", "recorded_by"]
    raw_id_fields = ["household", "recorded_by", "visitors"]
    date_hierarchy = "visited_on"


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "kind", "quantity", "unit", "valid_until", "is_active"]
    list_filter = ["kind", "is_active", "partner"]
    list_select_related = ["partner"]
    search_fields = ["title", "description", "partner__name"]


class ProjectUpdateInline(admin.TabularInline):
    model = ProjectUpdate
    extra = 0
    fields = ["created_at", "text", "photo"]
    readonly_fields = ["created_at"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Projects are created and completed on the alliance's pages (which tell the residents and
    check the outcome); here staff correct the plan, dates and budget."""

    list_display = ["title", "owner", "state", "starts_on", "ends_on", "budget"]
    list_filter = ["state", "owner"]
    list_select_related = ["owner"]
    search_fields = ["title", "plan", "outcome"]
    filter_horizontal = ["resources"]
    raw_id_fields = ["volunteer_posts"]
    readonly_fields = ["state", "closed_at", "created_by"]
    inlines = [ProjectUpdateInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["project", "stars", "created_at"]
    list_filter = ["stars"]
    list_select_related = ["project"]
    search_fields = ["project__title", "comment"]
    readonly_fields = ["project", "user", "stars", "created_at"]

    def has_add_permission(self, request):
        return False  # residents rate on the project's page


from alliance import questionnaire_admin  # noqa: E402, F401  (the questionnaires' admin)
