"""Canteen staff's admin: dishes, slots, menus, the subsidy policy, the ledger (read-only).

Changes to settings, prices, rules, categories and recipients are kept in their history
(django-simple-history: who, when, old and new values; the "History" button); ledger rows cannot
be changed or deleted at all.
"""

from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from canteen import services
from canteen.models import (
    Booking,
    CanteenSettings,
    ClosedMonth,
    Collector,
    Dish,
    LoveMealDelivery,
    LoveMealRecipient,
    MealRecord,
    MealSlot,
    Menu,
    ResidentCategory,
    SubsidyLine,
    SubsidyRule,
)
from portal.admin_capacity import CallsOffAdmin
from portal.admin_readonly import ViewOnlyAdmin
from portal.admin_singleton import SingletonSettingsAdmin

admin.site.register(CanteenSettings, SingletonSettingsAdmin)


@admin.register(MealSlot)
class MealSlotAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "name_en",
        "order",
        "serves_at",
        "booking_cutoff",
        "default_portion_limit",
        "is_active",
    ]
    list_editable = ["order"]


class DishAdminForm(forms.ModelForm):
    """The allergens as tick boxes of the fixed list (stored as comma-separated codes)."""

    allergens = forms.MultipleChoiceField(
        label=_("allergens"),
        choices=Dish.Allergen.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every allergen the dish contains."),
    )

    class Meta:
        model = Dish
        fields = [
            "name",
            "name_en",
            "description",
            "balance",
            "is_soft",
            "is_low_salt",
            "is_low_sugar",
            "allergens",
            "photo",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["allergens"] = [
                c for c in self.instance.allergen_codes if c in Dish.Allergen.values
            ]

    def clean_allergens(self):
        return ",".join(self.cleaned_data["allergens"])


@admin.register(Dish)
class DishAdmin(SimpleHistoryAdmin):
    form = DishAdminForm
    fields = [
        ("name", "name_en"),
        "description",
        "balance",
        ("is_soft", "is_low_salt", "is_low_sugar"),
        "allergens",
        "photo",
        "is_active",
    ]
    list_display = [
        "name",
        "name_en",
        "balance",
        "is_soft",
        "is_low_salt",
        "is_low_sugar",
        "allergens",
        "is_active",
    ]
    list_filter = ["balance", "is_soft", "is_low_salt", "is_low_sugar", "is_active"]
    search_fields = ["name", "description", "allergens"]


@admin.register(Menu)
class MenuAdmin(CallsOffAdmin, SimpleHistoryAdmin):
    list_display = ["day", "slot", "price", "portion_limit", "is_published"]
    list_filter = ["is_published", "slot"]
    date_hierarchy = "day"
    list_select_related = ["slot"]
    filter_horizontal = ["dishes"]
    readonly_fields = ["is_published", "published_at"]
    actions = ["publish"]

    call_off_service = services.call_off_menu
    call_off_places = services.places_to_call_off
    call_off_errors = (services.CanteenError,)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with self._locked_on_post(request, object_id):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # reverting to an earlier version saves the menu too
        with self._locked_on_post(request, object_id):
            return super().history_form_view(request, object_id, version_id, extra_context)

    @contextmanager
    def _locked_on_post(self, request, object_id):
        """A POST changing a menu locks its row first (`services.lock_menu`, the lock a booking
        takes) until the request's transaction ends. The form's check of the portions taken
        (`Menu.clean`) then still holds at the save, and shows its refusal on the form: a booking
        arriving meanwhile waits, and counts against the new limit."""
        if request.method != "POST" or object_id is None:
            yield
            return
        with transaction.atomic():
            menu = self.get_object(request, unquote(object_id))
            if menu is not None:
                services.lock_menu(menu.pk)
            yield

    def save_model(self, request, obj, form, change):
        """Through `services.save_menu`, as on the staff page; the dishes follow in the same
        transaction. The row is locked since before the form's check (`_locked_on_post`), so
        the service's second check finds what the form's found."""
        obj._history_user = request.user  # as SimpleHistoryAdmin.save_model does
        services.save_menu(obj)

    @admin.action(description=_("Publish the selected menus"))
    def publish(self, request, queryset):
        try:
            n = services.publish_menus(list(queryset))
        except services.CanteenError as e:
            self.message_user(request, str(e), messages.ERROR)
        else:
            self.message_user(
                request, ngettext("%(n)d menu published.", "%(n)d menus published.", n) % {"n": n}
            )


@admin.register(SubsidyRule)
class SubsidyRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "valid_from",
        "valid_to",
        "min_age",
        "category",
        "amount",
        "funder",
        "stacks",
    ]
    list_filter = ["funder", "category", "stacks"]
    search_fields = ["name"]


@admin.register(ResidentCategory)
class ResidentCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["member", "category", "valid_from", "valid_to"]
    list_filter = ["category"]
    search_fields = ["member__name", "member__user__real_name", "member__user__mobile"]
    list_select_related = ["member__user"]
    raw_id_fields = ["member"]


@admin.register(Collector)
class CollectorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "relation", "member", "is_active"]
    search_fields = ["name", "member__name", "member__user__real_name"]
    list_select_related = ["member__user"]
    raw_id_fields = ["member"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Look-up, and cancelling for a resident who called: bookings are made through the
    service (the resident's page, the counter's phone booking), which holds the portions."""

    list_display = ["menu", "member", "status", "channel", "created_at"]
    list_filter = ["status", "channel", "menu__slot"]
    search_fields = ["member__name", "member__user__real_name", "member__user__mobile"]
    list_select_related = ["menu__slot", "member__user"]
    raw_id_fields = ["menu", "member", "booked_by"]
    readonly_fields = [
        "menu",
        "member",
        "status",
        "channel",
        "booked_by",
        "created_at",
        "cancelled_at",
    ]
    actions = ["cancel"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Cancel the selected bookings (the person called)"))
    def cancel(self, request, queryset):
        cancelled = 0
        for booking in queryset:
            try:
                services.cancel_booking(booking, after_cutoff=True)
            except services.CanteenError as e:
                self.message_user(request, f"{booking}: {e}", messages.WARNING)
            else:
                cancelled += 1
        self.message_user(
            request,
            ngettext("%(n)d booking cancelled.", "%(n)d bookings cancelled.", cancelled)
            % {"n": cancelled},
        )


class SubsidyLineInline(admin.TabularInline):
    model = SubsidyLine
    fields = ["rule_name", "funder", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MealRecord)
class MealRecordAdmin(ViewOnlyAdmin):
    list_display = [
        "day",
        "slot",
        "person_name",
        "age",
        "kind",
        "price",
        "subsidy",
        "paid",
        "collector_name",
        "month",
    ]
    list_filter = ["kind", "slot", "month"]
    date_hierarchy = "day"
    search_fields = ["person_name", "member__user__mobile"]
    list_select_related = ["slot"]
    inlines = [SubsidyLineInline]


@admin.register(ClosedMonth)
class ClosedMonthAdmin(ViewOnlyAdmin):
    list_display = ["month", "closed_at", "closed_by"]


@admin.register(LoveMealRecipient)
class LoveMealRecipientAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "building", "unit", "room", "portions", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "building", "notes"]
    raw_id_fields = ["member"]


@admin.register(LoveMealDelivery)
class LoveMealDeliveryAdmin(admin.ModelAdmin):
    list_display = ["day", "recipient", "portions", "volunteer", "delivered_at"]
    list_filter = ["day"]
    search_fields = ["recipient__name"]
    list_select_related = ["recipient", "volunteer"]
    raw_id_fields = ["recipient", "volunteer"]
    readonly_fields = ["value", "funder", "volunteer_post", "created_at"]
