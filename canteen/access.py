"""Who may see what in the canteen: the one place views ask for guarded objects."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from canteen.models import Booking, Collector, LoveMealDelivery, MealRecord
from canteen.services import posts_taken_by
from portal import roles
from portal.access import holds_role


def is_canteen_staff(user) -> bool:
    return holds_role(user, roles.CANTEEN_STAFF)


def is_staff_request(request) -> bool:
    """`is_canteen_staff` for the request's user, asked once per request (the menu bar asks too)."""
    if not hasattr(request, "_canteen_staff"):
        request._canteen_staff = is_canteen_staff(request.user)
    return request._canteen_staff


def get_my_booking(request, pk) -> Booking:
    """A booking for someone in my household (404 for anyone else's)."""
    if not request.user.household_id:
        raise Http404
    return get_object_or_404(
        Booking.objects.select_related("menu__slot", "member__user"),
        pk=pk,
        member__household_id=request.user.household_id,
    )


def get_my_collector(request, pk) -> Collector:
    if not request.user.household_id:
        raise Http404
    return get_object_or_404(
        Collector, pk=pk, member__household_id=request.user.household_id, is_active=True
    )


def get_receipt(request, pk) -> MealRecord:
    """A meal record for my household, or any record for canteen staff; 404 otherwise."""
    qs = MealRecord.objects.select_related(
        "slot", "member__user", "recorded_by", "reversed_by"
    ).prefetch_related("lines")
    if is_staff_request(request):
        return get_object_or_404(qs, pk=pk)
    if not request.user.household_id:
        raise Http404
    return get_object_or_404(qs, pk=pk, member__household_id=request.user.household_id)


def get_delivery_for_volunteer(request, pk) -> LoveMealDelivery:
    """A delivery assigned to me (or any, for canteen staff); addresses are shown only then."""
    qs = LoveMealDelivery.objects.select_related("recipient", "volunteer")
    if is_staff_request(request):
        return get_object_or_404(qs, pk=pk)
    return get_object_or_404(qs.filter(my_deliveries_q(request.user)), pk=pk)


def my_deliveries_q(user) -> Q:
    """Deliveries staff assigned to the user or whose volunteer post the user took."""
    return Q(volunteer_id=user.pk) | Q(
        volunteer__isnull=True, volunteer_post__in=posts_taken_by(user)
    )
