"""Who may see what: the one place views ask for roles and for objects owned by the person asking.

Each module's `access.py` builds on these: `require_role(request, roles.CANTEEN_STAFF)` guards a
staff page, and the module keeps only what is its own (which roles, which objects).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.models import HouseholdMember


def holds_role(user, *role_names: str) -> bool:
    """True if the user is logged in, active, and in one of the roles' groups.

    Superusers hold every role (`User.has_role`). An account switched off never holds one: the
    session backend already treats it as logged out, and this keeps to that for any user passed.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    return any(user.has_role(role) for role in role_names)


def require_role(request, *role_names: str) -> None:
    """403 unless the requesting user holds one of the roles (superusers pass)."""
    if not role_names:
        raise ValueError("require_role needs at least one role")
    if not holds_role(request.user, *role_names):
        raise PermissionDenied


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
