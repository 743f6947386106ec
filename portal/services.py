"""Workflows of the shared layer: registering a resident, managing a household."""

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from portal import roles
from portal.models import Household, HouseholdMember, MobileReveal, User


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


def change_mobile(user: User, mobile: str | None) -> None:
    """The mobile number used to log in (uniqueness is checked by the form and the database)."""
    user.mobile = mobile or None
    user.save(update_fields=["mobile"])


def set_large_text(user: User, on: bool) -> None:
    user.large_text = on
    user.save(update_fields=["large_text"])


def set_language(user: User, language: str) -> None:
    """Remember the language the resident chose (used for their pages, mail and notices)."""
    user.language = language
    user.save(update_fields=["language"])


def record_mobile_reveal(viewer: User, person: User, *, place: str, reason: str) -> MobileReveal:
    """Log that `viewer` was shown `person`'s full mobile number, on which page and why."""
    return MobileReveal.objects.create(
        viewer=viewer, person=person, place=place[:200], reason=reason[:200]
    )
