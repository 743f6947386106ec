"""The events' part in a household change and in a resident's own data (portal.privacy)."""

from django.utils.timezone import now

from events import services
from events.models import Registration


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
