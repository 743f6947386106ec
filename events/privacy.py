"""The events' part in a household change and in a resident's own data (portal.privacy)."""

from django.utils.timezone import now
from django.utils.translation import gettext as _

from events import services
from events.models import Activity, Booking, Registration, StallApplication
from portal.privacy import table


def member_left(member, *, by) -> int:
    """Give up the member's places still open to cancelling (the next in line moves up)."""
    cancelled = 0
    at = now()
    registrations = (
        Registration.objects.active()
        .filter(member=member, checked_in_at__isnull=True)
        .select_related("activity")
    )
    for registration in registrations:
        if at >= registration.activity.cancel_deadline:
            continue  # past the cut-off: the place stays in the figures as booked
        try:
            services.cancel_registration(registration, by=by)
        except services.EventError:
            continue
        cancelled += 1
    return cancelled


def export(user, members) -> list:
    return [
        table(
            "event_registrations",
            _("Event registrations"),
            Registration.objects.filter(member__in=members)
            .select_related("activity", "member__user")
            .order_by("created_at", "pk"),
            [
                ("activity.title", _("activity")),
                ("activity.starts_at", _("starts at")),
                ("member.full_name", _("person")),
                "status",
                "answers",
                "ticket_code",
                "created_at",
                "checked_in_at",
            ],
        ),
        table(
            "stall_applications",
            _("Flea-market stall applications"),
            StallApplication.objects.filter(applicant=user).select_related("activity"),
            [("activity.title", _("activity")), "goods", "status", "stall_number", "created_at"],
        ),
    ]


def forget(user, members, tally) -> None:
    """Places at activities still to come, stall applications and notices go; registrations at
    activities that happened stay (the festival's figures), without the answers given."""
    at = now()
    mine = Registration.objects.filter(member__in=members)
    future = mine.filter(activity__starts_at__gt=at, checked_in_at__isnull=True)
    # Locked first, as registering does, so the places freed go to the waiting list in order.
    freed = list(
        Activity.objects.select_for_update()
        .filter(pk__in=future.active().values("activity_id"))
        .order_by("pk")
    )
    booking_ids = set(future.values_list("booking_id", flat=True))
    tally.remove(future)
    tally.remove(Booking.objects.filter(pk__in=booking_ids, registrations__isnull=True))
    for activity in freed:
        services.promote_waiting(activity)
    kept = list(mine.exclude(answers={}))
    for registration in kept:
        # Answers are free text (names, phone numbers): not part of the figures.
        registration.answers = {}
        registration.save(update_fields=["answers"])
    tally.keep(Registration, mine.count())
    tally.remove(StallApplication.objects.filter(applicant=user))
