from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events import services
from events.models import (
    Activity,
    Booking,
    Event,
    Question,
    Registration,
    StallApplication,
    Track,
)
from portal.admin_capacity import (
    CallsOffAdmin,
    CapacityThroughServiceAdmin,
    KeepsBookedRowsAdmin,
    TellsOfMovesAdmin,
)
from portal.cache import changed as cache_changed


class TrackInline(admin.TabularInline):
    model = Track
    fields = ["position", "name", "theme"]
    extra = 0


class ActivityInline(admin.TabularInline):
    """The festival's activities at a glance; each opens in its own form (questions, poster)."""

    model = Activity
    fields = ["title", "track", "kind", "starts_at", "place", "needs_registration", "capacity"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class WebImagePreview:
    """The web-sized copy of an event's or activity's image, read-only on its form."""

    @admin.display(description=_("web-sized image"))
    def preview(self, obj):
        if not obj.thumbnail:
            return "—"
        return format_html('<img src="{}" alt="" width="240">', obj.thumbnail.url)


def _live_registrations(registrations) -> list[str]:
    registrations = registrations.active().select_related("activity", "member")
    return [f"{reg.activity} · {reg.person_name}" for reg in registrations]


@admin.register(Event)
class EventAdmin(KeepsBookedRowsAdmin, WebImagePreview, admin.ModelAdmin):
    list_display = ["title", "kind", "starts_on", "ends_on", "is_published", "cloned_from"]
    list_filter = ["kind", "is_published"]
    search_fields = ["title", "summary"]
    list_select_related = ["cloned_from"]
    date_hierarchy = "starts_on"
    readonly_fields = ["preview", "cloned_from"]
    inlines = [TrackInline, ActivityInline]
    actions = ["clone_as_draft", "publish", "unpublish"]

    def live_places(self, objs):
        return _live_registrations(Registration.objects.filter(activity__event__in=objs))

    @admin.action(description=_("Copy to next year as an unpublished draft"))
    def clone_as_draft(self, request, queryset):
        for event in queryset:
            try:
                starts_on = event.starts_on.replace(year=event.starts_on.year + 1)
            except ValueError:  # 29 February
                starts_on = event.starts_on.replace(year=event.starts_on.year + 1, day=28)
            copy = services.clone_event(event, starts_on=starts_on)
            self.message_user(
                request,
                _("Copied “%(title)s” as a draft starting %(day)s.")
                % {"title": copy.title, "day": copy.starts_on},
                messages.SUCCESS,
            )

    @admin.action(description=_("Publish"))
    def publish(self, request, queryset):
        n = queryset.update(is_published=True)
        cache_changed("events")  # update() sends no signals
        self.message_user(request, ngettext("%d event published.", "%d events published.", n) % n)

    @admin.action(description=_("Unpublish"))
    def unpublish(self, request, queryset):
        n = queryset.update(is_published=False)
        cache_changed("events")
        self.message_user(
            request, ngettext("%d event unpublished.", "%d events unpublished.", n) % n
        )


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "position", "theme"]
    list_filter = ["event"]
    search_fields = ["name", "theme"]
    list_select_related = ["event"]
    raw_id_fields = ["event"]


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "label", "label_en", "kind", "choices", "required"]
    extra = 0


@admin.register(Activity)
class ActivityAdmin(
    CallsOffAdmin,
    KeepsBookedRowsAdmin,
    TellsOfMovesAdmin,
    CapacityThroughServiceAdmin,
    WebImagePreview,
    admin.ModelAdmin,
):
    list_display = [
        "title",
        "event",
        "track",
        "kind",
        "starts_at",
        "place",
        "needs_registration",
        "capacity",
    ]
    list_filter = ["event", "kind", "audience", "needs_registration", "track__name"]
    search_fields = ["title", "place", "description"]
    list_select_related = ["event", "track"]
    raw_id_fields = ["event", "track"]
    readonly_fields = ["preview"]
    inlines = [QuestionInline]
    fieldsets = [
        (
            None,
            {"fields": ["event", "track", ("title", "title_en"), "kind", "description", "place"]},
        ),
        (_("When"), {"fields": ["starts_at", "ends_at"]}),
        (_("Who for"), {"fields": ["audience", "min_age", "max_age", "adults_accompany"]}),
        (
            _("Registration"),
            {
                "fields": [
                    "needs_registration",
                    "capacity",
                    "household_limit",
                    "registration_opens_at",
                    "registration_closes_at",
                    "cancel_until",
                    "stall_count",
                ]
            },
        ),
        (_("Poster"), {"fields": ["image", "preview"]}),
    ]

    capacity_service = services.set_capacity
    capacity_errors = (services.EventError,)

    move_fields = ("starts_at", "ends_at", "place")
    moved_service = services.tell_activity_moved

    call_off_service = services.call_off_activity
    call_off_places = services.places_to_call_off
    call_off_errors = (services.EventError,)

    def live_places(self, objs):
        return _live_registrations(Registration.objects.filter(activity__in=objs))

    def moved_message(self, count):
        return ngettext(
            "%(count)d household was told of the new time or place.",
            "%(count)d households were told of the new time or place.",
            count,
        ) % {"count": count}

    def promoted_message(self, count):
        return _("%(count)s waiting bookings got a place and were told.") % {"count": count}


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ["member", "walk_in_name", "status", "ticket_code", "checked_in_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "activity", "household", "booked_by", "entered_by", "created_at"]
    list_select_related = ["activity", "household", "booked_by", "entered_by"]
    search_fields = ["booked_by__real_name", "booked_by__mobile", "activity__title"]
    list_filter = ["activity__event"]
    readonly_fields = ["activity", "household", "booked_by", "entered_by", "created_at"]
    inlines = [RegistrationInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # see RegistrationAdmin


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Look-up only: registrations change through the portal so capacity rules always apply."""

    list_display = [
        "__str__",
        "activity",
        "status",
        "ticket_code",
        "created_at",
        "checked_in_at",
    ]
    list_filter = ["status", "activity__event", "activity"]
    search_fields = [
        "member__name",
        "member__user__real_name",
        "walk_in_name",
        "ticket_code",
        "activity__title",
    ]
    list_select_related = ["activity", "member__user"]
    raw_id_fields = ["booking", "activity", "member", "cancelled_by", "checked_in_by"]
    readonly_fields = [
        "booking",
        "activity",
        "member",
        "walk_in_name",
        "status",
        "answers",
        "ticket_code",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "cancelled_by",
        "checked_in_at",
        "checked_in_by",
    ]
    exclude = ["ticket_token"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # cancelling goes through the portal, which promotes the waiting list


@admin.register(StallApplication)
class StallApplicationAdmin(admin.ModelAdmin):
    list_display = ["goods", "activity", "applicant", "status", "stall_number", "decided_at"]
    list_filter = ["status", "activity"]
    search_fields = ["goods", "applicant__real_name", "applicant__mobile"]
    list_select_related = ["activity", "applicant"]
    raw_id_fields = ["activity", "applicant", "decided_by"]
    readonly_fields = ["status", "stall_number", "decision_reason", "decided_at", "decided_by"]
