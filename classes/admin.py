from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from classes import services
from classes.models import (
    Attendance,
    ClassroomSettings,
    ClassSession,
    Course,
    Enrolment,
    FeePayment,
    LotteryDraw,
    Teacher,
    Term,
    TimetableSlot,
    VolunteerOffer,
)
from portal.admin_capacity import CapacityThroughServiceAdmin, RefusedSaveAdmin
from portal.admin_readonly import ViewOnlyAdmin
from portal.admin_singleton import SingletonSettingsAdmin
from portal.lib import params


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "user"]
    list_filter = ["institution"]
    list_select_related = ["institution", "user"]
    search_fields = ["name", "user__real_name", "user__mobile"]
    raw_id_fields = ["user"]


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    search_fields = ["name"]
    date_hierarchy = "starts_on"


class TimetableSlotInline(admin.TabularInline):
    model = TimetableSlot
    extra = 1


class CourseActionForm(ActionForm):
    term = forms.ModelChoiceField(Term.objects.all(), required=False, label=_("Copy to term"))


class CourseAdminForm(forms.ModelForm):
    """The admin builds the fields; this adds the service's refusal of too few places."""

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        reason = services.capacity_refusal(self.instance, capacity)
        if reason:
            raise forms.ValidationError(reason)
        return capacity


@admin.register(Course)
class CourseAdmin(CapacityThroughServiceAdmin, SimpleHistoryAdmin):
    form = CourseAdminForm
    list_display = [
        "title",
        "term",
        "subject",
        "institution",
        "teacher",
        "age_min",
        "age_max",
        "capacity",
        "fee",
        "mode",
        "is_published",
    ]
    list_filter = ["term", "subject", "mode", "institution", "is_published"]
    list_select_related = ["term", "institution", "teacher"]
    search_fields = ["title", "description", "place"]
    autocomplete_fields = ["term", "institution", "teacher"]
    # The seed stays hidden until the draw, from staff too: knowing it, one could time entries.
    readonly_fields = ["lottery_commitment", "revealed_seed", "lottery_drawn_at", "copied_from"]
    inlines = [TimetableSlotInline]
    action_form = CourseActionForm
    actions = ["generate_sessions", "copy_to_term"]

    capacity_service = services.set_capacity
    capacity_errors = (services.ClassesError,)

    def promoted_message(self, count):
        return ngettext(
            "%(count)d child on the waiting list got a place; the parent was told.",
            "%(count)d children on the waiting list got a place; the parents were told.",
            count,
        ) % {"count": count}

    def save_related(self, request, form, formsets, change):
        """A new course gets its term's sessions from the weekly timetable at once (teachers and
        parents see its timetable); a changed timetable offers to regenerate future sessions."""
        super().save_related(request, form, formsets, change)
        course = form.instance
        if not change or not course.sessions.exists():
            made = services.generate_sessions(course)
            self.message_user(
                request,
                ngettext(
                    "%(count)d session created from the weekly timetable.",
                    "%(count)d sessions created from the weekly timetable.",
                    made,
                )
                % {"count": made},
            )
            return
        timetable_changed = (
            any(fs.model is TimetableSlot and fs.has_changed() for fs in formsets)
            or form.has_changed()
            and "term" in form.changed_data
        )
        if timetable_changed:
            url = reverse("admin:classes_course_regenerate", args=[course.pk])
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("The weekly timetable changed; the sessions already planned did not."),
                    url,
                    _("Regenerate the future sessions"),
                ),
                messages.WARNING,
            )

    def get_urls(self):
        return [
            path(
                "<int:pk>/regenerate/",
                self.admin_site.admin_view(self.regenerate_view),
                name="classes_course_regenerate",
            ),
            *super().get_urls(),
        ]

    def regenerate_view(self, request, pk):
        """Confirm, then bring the future sessions in line with the timetable (a POST)."""
        course = get_object_or_404(Course.objects.select_related("term"), pk=pk)
        if not self.has_change_permission(request, course):
            raise PermissionDenied
        today = timezone.localdate()
        change_url = reverse("admin:classes_course_change", args=[course.pk])
        if request.method == "POST":
            done = services.regenerate_future_sessions(course, today=today)
            self.message_user(
                request,
                _(
                    "Future sessions regenerated: %(created)d created, %(removed)d removed, "
                    "%(kept)d kept (they have a register, a move or a cancellation)."
                )
                % done,
            )
            return redirect(change_url)
        ctx = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "course": course,
            "preview": services.timetable_change_preview(course, today=today),
            "today": today,
            "change_url": change_url,
            "title": _("Regenerate the future sessions"),
        }
        return TemplateResponse(request, "admin/classes/course/regenerate.html", ctx)

    @admin.display(description=_("lottery seed"))
    def revealed_seed(self, obj):
        return obj.lottery_seed if obj.lottery_drawn_at else "—"

    @admin.action(description=_("Generate the term's sessions from the weekly timetable"))
    def generate_sessions(self, request, queryset):
        made = sum(services.generate_sessions(course) for course in queryset.select_related("term"))
        self.message_user(
            request,
            ngettext("%(count)d session created.", "%(count)d sessions created.", made)
            % {"count": made},
        )

    @admin.action(description=_("Copy to another term (choose the term below)"))
    def copy_to_term(self, request, queryset):
        try:
            term_id = params.parse_int(request.POST.get("term"), 0)
        except params.BadParameter:
            term_id = 0
        term = Term.objects.filter(pk=term_id).first()
        if term is None:
            self.message_user(request, _("Choose the term to copy to."), messages.ERROR)
            return
        copied = 0
        for course in queryset.select_related("term"):
            try:
                copy = services.copy_course(course, term)
            except services.ClassesError as e:
                self.message_user(request, f"{course}: {e}", messages.WARNING)
            else:
                services.generate_sessions(copy)  # a new course comes with its sessions
                copied += 1
        self.message_user(
            request,
            ngettext("%(count)d course copied.", "%(count)d courses copied.", copied)
            % {"count": copied},
        )


# What moving a session changes: the parents are told.
MOVE_FIELDS = {"date", "starts_at", "ends_at", "place"}


class ClassSessionAdminForm(forms.ModelForm):
    """A new day, time or place is a move: refused as the register page would refuse it."""

    def clean(self):
        cleaned = super().clean()
        # The instance still holds the saved session here: the form's values are put on it after.
        if self.instance.pk is None or not MOVE_FIELDS & set(self.changed_data):
            return cleaned
        day, starts_at, ends_at = (cleaned.get(f) for f in ("date", "starts_at", "ends_at"))
        if day and starts_at and ends_at:
            reason = services.move_refusal(
                self.instance, day=day, starts_at=starts_at, ends_at=ends_at
            )
            if reason:
                raise forms.ValidationError(reason)
        return cleaned


@admin.register(ClassSession)
class ClassSessionAdmin(RefusedSaveAdmin, admin.ModelAdmin):
    form = ClassSessionAdminForm
    list_display = ["course", "date", "starts_at", "ends_at", "hours", "status"]
    list_filter = ["status", "course__term", "course__institution"]
    list_select_related = ["course"]
    search_fields = ["course__title"]
    date_hierarchy = "date"
    raw_id_fields = ["course"]
    # cancelled on the register page (which tells the parents), held when the register is taken
    readonly_fields = ["status", "hours", "register_taken_at", "moved_from"]

    def save_model(self, request, obj, form, change):
        """A new day, time or place goes through `services.move_session`, which tells the
        parents, as on the register page; the rest of the form is saved with it."""
        if not change or not MOVE_FIELDS & set(form.changed_data):
            return super().save_model(request, obj, form, change)
        try:
            with transaction.atomic():
                told = services.move_session(
                    obj,
                    day=obj.date,
                    starts_at=obj.starts_at,
                    ends_at=obj.ends_at,
                    place=obj.place,
                )
                obj.moved_from = ClassSession.objects.values_list("moved_from", flat=True).get(
                    pk=obj.pk
                )
                super().save_model(request, obj, form, change)
        except services.RegisterError as error:  # a register taken since the form was checked
            self.refuse_save(request, error)
            return
        self.message_user(
            request, _("Session moved; %(count)s parents were told.") % {"count": told}
        )


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["child", "course", "status", "created_at", "queued_at", "photo_consent"]
    list_filter = ["status", "course__term", "course"]
    list_select_related = ["child", "child__user", "course__term"]
    search_fields = ["child__name", "course__title", "enrolled_by__real_name"]
    # Places are given only by the enrolment services (capacity, waiting order, lottery); the
    # admin shows them and lets staff correct consents, not move children past the rules.
    readonly_fields = [
        "course",
        "child",
        "enrolled_by",
        "status",
        "fee",
        "created_at",
        "queued_at",
        "placed_at",
        "withdrawn_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Attendance)
class AttendanceAdmin(ViewOnlyAdmin):
    """Marks are taken and corrected on the session's register page (`services.take_register`:
    only children enrolled in the course, who marked and when): here they are only shown."""

    list_display = ["enrolment", "session", "mark", "marked_by", "marked_at"]
    list_filter = ["mark", "session__course__term"]
    list_select_related = [
        "enrolment__child",
        "enrolment__course__term",
        "session__course",
        "marked_by",
    ]
    search_fields = ["enrolment__child__name", "session__course__title"]
    raw_id_fields = ["session", "enrolment", "marked_by"]


@admin.register(VolunteerOffer)
class VolunteerOfferAdmin(admin.ModelAdmin):
    list_display = ["user", "message", "forwarded", "created_at"]
    list_filter = ["forwarded"]
    list_select_related = ["user"]
    search_fields = ["user__real_name", "user__mobile", "message"]
    raw_id_fields = ["user", "enrolment"]


@admin.register(LotteryDraw)
class LotteryDrawAdmin(admin.ModelAdmin):
    """Read-only: draws are made and re-made through the roster, with a reason (append-only)."""

    list_display = ["course", "number", "drawn_at", "drawn_by", "reason"]
    list_select_related = ["course__term", "drawn_by"]
    search_fields = ["course__title", "reason"]
    date_hierarchy = "drawn_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ClassroomSettings, SingletonSettingsAdmin)


@admin.register(FeePayment)
class FeePaymentAdmin(admin.ModelAdmin):
    """Read-only: fees are recorded from the roster, which posts the fund's share with them."""

    list_display = ["received_at", "enrolment", "amount", "fund_share_percent", "received_by"]
    list_select_related = ["enrolment__child", "enrolment__course__term", "received_by"]
    search_fields = ["enrolment__course__title", "enrolment__child__name"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
