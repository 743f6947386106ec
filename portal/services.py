"""Workflows of the shared layer: registering a resident, managing a household."""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.timezone import localdate, now
from django.utils.translation import gettext_lazy as _

from portal import privacy, roles
from portal.models import (
    AccountDeletion,
    CalendarKey,
    ConsentChange,
    Delivery,
    Household,
    HouseholdMember,
    MobileReveal,
    Notice,
    NoticePreference,
    User,
)


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


@transaction.atomic
def tell_of_signup_attempt(user: User, *, password_reset_url: str) -> None:
    """Tell an account's owner that someone tried to sign up with its mobile number or email.

    Sign-up answers the same whether or not the details are taken; the owner hears of it
    instead, at most once a day per channel (the key), in their own language.
    """
    from django.utils import translation
    from django.utils.timezone import localdate

    from portal.delivery import queue_message
    from portal.models import Community

    params = {"community": Community.current().name, "url": password_reset_url}
    with translation.override(user.preferred_language()):
        subject = str(_("Someone tried to sign up with your details"))
        mail = str(
            _(
                "Someone, perhaps you, tried to open a new account at %(community)s with the "
                "mobile number or email address of your account. You already have an account, "
                "so no new one was made.\n\n"
                "If it was you, log in with your mobile number or email. If you have forgotten "
                "your password, reset it here: %(url)s, or ask at the community office.\n\n"
                "If it was not you, you can ignore this message."
            )
            % params
        )
        text = str(
            _(
                "%(community)s: you already have an account, so no new one was made. Forgot "
                "your password? Ask at the community office."
            )
            % params
        )
    day = localdate().isoformat()
    queue_message(
        user=user,
        channel="email",
        kind="signup_attempt",
        subject=subject,
        text=mail,
        params=params,
        key=f"signup-attempt:email:{user.pk}:{day}",
    )
    queue_message(
        user=user,
        channel="sms",
        kind="signup_attempt",
        text=text,
        params={"community": params["community"]},
        key=f"signup-attempt:sms:{user.pk}:{day}",
    )


# ---------------------------------------------------------------- your data


class AccountError(Exception):
    """A refused change to one's own account or consents; the message is translated."""


DELETED_NAME = "已注销用户 #%(id)s"  # stored, not translated: the register is kept in Chinese
DELETED_MEMBER_NAME = "已注销成员 #%(id)s"


def withdraw_photo_consent(user: User) -> int:
    """Withdraw permission to photograph the household's children in every class; returns how
    many enrolments carried it."""
    from classes.models import Enrolment

    with transaction.atomic():
        enrolments = list(
            Enrolment.objects.select_for_update().filter(
                child__in=privacy.members_of(user), photo_consent=True
            )
        )
        for enrolment in enrolments:
            enrolment.photo_consent = False
            enrolment.save(update_fields=["photo_consent"])
        if enrolments:
            ConsentChange.objects.create(
                user=user, consent=ConsentChange.Consent.PHOTO, given=False
            )
    return len(enrolments)


def _forget_sessions(user: User) -> int:
    """End every session of the user (each device), cache included; returns how many."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def delete_account(user: User) -> AccountDeletion:
    """Delete a resident's account: what the community must keep for its accounts stays,
    pseudonymised; everything else goes. Returns the log entry staff see.

    Kept: canteen meals and subsidy lines, fund entries, service hours and certificates,
    attendance and the registrations of activities that happened — none of them is changed; the
    person's own rows (the account, household members who were only theirs) are anonymised
    instead, so the records point at "已注销用户 #id". Gone: sessions, notices, future bookings,
    registrations and sign-ups, memberships, applications, email addresses, consents, and
    household members with no record at all. Members the household shares with another account
    holder stay with the household untouched.
    """
    from allauth.account.models import EmailAddress

    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise AccountError(_("This account was already deleted."))
    if user.is_staff or user.is_superuser:
        raise AccountError(
            _("A staff account is closed by the community office: ask them to take your roles.")
        )
    tally = privacy.Tally()
    shared = bool(
        user.household_id
        and User.objects.filter(household_id=user.household_id, is_active=True)
        .exclude(pk=user.pk)
        .exists()
    )
    members = [
        m
        for m in privacy.members_of(user)
        if m.user_id == user.pk or (m.user_id is None and not shared)
    ]
    for _app, forget in privacy.hooks("forget"):
        forget(user, members, tally)
    # the address of "my calendar" stops with the account
    CalendarKey.objects.filter(user=user).delete()

    for member in members:
        if member.user_id is None:
            try:
                with transaction.atomic():
                    member.delete()
                tally.count_removed(HouseholdMember, 1)
                continue
            except (ProtectedError, RestrictedError):
                member.name = DELETED_MEMBER_NAME % {"id": member.pk}
        else:
            member.name = ""  # shown as the account's name, anonymised below
        member.birth_date = None
        member.save(update_fields=["name", "birth_date"])
        tally.keep(HouseholdMember, 1)
    if user.household_id and not shared:
        Household.objects.filter(pk=user.household_id).update(building="", unit="", room="")

    tally.remove(EmailAddress.objects.filter(user=user))
    tally.remove(ConsentChange.objects.filter(user=user))
    tally.remove(Notice.objects.filter(recipient=user))
    tally.remove(NoticePreference.objects.filter(user=user))
    tally.remove(Delivery.objects.filter(user=user))  # the texts and mails sent: numbers, words
    tally.count_removed(Session, _forget_sessions(user))

    user.username = f"deleted-{user.pk}"
    user.real_name = DELETED_NAME % {"id": user.pk}
    user.first_name = user.last_name = user.email = ""
    user.mobile = user.birth_date = user.privacy_consented_at = user.last_login = None
    user.building = user.unit = user.room = user.language = ""
    user.large_text = False
    user.mobile_verified, user.mobile_verified_at, user.mobile_verified_by = False, None, None
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    tally.keep(User, 1)
    return AccountDeletion.objects.create(
        account_id=user.pk, removed=tally.removed, kept=tally.kept
    )


def record_mobile_reveal(viewer: User, person: User, *, place: str, reason: str) -> MobileReveal:
    """Log that `viewer` was shown `person`'s full mobile number, on which page and why."""
    return MobileReveal.objects.create(
        viewer=viewer, person=person, place=place[:200], reason=reason[:200]
    )


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
