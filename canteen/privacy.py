"""The canteen's part in a household change and in a resident's own data (portal.privacy)."""

from django.utils.timezone import now

from canteen import services
from canteen.models import Booking


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
