"""Who may see what: the one place views ask for objects owned by the person asking."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.models import HouseholdMember


def get_member_of_my_household(request, pk) -> HouseholdMember:
    """A current member of the requesting user's household, or 404 (never another household's)."""
    if not request.user.household_id:
        raise Http404
    return get_object_or_404(
        HouseholdMember.objects.current().select_related("user"),
        pk=pk,
        household_id=request.user.household_id,
    )


def my_household_members(user):
    """Everyone still in the user's household, in the order they were added (the user first).

    Members who left are not offered anywhere; their records stay (HouseholdMember.left_on).
    """
    if not user.household_id:
        return HouseholdMember.objects.none()
    return (
        HouseholdMember.objects.current()
        .filter(household_id=user.household_id)
        .select_related("user")
        .order_by("created_at", "id")
    )
