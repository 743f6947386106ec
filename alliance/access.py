"""Who may do what in the alliance: the one place views ask."""

from django.core.exceptions import PermissionDenied

from portal import roles
from portal.models import Partner


def is_alliance_staff(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(roles.ALLIANCE_STAFF))


def sees_visits(user) -> bool:
    """Home visits are private: alliance staff and community admins only."""
    return is_alliance_staff(user) or (
        user.is_authenticated and user.has_role(roles.COMMUNITY_ADMIN)
    )


def require_staff(request) -> None:
    if not is_alliance_staff(request.user):
        raise PermissionDenied


def require_visits(request) -> None:
    if not sees_visits(request.user):
        raise PermissionDenied


def my_partners(user) -> list[Partner]:
    """The active partner organisations whose contact person the user is (usually one)."""
    if not user.is_authenticated:
        return []
    return list(Partner.objects.filter(contact_user=user, is_active=True).order_by("name"))


def require_partner(request) -> list[Partner]:
    partners = my_partners(request.user)
    if not partners:
        raise PermissionDenied
    return partners
