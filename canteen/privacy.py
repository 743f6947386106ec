"""The canteen's part in a household change and in a resident's own data (portal.privacy)."""

from django.db.models import Exists, OuterRef
from django.utils.timezone import now
from django.utils.translation import gettext as _

from canteen import services
from canteen.models import (
    Booking,
    Collector,
    LoveMealDelivery,
    LoveMealRecipient,
    MealRecord,
    ResidentCategory,
    SubsidyLine,
)
from portal.privacy import table


def member_left(member, *, by) -> int:
    """Cancel the member's bookings still open to cancelling; served meals stay as they are."""
    cancelled = 0
    at = now()
    for booking in Booking.objects.live().filter(member=member).select_related("menu__slot"):
        if at >= booking.menu.cutoff():
            continue  # past the cut-off: the canteen has cooked it, staff decide
        try:
            services.cancel_booking(booking)
        except services.CanteenError:
            continue
        cancelled += 1
    return cancelled


def export(user, members) -> list:
    return [
        table(
            "canteen_bookings",
            _("Canteen bookings"),
            Booking.objects.filter(member__in=members)
            .select_related("menu__slot", "member__user")
            .order_by("menu__day", "pk"),
            [
                ("menu.day", _("date")),
                ("menu.slot.name", _("meal")),
                ("member.full_name", _("person")),
                "status",
                "created_at",
                "cancelled_at",
            ],
        ),
        table(
            "canteen_meals",
            _("Canteen meals and subsidies"),
            MealRecord.objects.filter(member__in=members)
            .select_related("slot")
            .order_by("day", "pk"),
            [
                "day",
                ("slot.name", _("meal")),
                "person_name",
                "kind",
                "price",
                "subsidy",
                "paid",
                "collector_name",
                "reason",
            ],
        ),
        table(
            "canteen_categories",
            _("Circumstances recorded for subsidies"),
            ResidentCategory.objects.filter(member__in=members).select_related("member__user"),
            [("member.full_name", _("person")), "category", "valid_from", "valid_to", "note"],
        ),
        table(
            "canteen_collectors",
            _("People allowed to collect meals"),
            Collector.objects.filter(member__in=members).select_related("member__user"),
            [("member.full_name", _("person")), "name", "relation", "mobile", "is_active"],
        ),
        table(
            "love_meal_register",
            _("Love Meal register"),
            LoveMealRecipient.objects.filter(member__in=members),
            ["name", "kind", "building", "unit", "room", "phone", "portions", "notes"],
        ),
    ]


def forget(user, members, tally) -> None:
    """Bookings never served, collectors and register entries nobody's meal needs go; meals and
    subsidy lines stay untouched (the claim to the funders), with the circumstances behind them."""
    meals = MealRecord.objects.filter(member__in=members)
    tally.keep(MealRecord, meals.count())
    tally.keep(SubsidyLine, SubsidyLine.objects.filter(record__in=meals).count())
    tally.remove(Booking.objects.filter(member__in=members, meal_records__isnull=True))
    tally.keep(Booking, Booking.objects.filter(member__in=members).count())

    served = set(meals.values_list("member_id", flat=True))
    categories = ResidentCategory.objects.filter(member__in=members)
    tally.remove(categories.exclude(member_id__in=served))
    for category in categories.filter(member_id__in=served).exclude(note=""):
        category.note = ""
        category.save(update_fields=["note"])
    tally.keep(ResidentCategory, categories.count())

    collectors = Collector.objects.filter(member__in=members)
    tally.remove(collectors.exclude(Exists(MealRecord.objects.filter(collector=OuterRef("pk")))))
    for collector in collectors:  # named on a meal record: kept, without their name and number
        collector.name, collector.mobile, collector.relation = "—", "", ""
        collector.is_active = False
        collector.save(update_fields=["name", "mobile", "relation", "is_active"])
        tally.keep(Collector, 1)

    recipients = LoveMealRecipient.objects.filter(member__in=members)
    delivered = LoveMealDelivery.objects.filter(recipient=OuterRef("pk"))
    tally.remove(recipients.exclude(Exists(delivered)))
    for recipient in recipients:  # meals delivered to them: kept, without name, address, phone
        recipient.name = "—"
        recipient.building = recipient.unit = recipient.room = ""
        recipient.phone, recipient.notes, recipient.is_active = "", "", False
        recipient.save(
            update_fields=["name", "building", "unit", "room", "phone", "notes", "is_active"]
        )
        tally.keep(LoveMealRecipient, 1)
