from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Announcement, Community, Household, HouseholdMember, User
from portal.roles import role_label
from portal.validators import normalize_mobile


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


# Staff read roles and permissions in their language ------------------------------------------

PERMISSION_ACTIONS = {
    "add": pgettext_lazy("permission", "Can add %(model)s"),
    "change": pgettext_lazy("permission", "Can change %(model)s"),
    "delete": pgettext_lazy("permission", "Can delete %(model)s"),
    "view": pgettext_lazy("permission", "Can view %(model)s"),
}


def permission_label(perm: Permission) -> str:
    """ "Module | what | action" in the active language (the stored names are English)."""
    model = perm.content_type.model_class()
    action = perm.codename.split("_", 1)[0]
    if model is None or perm.codename != f"{action}_{model._meta.model_name}":
        return str(perm)
    if action not in PERMISSION_ACTIONS:
        return str(perm)
    what = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    return f"{model._meta.app_config.verbose_name} | {what}"


class TranslatedRolesMixin:
    """Role groups and permissions listed by their translated names in the admin's forms."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name == "groups":
            field.label_from_instance = lambda group: role_label(group.name)
        elif field is not None and db_field.name in ("permissions", "user_permissions"):
            field.queryset = field.queryset.select_related("content_type")
            field.label_from_instance = permission_label
        return field


class RoleListFilter(admin.RelatedFieldListFilter):
    """The users list's filter by role, with the roles' translated names."""

    def field_choices(self, field, request, model_admin):
        return [(g.pk, role_label(g.name)) for g in Group.objects.order_by("name")]


class MobileFieldMixin:
    """The account's mobile number takes what the sign-up form takes ("139 0000 1234", +86…)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "mobile":
            from portal.adapters import MobileField

            return MobileField(label=db_field.verbose_name, required=False, empty_value=None)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        mobile = normalize_mobile(search_term)
        if mobile.isdigit() and mobile != search_term.strip():
            search_term = mobile  # "139 0000 1234" finds 13900001234
        return super().get_search_results(request, queryset, search_term)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(TranslatedRolesMixin, GroupAdmin):
    list_display = ["role", "name"]

    @admin.display(description=_("Role"), ordering="name")
    def role(self, group):
        return role_label(group.name)


@admin.register(User)
class UserAdmin(MobileFieldMixin, TranslatedRolesMixin, DjangoUserAdmin):
    list_display = ["display_name", "mobile", "email", "building", "unit", "room", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", ("groups", RoleListFilter)]
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
class CommunityAdmin(admin.ModelAdmin):
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
        (_("Events"), {"fields": ["event_check_in_opens_hours"]}),
        (
            _("Canteen"),
            {
                "fields": [
                    "meal_price_min",
                    "meal_price_max",
                    "love_meal_day_of_month",
                ]
            },
        ),
        (_("Classes"), {"fields": ["child_age_min", "child_age_max"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        """The canteen's section points to the subsidy rules, where the elders' subsidy is set."""
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            if "meal_price_min" in options["fields"]:
                options = {**options}
                options["description"] = format_html(
                    '{} <a href="{}">{}</a>',
                    _(
                        "The elders' subsidy (from which age, how much per meal, who pays, "
                        "from when) is set in the subsidy rules: the counter charges by them."
                    ),
                    reverse("admin:canteen_subsidyrule_changelist"),
                    _("Open the subsidy rules"),
                )
            fieldsets.append((title, options))
        return fieldsets

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
