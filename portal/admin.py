from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.models import Announcement, Community, Household, HouseholdMember, User


class HouseholdMemberInline(admin.TabularInline):
    model = HouseholdMember
    fields = ["name", "relation", "birth_date", "user"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["__str__", "building", "unit", "room", "created_at"]
    search_fields = ["building", "unit", "room", "members__name", "users__real_name"]
    inlines = [HouseholdMemberInline]
    ordering = ["building", "unit", "room"]


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "relation", "birth_date", "household"]
    list_filter = ["relation"]
    search_fields = ["name", "user__real_name", "user__mobile"]
    list_select_related = ["household", "user"]
    raw_id_fields = ["household", "user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["display_name", "mobile", "email", "building", "unit", "room", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["real_name", "mobile", "email", "username"]
    ordering = ["-date_joined"]
    raw_id_fields = ["household"]
    readonly_fields = ["privacy_consented_at", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Profile"),
            {"fields": ["real_name", "mobile", "email", "birth_date", "large_text"]},
        ),
        (_("Address"), {"fields": ["building", "unit", "room", "household"]}),
        (
            _("Roles"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["privacy_consented_at", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "real_name", "mobile", "password1", "password2"],
            },
        )
    ]


@admin.register(Community)
class CommunityAdmin(SimpleHistoryAdmin):
    """One row of settings: the changelist goes straight to it."""

    fieldsets = [
        (
            _("Community"),
            {
                "fields": [
                    "name",
                    "subdistrict",
                    "committee_name",
                    "street_address",
                    "phone",
                    "email",
                    "office_hours",
                    "about",
                ]
            },
        ),
        (_("Volunteers"), {"fields": ["service_day_of_month"]}),
        (
            _("Canteen"),
            {
                "fields": [
                    "meal_price_min",
                    "meal_price_max",
                    "elder_age",
                    "elder_subsidy",
                    "love_meal_day_of_month",
                ]
            },
        ),
        (_("Classes"), {"fields": ["child_age_min", "child_age_max"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        Community.current()
        return redirect("admin:portal_community_change", 1)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "pinned", "published_at", "created_by"]
    list_filter = ["is_published", "pinned"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    list_select_related = ["created_by"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
