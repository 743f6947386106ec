"""Admin for the volunteer module. Leaders (who are not coordinators) see only their teams' rows."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from portal import roles
from portal.admin_capacity import (
    CallsOffAdmin,
    CapacityThroughServiceAdmin,
    KeepsBookedRowsAdmin,
    TellsOfMovesAdmin,
)
from portal.admin_singleton import SingletonSettingsAdmin
from volunteers import services
from volunteers.models import (
    SOURCE_LABELS,
    Certificate,
    CorrectionRequest,
    HoursEntry,
    Membership,
    Post,
    PostTemplate,
    ServiceDay,
    Signup,
    Team,
    VolunteerProfile,
    VolunteerSettings,
)


def _sees_everything(request) -> bool:
    return request.user.is_superuser or request.user.has_role(roles.VOLUNTEER_COORDINATOR)


class TeamScopedAdmin(admin.ModelAdmin):
    """Scope rows to the leader's own teams; `team_path` is the lookup to the row's team."""

    team_path = "team"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if _sees_everything(request):
            return qs
        return qs.filter(**{f"{self.team_path}__leader": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # a leader can only put rows on their own team
        if db_field.name == "team" and not _sees_everything(request):
            kwargs["queryset"] = Team.objects.filter(leader=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(VolunteerSettings)
class VolunteerSettingsAdmin(SingletonSettingsAdmin):
    readonly_fields = ["star_levels_understood"]

    @admin.display(description=_("star levels as understood"))
    def star_levels_understood(self, obj):
        return obj.star_levels_text() if obj else ""


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "leader", "is_open", "sort_order"]
    list_filter = ["is_open"]
    search_fields = ["name", "description", "leader__real_name"]
    list_select_related = ["leader"]
    raw_id_fields = ["leader"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if _sees_everything(request) else qs.filter(leader=request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.leader_id:
            # the leader's pages need no role, but the admin does (and shows them as staff)
            roles.grant_role(obj.leader, roles.TEAM_LEADER)


class SourceFilter(admin.SimpleListFilter):
    """Filter by where a row came from, by its translated label (never the internal code)."""

    title = _("came from")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [(prefix, label) for prefix, label in SOURCE_LABELS]

    def queryset(self, request, queryset):
        if self.value() in {prefix for prefix, _label in SOURCE_LABELS}:
            return queryset.filter(source__startswith=self.value())
        return queryset


class SourceLabelMixin:
    """Staff read where a membership or post came from in words, not the module's code."""

    @admin.display(description=_("came from"), ordering="source")
    def came_from(self, obj):
        return obj.source_label


@admin.register(Membership)
class MembershipAdmin(SourceLabelMixin, TeamScopedAdmin):
    list_display = ["user", "team", "status", "came_from", "created_at", "decided_by"]
    list_filter = ["status", "team", SourceFilter]
    search_fields = ["user__real_name", "user__mobile", "message"]
    list_select_related = ["user", "team", "decided_by"]
    raw_id_fields = ["user"]
    exclude = ["source"]
    # answered on the leader's or coordinator's page, which grants the volunteer role and tells
    # the applicant; the admin only shows the answer
    readonly_fields = [
        "status",
        "decision_message",
        "decided_by",
        "decided_at",
        "came_from",
        "created_at",
    ]


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(admin.ModelAdmin):
    list_display = ["number", "user", "needs_approval", "show_name_publicly", "created_at"]
    list_filter = ["needs_approval", "show_name_publicly"]
    search_fields = ["number", "user__real_name", "user__mobile"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["number", "no_shows_cleared_at", "no_shows_cleared_by", "created_at"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if _sees_everything(request):
            return qs
        return qs.filter(
            user__volunteer_memberships__team__leader=request.user,
            user__volunteer_memberships__status=Membership.Status.APPROVED,
        ).distinct()

    def save_model(self, request, obj, form, change):
        """Lifting the approval hold goes through the service, as on the leader's page, so the
        earlier no-shows stop counting (else the next one would set the hold again)."""
        super().save_model(request, obj, form, change)
        if change and "needs_approval" in form.changed_data and not obj.needs_approval:
            services.clear_no_shows(obj, by=request.user)


@admin.register(ServiceDay)
class ServiceDayAdmin(admin.ModelAdmin):
    list_display = ["date", "title"]
    date_hierarchy = "date"
    search_fields = ["title", "notes"]


@admin.register(PostTemplate)
class PostTemplateAdmin(TeamScopedAdmin):
    list_display = ["title", "team", "place", "start_time", "end_time", "capacity", "is_active"]
    list_filter = ["is_active", "team"]
    search_fields = ["title", "place", "skills"]
    list_select_related = ["team"]


class SignupInline(admin.TabularInline):
    """Read-only: places are taken and given up through the sign-up workflow (capacity rules)."""

    model = Signup
    fields = ["volunteer", "status", "seat", "attendance", "checked_in_at", "checked_out_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PostAdminForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = [
            "service_day",
            "team",
            "title",
            "place",
            "start",
            "end",
            "capacity",
            "skills",
            "description",
            "residents_served",
            "items_repaired",
            "meals_delivered",
            "outcome_note",
            "created_by",
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("A post must end after it starts."))
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None:
            reason = services.capacity_refusal(self.instance, capacity)
            if reason:
                self.add_error("capacity", reason)
        return cleaned


@admin.register(Post)
class PostAdmin(
    CallsOffAdmin,
    KeepsBookedRowsAdmin,
    TellsOfMovesAdmin,
    CapacityThroughServiceAdmin,
    SourceLabelMixin,
    TeamScopedAdmin,
):
    form = PostAdminForm
    list_display = ["title", "team", "start", "end", "place", "capacity", "came_from"]
    list_filter = ["team", SourceFilter, "service_day"]
    search_fields = ["title", "place", "skills", "description"]
    list_select_related = ["team"]
    raw_id_fields = ["service_day", "created_by"]
    date_hierarchy = "start"
    readonly_fields = ["came_from", "created_at"]
    inlines = [SignupInline]

    capacity_service = services.set_capacity
    capacity_errors = (services.VolunteerError,)

    move_fields = ("start", "end", "place")
    moved_service = services.tell_post_moved

    call_off_service = services.call_off_post
    call_off_places = services.places_to_call_off
    call_off_errors = (services.VolunteerError,)

    def live_places(self, objs):
        return Signup.objects.active().filter(post__in=objs).select_related("volunteer", "post")

    def moved_message(self, count):
        return ngettext(
            "%(count)d volunteer was told of the new time or place.",
            "%(count)d volunteers were told of the new time or place.",
            count,
        ) % {"count": count}

    def promoted_message(self, count):
        return ngettext(
            "%(count)d volunteer on the waiting list got a place and was told.",
            "%(count)d volunteers on the waiting list got a place and were told.",
            count,
        ) % {"count": count}


@admin.register(Signup)
class SignupAdmin(TeamScopedAdmin):
    team_path = "post__team"
    list_display = ["volunteer", "post", "status", "seat", "attendance", "checked_in_at"]
    list_filter = ["status", "attendance", "post__team"]
    search_fields = ["volunteer__real_name", "volunteer__mobile", "post__title"]
    list_select_related = ["volunteer", "post"]
    raw_id_fields = [
        "post",
        "volunteer",
        "checked_in_by",
        "checked_out_by",
        "attendance_marked_by",
        "decided_by",
        "cancelled_by",
        "hours_confirmed_by",
    ]
    date_hierarchy = "created_at"
    # places, the queue and hours go through the services (roster and sign-up pages), so the
    # capacity and ledger rules cannot be bypassed here
    readonly_fields = [
        "post",
        "volunteer",
        "status",
        "seat",
        "attendance",
        "checked_in_at",
        "checked_out_at",
        "checked_in_by",
        "checked_out_by",
        "attendance_marked_by",
        "attendance_marked_at",
        "decided_by",
        "decided_at",
        "cancelled_by",
        "cancelled_at",
        "hours_confirmed_by",
        "hours_confirmed_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HoursEntry)
class HoursEntryAdmin(TeamScopedAdmin):
    """The ledger: rows are never edited or deleted; a correction is a new row with a reason."""

    list_display = ["served_on", "volunteer", "hours", "kind", "team", "reason", "created_by"]
    list_filter = ["kind", "team"]
    search_fields = ["volunteer__real_name", "volunteer__mobile", "reason"]
    list_select_related = ["volunteer", "team", "created_by"]
    raw_id_fields = ["volunteer", "signup", "post", "team"]
    date_hierarchy = "served_on"
    readonly_fields = ["created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f.name for f in self.model._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # ledger rows are read-only
        obj.created_by = request.user
        if obj.kind != HoursEntry.Kind.CORRECTION:
            obj.kind = HoursEntry.Kind.CORRECTION
        super().save_model(request, obj, form, change)


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(TeamScopedAdmin):
    team_path = "signup__post__team"
    list_display = ["signup", "hours", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["signup__volunteer__real_name", "reason"]
    list_select_related = ["signup__post", "signup__volunteer", "decided_by"]
    raw_id_fields = ["signup", "decided_by"]
    # decided on the leader's team page, which writes the ledger row
    readonly_fields = [
        "signup",
        "hours",
        "reason",
        "status",
        "decision_reason",
        "decided_by",
        "decided_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "volunteer_name", "volunteer_number", "hours", "issued_at"]
    search_fields = ["number", "verification_code", "volunteer_name", "volunteer_number"]
    list_select_related = ["volunteer"]
    raw_id_fields = ["volunteer"]
    readonly_fields = [
        "number",
        "verification_code",
        "volunteer",
        "volunteer_name",
        "volunteer_number",
        "hours",
        "posts_served",
        "first_served_on",
        "last_served_on",
        "content",
        "issuer",
        "issued_at",
    ]

    def has_add_permission(self, request):
        return False  # issued by the volunteer or coordinator through the service

    def has_delete_permission(self, request, obj=None):
        return False
