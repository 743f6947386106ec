"""Workflows of the shared layer: registering a resident, managing a household."""

from django.db import transaction
from django.utils.timezone import localdate, now
from django.utils.translation import gettext_lazy as _

from portal import privacy, roles
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
def remove_member(user: User, member: HouseholdMember) -> HouseholdMember:
    """A member without an account leaves the household; account holders leave only through staff.

    The member is never deleted: enrolments, attendance, registrations, meals and subsidies are
    the community's history and its statistics, so they keep pointing at the member, who is
    marked as left (and by whom) and disappears from the household's pages and pickers. Places
    still open to cancelling (bookings, registrations, this term's courses) are given up.
    """
    member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
    if member.household_id != user.household_id or member.has_left:
        raise HouseholdError(_("That person is not in your household."))
    if member.user_id is not None:
        raise HouseholdError(
            _("%(name)s has an account of their own; ask the community office to move them.")
            % {"name": member.full_name}
        )
    for _app, member_left in privacy.hooks("member_left"):
        member_left(member, by=user)
    member.left_on = localdate()
    member.left_recorded_by = user
    member.save(update_fields=["left_on", "left_recorded_by"])
    return member


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
