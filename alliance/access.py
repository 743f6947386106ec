"""Who may do what in the alliance: the one place views ask."""

from django.core.exceptions import PermissionDenied

from portal import roles
from portal.access import holds_role
from portal.models import Partner

# Home visits are private: alliance staff and community admins only.
VISIT_ROLES = (roles.ALLIANCE_STAFF, roles.COMMUNITY_ADMIN)
# Questionnaires are written and read out by alliance staff and community admins.
QUESTIONNAIRE_ROLES = (roles.ALLIANCE_STAFF, roles.COMMUNITY_ADMIN)


def is_alliance_staff(user) -> bool:
    return holds_role(user, roles.ALLIANCE_STAFF)


def sees_visits(user) -> bool:
    return holds_role(user, *VISIT_ROLES)


def is_questionnaire_staff(user) -> bool:
    return holds_role(user, *QUESTIONNAIRE_ROLES)


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
