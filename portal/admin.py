from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import delivery as delivery_service
from portal.admin_privileges import UserPrivilegesMixin
from portal.admin_readonly import ViewOnlyAdmin
from portal.admin_singleton import SingletonSettingsAdmin
from portal.models import (
    AccountDeletion,
    Announcement,
    Broadcast,
    Community,
    Delivery,
    Household,
    HouseholdMember,
    MobileReveal,
    Notice,
    Partner,
    PartnerMember,
    User,
)
from portal.people import mask_phone
from portal.people_admin import (
    HouseholdPeopleMixin,
    MemberInlineMixin,
    MemberPeopleMixin,
    UserPeopleMixin,
)
from portal.privacy import describe
from portal.roles import role_label
from portal.validators import normalize_mobile


class HouseholdMemberInline(MemberInlineMixin, admin.TabularInline):
    model = HouseholdMember
    fields = ["name", "relation", "birth_date", "user", "left_on"]
    readonly_fields = ["left_on"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Household)
class HouseholdAdmin(HouseholdPeopleMixin, admin.ModelAdmin):
    list_display = ["__str__", "building", "unit", "room", "created_at"]
    search_fields = ["building", "unit", "room", "members__name", "users__real_name"]
    inlines = [HouseholdMemberInline]
    ordering = ["building", "unit", "room"]


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(MemberPeopleMixin, admin.ModelAdmin):
    list_display = ["__str__", "relation", "birth_date", "household", "left_on"]
    list_filter = ["relation", ("left_on", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__real_name", "user__mobile"]
    list_select_related = ["household", "user"]
    raw_id_fields = ["household", "user"]
    # Who removed a member and when: the household's own record of it.
    readonly_fields = ["left_on", "left_recorded_by"]


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
class UserAdmin(
    UserPeopleMixin, UserPrivilegesMixin, MobileFieldMixin, TranslatedRolesMixin, DjangoUserAdmin
):
    list_display = [
        "display_name",
        "masked_mobile",
        "email",
        "building",
        "unit",
        "room",
        "is_staff",
    ]
    list_filter = [
        "is_staff",
        "is_superuser",
        "is_active",
        "mobile_verified",
        ("groups", RoleListFilter),
    ]
    search_fields = ["real_name", "mobile", "email", "username"]
    ordering = ["-date_joined"]
    raw_id_fields = ["household"]
    readonly_fields = [
        "privacy_consented_at",
        "last_login",
        "date_joined",
        "mobile_verified",
        "mobile_verified_at",
        "mobile_verified_by",
    ]
    actions = ["mark_mobile_verified"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Profile"),
            {"fields": ["real_name", "mobile", "email", "birth_date", "large_text"]},
        ),
        (
            _("Mobile verification"),
            {"fields": ["mobile_verified", "mobile_verified_at", "mobile_verified_by"]},
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

    @admin.action(
        description=_("Mark the mobile verified (confirmed in person at the office)"),
        permissions=["change"],
    )
    def mark_mobile_verified(self, request, queryset):
        from portal import services

        done = sum(services.mark_mobile_verified(u, by=request.user) for u in queryset)
        self.message_user(
            request,
            _("%(count)d mobile numbers marked verified by you.") % {"count": done},
            messages.SUCCESS,
        )


@admin.register(Community)
class CommunityAdmin(SingletonSettingsAdmin):
    """The community's settings, in sections (the changelist goes straight to the one row)."""

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


@admin.register(AccountDeletion)
class AccountDeletionAdmin(ViewOnlyAdmin):
    """The log of deleted accounts: read-only, and free of personal data by construction."""

    list_display = ["__str__", "deleted_at", "removed_summary", "kept_summary"]
    date_hierarchy = "deleted_at"
    fields = ["account_id", "deleted_at", "removed_summary", "kept_summary"]
    readonly_fields = fields

    @admin.display(description=_("removed"))
    def removed_summary(self, obj):
        return _summary(obj.removed)

    @admin.display(description=_("kept, pseudonymised"))
    def kept_summary(self, obj):
        return _summary(obj.kept)


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """What a person was told, for answering "did I get word?" at the office; written only by
    `portal.notices.notify`."""

    list_display = ["created_at", "recipient", "kind", "text", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["text", "recipient__real_name", "recipient__mobile"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["recipient", "kind", "text", "url", "key", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MobileReveal)
class MobileRevealAdmin(ViewOnlyAdmin):
    """The log of full mobile numbers shown: read by community admins, written by nobody."""

    list_display = ["shown_at", "viewer", "person", "place", "reason"]
    search_fields = ["viewer__real_name", "person__real_name", "reason"]
    date_hierarchy = "shown_at"
    list_select_related = ["viewer", "person"]
    readonly_fields = ["shown_at", "viewer", "person", "place", "reason"]


def _summary(counts: dict) -> str:
    return "; ".join(f"{name}: {n}" for name, n in describe(counts)) or "—"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The outbox: what went, what waits and what failed, and why. Rows are the worker's record:
    staff read them and resend failures, never edit them."""

    list_display = [
        "created_at",
        "user",
        "channel",
        "kind",
        "state",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["state", "channel", "kind", "urgent"]
    search_fields = ["user__real_name", "to", "kind"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [
        "user",
        "channel",
        "kind",
        "to",
        "subject",
        "text",
        "params",
        "urgent",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "last_error",
        "provider_message_id",
        "key",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Send the selected failed messages again"), permissions=["change"])
    def resend(self, request, queryset):
        queued = sum(delivery_service.resend(row) for row in queryset)
        skipped = queryset.count() - queued
        self.message_user(
            request,
            _("%(queued)d queued again; %(skipped)d skipped (only failed messages are resent).")
            % {"queued": queued, "skipped": skipped},
            messages.SUCCESS if queued else messages.WARNING,
        )


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    """Staff messages to many: who sent what to how many, and how far the worker got."""

    list_display = ["created_at", "title", "source", "created_by", "state", "processed"]
    list_filter = ["state", "source"]
    search_fields = ["title", "text"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    exclude = ["recipients"]
    readonly_fields = [
        "source",
        "title",
        "text",
        "url",
        "back_url",
        "processed",
        "state",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartnerMemberInline(admin.TabularInline):
    model = PartnerMember
    fields = ["name", "user", "registered_on"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    """The one list of partner organisations (辖区单位): community admins keep it, classes staff
    keep their partner institutions (`portal.roles`); the contact phone is masked in the list."""

    list_display = ["name", "kind", "contact_name", "masked_contact_phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "contact_name"]
    raw_id_fields = ["contact_user"]
    inlines = [PartnerMemberInline]

    @admin.display(description=_("contact phone"), ordering="contact_phone")
    def masked_contact_phone(self, obj):
        return mask_phone(obj.contact_phone)

    def get_inlines(self, request, obj):
        # the registered party members are the alliance's and the community's, not the classroom's
        if request.user.has_perm("portal.view_partnermember"):
            return self.inlines
        return []
