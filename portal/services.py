"""Workflows of the shared layer: registering a resident, managing a household."""

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from portal import roles
from portal.models import Household, HouseholdMember, User


class HouseholdError(Exception):
    """A household change that is refused; the message is translated and shown to the user."""


@transaction.atomic
def register_resident(user: User, *, real_name: str, birth_date=None) -> User:
    """Complete a new sign-up: name, consent time, the resident role and a household of one."""
    user.real_name = real_name
    user.birth_date = birth_date
    user.privacy_consented_at = now()
    user.save(update_fields=["real_name", "birth_date", "privacy_consented_at"])
    ensure_household(user)
    roles.grant_role(user, roles.RESIDENT)
    return user


@transaction.atomic
def ensure_household(user: User) -> Household:
    """The user's household, created (with the user as its first member) if they have none."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.household_id is None:
        locked.household = Household.objects.create(
            building=locked.building, unit=locked.unit, room=locked.room
        )
        locked.save(update_fields=["household"])
    HouseholdMember.objects.get_or_create(
        user=locked,
        defaults={"household_id": locked.household_id, "relation": HouseholdMember.Relation.SELF},
    )
    user.household = locked.household
    return locked.household


@transaction.atomic
def add_member(user: User, *, name: str, relation: str, birth_date=None) -> HouseholdMember:
    """Add a person without an account (a child, an elder parent) to the user's household."""
    if relation == HouseholdMember.Relation.SELF:
        raise HouseholdError(_("You are already in your household."))
    household = ensure_household(user)
    return HouseholdMember.objects.create(
        household=household, name=name.strip(), relation=relation, birth_date=birth_date
    )


@transaction.atomic
def remove_member(user: User, member: HouseholdMember) -> None:
    """Remove a member without an account; account holders leave only through staff."""
    if member.household_id != user.household_id:
        raise HouseholdError(_("That person is not in your household."))
    if member.user_id is not None:
        raise HouseholdError(
            _("%(name)s has an account of their own; ask the community office to move them.")
            % {"name": member.full_name}
        )
    try:
        with transaction.atomic():
            member.delete()
    except (ProtectedError, RestrictedError):
        # A module keeps records about this person (meals eaten, money): history stays whole.
        raise HouseholdError(
            _(
                "%(name)s has records with the community (such as canteen meals) and cannot be "
                "removed; ask the community office."
            )
            % {"name": member.full_name}
        ) from None


@transaction.atomic
def save_profile(
    user: User, *, real_name: str, birth_date, building: str, unit: str, room: str
) -> None:
    """Save my profile. The address is the household's: mine moves my household with me."""
    household = ensure_household(user)
    user.real_name, user.birth_date = real_name, birth_date
    user.building, user.unit, user.room = building, unit, room
    user.save(update_fields=["real_name", "birth_date", "building", "unit", "room"])
    household.building, household.unit, household.room = building, unit, room
    household.save(update_fields=["building", "unit", "room"])


def change_mobile(user: User, mobile: str | None, *, verified: bool = False) -> None:
    """The mobile number used to log in (uniqueness is checked by the form and the database).

    A new number is unverified (no texts go to it) unless it was just verified by a code.
    """
    mobile = mobile or None
    fields = ["mobile", "mobile_verified", "mobile_verified_at", "mobile_verified_by"]
    if mobile == user.mobile and (not verified or user.mobile_verified):
        return
    user.mobile = mobile
    user.mobile_verified = bool(mobile and verified)
    user.mobile_verified_at = now() if user.mobile_verified else None
    user.mobile_verified_by = None
    user.save(update_fields=fields)


def mark_mobile_verified(user: User, *, by: User | None = None) -> bool:
    """Record that the person's mobile is theirs: by a code sent to it (`by` empty), or
    confirmed in person by a member of staff at the office (`by`). Returns whether it changed."""
    if not user.mobile:
        return False
    if user.mobile_verified and by is None:
        return False
    user.mobile_verified = True
    user.mobile_verified_at = now()
    user.mobile_verified_by = by
    user.save(update_fields=["mobile_verified", "mobile_verified_at", "mobile_verified_by"])
    return True


def set_large_text(user: User, on: bool) -> None:
    user.large_text = on
    user.save(update_fields=["large_text"])


def set_language(user: User, language: str) -> None:
    """Remember the language the resident chose (used for their pages, mail and notices)."""
    user.language = language
    user.save(update_fields=["language"])


# How long after logging in by code a resident may set a new password without the old one.
NEW_PASSWORD_WINDOW_SECONDS = 15 * 60


def recently_logged_in_by_code(request) -> bool:
    """True if this session's latest log-in was by a one-time code, a few minutes ago."""
    import time

    from allauth.account.internal.flows.login import get_authentication_records

    records = get_authentication_records(request, request.user)
    if not records or records[-1].get("method") != "code":
        return False
    return time.time() - records[-1].get("at", 0) <= NEW_PASSWORD_WINDOW_SECONDS


def forget_code_login(request) -> None:
    """A code opens one password change, not several."""
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        r for r in records if r.get("method") != "code"
    ]
