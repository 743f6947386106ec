"""Workflows of the volunteer module: joining teams, posts, sign-ups, attendance and hours.

Other modules call `create_post` (canteen love-meal deliveries, festival stalls) and
`submit_volunteer_offer` (parents offering to help through the classes); keep those stable.
"""

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localdate, localtime, make_aware, now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import roles
from portal.access import holds_role
from portal.cache import changed as cache_changed
from portal.calling_off import mark_called_off, reason_refusal
from portal.models import Community, ConsentChange
from portal.notices import (
    Kind,
    notify,
    notify_called_off,
    notify_moved,
    notify_role,
    phrase,
    time_span,
    urgent_for,
)
from volunteers import lib
from volunteers.models import (
    CHECKIN_SALT,
    Certificate,
    CorrectionRequest,
    HoursEntry,
    Membership,
    Post,
    PostTemplate,
    ServiceDay,
    Signup,
    Source,
    Team,
    VolunteerProfile,
    VolunteerSettings,
    _new_token,
)


class VolunteerError(Exception):
    """A refused volunteer workflow; the message is translated and shown to the user."""


class PostError(VolunteerError):
    """A post that cannot be created or changed as asked."""


class MembershipError(VolunteerError):
    """A team application or decision that is refused."""


class SignupError(VolunteerError):
    """A sign-up or cancellation that is refused. `full` says the waiting list is open."""

    def __init__(self, message, *, full=False):
        super().__init__(message)
        self.full = full


class AttendanceError(VolunteerError):
    """A check-in, check-out, confirmation or no-show that is refused."""


class HoursError(VolunteerError):
    """A correction request or decision that is refused."""


# --- profiles and notices -------------------------------------------------------------------


def _volunteer_number(user) -> str:
    return f"PR{user.pk:06d}"


def ensure_profile(user) -> VolunteerProfile:
    """The user's volunteer record, created with a volunteer number on first use."""
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            return VolunteerProfile.objects.create(user=user, number=_volunteer_number(user))
    except IntegrityError:  # created by a concurrent request
        return VolunteerProfile.objects.get(user=user)


def profile_for_display(user) -> VolunteerProfile:
    """The user's volunteer record, or an unsaved one as `ensure_profile` would make it.

    For pages that only read (a GET writes nothing): the record is made by the first action
    that needs it. An unsaved record has no calendar link yet (`pk` is None).
    """
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    return VolunteerProfile(user=user, number=_volunteer_number(user), calendar_token="")


@transaction.atomic
def reset_calendar_token(user) -> VolunteerProfile:
    """A new private calendar link; the old one stops working at once."""
    profile = ensure_profile(user)
    profile.calendar_token = _new_token()
    profile.save(update_fields=["calendar_token"])
    return profile


@transaction.atomic
def set_name_visibility(user, show: bool) -> VolunteerProfile:
    """Give or withdraw consent to the name on public team pages (logged: Your data shows when)."""
    profile = ensure_profile(user)
    if profile.show_name_publicly != show:
        ConsentChange.objects.create(
            user=user, consent=ConsentChange.Consent.NAME_PUBLIC, given=show
        )
    profile.show_name_publicly = show
    profile.save(update_fields=["show_name_publicly"])
    return profile


# --- access rules used by services and views -----------------------------------------------


def is_coordinator(user) -> bool:
    return holds_role(user, roles.VOLUNTEER_COORDINATOR)


def can_manage_team(user, team: Team | None) -> bool:
    """Leaders manage their own team; the coordinator manages every team and teamless posts."""
    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    return team is not None and team.leader_id == user.pk


# --- posts ------------------------------------------------------------------------------------


@transaction.atomic
def create_post(
    *,
    title,
    place,
    start,
    end,
    capacity,
    team=None,
    description="",
    source="",
    created_by=None,
    skills="",
) -> Post:
    """Create a service post on any date; used by canteen (love meals) and events (stalls).

    `start` and `end` are aware datetimes. Raises PostError for an end not after the start,
    a capacity below one or a missing title/place. A post on a Red Star Service Day's date is
    listed on that day.
    """
    if not title or not str(title).strip():
        raise PostError(_("A post needs a title."))
    if not place or not str(place).strip():
        raise PostError(_("A post needs a place."))
    if start is None or end is None:
        raise PostError(_("A post needs a start and an end time."))
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise PostError(_("A post's times must include the time zone."))
    if end <= start:
        raise PostError(_("A post must end after it starts."))
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise PostError(_("The number of volunteers needed must be a whole number.")) from None
    if capacity < 1:
        raise PostError(_("A post needs at least one volunteer."))
    if capacity > 1000:
        raise PostError(_("A post can take at most 1000 volunteers."))
    day = ServiceDay.objects.filter(date=localtime(start).date()).first()
    return Post.objects.create(
        service_day=day,
        team=team,
        title=str(title).strip()[:100],
        place=str(place).strip()[:100],
        start=start,
        end=end,
        capacity=capacity,
        skills=skills,
        description=description,
        source=source,
        created_by=created_by,
    )


@transaction.atomic
def update_post(post: Post, *, by, **fields) -> Post:
    """Change a post's details; places already taken are kept, extra places go to the queue."""
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    start, end = fields.get("start", post.start), fields.get("end", post.end)
    if end <= start:
        raise PostError(_("A post must end after it starts."))
    before = (post.start, post.end, post.place)
    capacity = fields.pop("capacity", post.capacity)
    for name, value in fields.items():
        setattr(post, name, value)
    update_fields = list(fields)
    if "start" in fields:
        # a post moved to another date is listed on that date's service day (if any)
        post.service_day = ServiceDay.objects.filter(date=localtime(start).date()).first()
        update_fields.append("service_day")
    if update_fields:
        post.save(update_fields=update_fields)
    tell_post_moved(post, *before)
    # after the move (the waiting list is promoted for the new time); a refusal undoes it all
    set_capacity(post, capacity)
    post.capacity = capacity
    return post


def tell_post_moved(post: Post, old_start, old_end, old_place) -> int:
    """Tell everyone with a place, a pending place or a waiting place on `post` that its time or
    place changed (from the leader's page or the admin); returns how many were told."""
    signups = Signup.objects.active().filter(post=post).select_related("volunteer")
    return notify_moved(
        [signup.volunteer for signup in signups],
        gettext_lazy("%(title)s has changed: now %(time)s at %(place)s (was %(old)s)."),
        reverse("volunteers:my-schedule"),
        title=post.title,
        before=(old_start, old_end, old_place),
        after=(post.start, post.end, post.place),
    )


def capacity_refusal(post: Post, capacity) -> str | None:
    """Why `post` cannot have `capacity` places, or None: below one, or below a seat taken.

    Asked by the admin's form before saving, and by `set_capacity` under the post's lock.
    """
    if capacity is None or capacity < 1:
        return _("A post needs at least one volunteer.")
    highest_seat = post.signups.holding_place().aggregate(m=Max("seat"))["m"] or 0
    if capacity < highest_seat:
        return _("%(count)s places are taken; cancel sign-ups before reducing the places.") % {
            "count": post.signups.holding_place().count()
        }
    return None


@transaction.atomic
def set_capacity(post: Post, capacity: int) -> list[Signup]:
    """Change the number of places; free places go to the waiting list at once, oldest first,
    and each promoted volunteer is told. The leader's post page (through `update_post`) and the
    admin both change places here. Raises PostError when the places would be too few."""
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    reason = capacity_refusal(post, capacity)
    if reason:
        raise PostError(reason)
    if post.capacity != capacity:
        post.capacity = capacity
        post.save(update_fields=["capacity"])
    return promote_from_waitlist(post)


@transaction.atomic
def record_outcome(
    post: Post, *, residents_served: int, items_repaired: int, meals_delivered: int, note: str
) -> Post:
    """What the post achieved: the figures the community reports."""
    post.residents_served = residents_served
    post.items_repaired = items_repaired
    post.meals_delivered = meals_delivered
    post.outcome_note = note
    post.save(
        update_fields=["residents_served", "items_repaired", "meals_delivered", "outcome_note"]
    )
    return post


# --- teams ------------------------------------------------------------------------------------


@transaction.atomic
def submit_volunteer_offer(user, *, team=None, message="", source="") -> Membership:
    """Record an offer to volunteer: for a team, or for the coordinator to place (team=None).

    Used by classes when a parent offers to help. Idempotent: while an application for the same
    (user, team) is pending — or the user is already a member — that row is returned unchanged.
    """
    existing = (
        Membership.objects.select_for_update(of=("self",))
        .filter(user=user, team=team, status__in=[Membership.Status.PENDING])
        .first()
    )
    if existing is None and team is not None:
        existing = Membership.objects.filter(
            user=user, team=team, status=Membership.Status.APPROVED
        ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, team=team, message=message[:2000], source=source[:60]
            )
    except IntegrityError:  # a concurrent identical offer won
        return Membership.objects.get(
            user=user, team=team, status__in=[Membership.Status.PENDING, Membership.Status.APPROVED]
        )
    if team is not None and team.leader_id:
        notify(
            team.leader,
            Kind.TEAM_APPLICATION,
            gettext_lazy("%(name)s applied to join %(team)s."),
            reverse("volunteers:lead-team", args=[team.slug]),
            params={"name": user.display_name, "team": team.name},
        )
    elif team is None:
        # An offer to volunteer with no team chosen: the coordinator places it.
        notify_role(
            roles.VOLUNTEER_COORDINATOR,
            Kind.TO_DECIDE,
            gettext_lazy("%(name)s offered to volunteer; choose a team for them."),
            reverse("volunteers:coordinator"),
            params={"name": user.display_name},
        )
    return membership


@transaction.atomic
def apply_to_team(user, team: Team, *, message="") -> Membership:
    """A resident asks to join a team. A second application to the same team is refused."""
    if Membership.objects.filter(user=user, team=team, status=Membership.Status.APPROVED).exists():
        raise MembershipError(_("You are already a member of %(team)s.") % {"team": team.name})
    if Membership.objects.filter(user=user, team=team, status=Membership.Status.PENDING).exists():
        raise MembershipError(
            _("You have already applied to %(team)s; the leader will answer soon.")
            % {"team": team.name}
        )
    return submit_volunteer_offer(user, team=team, message=message, source=Source.APPLY)


@transaction.atomic
def decide_membership(
    membership: Membership, *, by, approve: bool, message="", team: Team | None = None
) -> Membership:
    """The leader or coordinator approves or declines an application, with a message.

    A pool offer (no team) can be approved into `team` by the coordinator.
    """
    membership = Membership.objects.select_for_update(of=("self",)).get(pk=membership.pk)
    if membership.status != Membership.Status.PENDING:
        raise MembershipError(_("This application has already been answered."))
    if approve and membership.team_id is None:
        if team is None:
            raise MembershipError(_("Choose the team this volunteer joins."))
        if Membership.objects.filter(
            user=membership.user, team=team, status=Membership.Status.APPROVED
        ).exists():
            raise MembershipError(
                _("%(name)s is already a member of %(team)s.")
                % {"name": membership.user.display_name, "team": team.name}
            )
        membership.team = team
    if not approve and not message.strip():
        raise MembershipError(_("Please tell the applicant why you decline."))
    membership.status = Membership.Status.APPROVED if approve else Membership.Status.DECLINED
    membership.decision_message = message.strip()
    membership.decided_by = by
    membership.decided_at = now()
    try:
        with transaction.atomic():
            membership.save(
                update_fields=["team", "status", "decision_message", "decided_by", "decided_at"]
            )
    except IntegrityError:
        raise MembershipError(_("This person is already a member of that team.")) from None
    user = membership.user
    team_name = membership.team.name if membership.team_id else gettext_lazy("the volunteer pool")
    if approve:
        roles.grant_role(user, roles.VOLUNTEER)
        ensure_profile(user)
        text = gettext_lazy("Welcome to %(team)s! You can now sign up for its posts.")
        result = gettext_lazy("application approved")
    else:
        text = gettext_lazy("Your application to %(team)s was declined: %(message)s")
        result = phrase(
            gettext_lazy("application declined: %(reason)s"), reason=membership.decision_message
        )
    notify(
        user,
        Kind.TEAM_DECIDED,
        text,
        reverse("volunteers:teams"),
        params={
            "team": team_name,
            "message": membership.decision_message,
            "title": team_name,
            "result": result,
        },
    )
    return membership


@transaction.atomic
def leave_team(user, team: Team) -> None:
    membership = Membership.objects.filter(
        user=user, team=team, status=Membership.Status.APPROVED
    ).first()
    if membership is None:
        raise MembershipError(_("You are not a member of %(team)s.") % {"team": team.name})
    membership.status = Membership.Status.LEFT
    membership.save(update_fields=["status"])


@transaction.atomic
def remove_member(membership: Membership, *, by, reason: str) -> Membership:
    """The leader takes someone off the team, with a reason they are told."""
    membership = Membership.objects.select_for_update(of=("self",)).get(pk=membership.pk)
    if membership.status != Membership.Status.APPROVED:
        raise MembershipError(_("This person is not a member of the team."))
    if not reason.strip():
        raise MembershipError(_("Please give a reason."))
    membership.status = Membership.Status.LEFT
    membership.decided_by = by
    membership.decided_at = now()
    membership.decision_message = reason.strip()
    membership.save(update_fields=["status", "decided_by", "decided_at", "decision_message"])
    notify(
        membership.user,
        Kind.TEAM_DECIDED,
        gettext_lazy("You are no longer a member of %(team)s: %(reason)s"),
        reverse("volunteers:teams"),
        params={
            "team": membership.team.name,
            "reason": membership.decision_message,
            "title": membership.team.name,
            "result": phrase(
                gettext_lazy("removed from the team: %(reason)s"),
                reason=membership.decision_message,
            ),
        },
    )
    return membership


# --- sign-ups ---------------------------------------------------------------------------------


def _overlapping(volunteer, post: Post):
    return (
        Signup.objects.active()
        .filter(volunteer=volunteer, post__start__lt=post.end, post__end__gt=post.start)
        .exclude(post=post)
        .select_related("post")
        .first()
    )


def my_active_signups(volunteer, *, after=None, before=None) -> list[tuple]:
    """(post id, start, end, title) of the volunteer's active sign-ups on posts ending after
    `after` (and starting before `before`): what `can_sign_up` needs of them, in one query, for
    a page that asks about many posts."""
    qs = Signup.objects.active().filter(volunteer=volunteer)
    if after is not None:
        qs = qs.filter(post__end__gt=after)
    if before is not None:
        qs = qs.filter(post__start__lt=before)
    return list(qs.values_list("post_id", "post__start", "post__end", "post__title"))


def can_sign_up(volunteer, post: Post, *, at=None, rules=None, member_team_ids=None, mine=None):
    """Why `volunteer` may not sign up for `post` now (a translated message), or None.

    No side effect: pages ask it before offering the button, and `sign_up` asks it again with
    the post locked (the one source of the rules). A page asking about many posts passes the
    volunteer's `member_team_ids` and active sign-ups (`mine`, from `my_active_signups`) so no
    query runs per post; the post needs its team loaded. The capacity is not checked here (that
    needs the row lock in `sign_up`; a full post has a waiting list).
    """
    at = at or now()
    if post.is_called_off:
        return _("This post has been called off.")
    if mine is None:
        # only the sign-ups that could matter: this post's and those overlapping it
        mine = my_active_signups(volunteer, after=post.start, before=post.end)
    if any(post_id == post.pk for post_id, _start, _end, _title in mine):
        return _("You are already signed up for this post.")
    rules = rules or VolunteerSettings.current()
    if post.end <= at:
        return _("This post is over.")
    if at >= post.start - timedelta(hours=rules.signup_closes_hours):
        return _("Sign-up for this post has closed (the cut-off has passed).")
    if at < post.start - timedelta(days=rules.signup_opens_days):
        opens = localtime(post.start - timedelta(days=rules.signup_opens_days))
        return _("Sign-up is not open yet; it opens on %(date)s.") % {
            "date": opens.strftime("%Y-%m-%d")
        }
    if post.team_id and not post.team.is_open:
        if member_team_ids is None:
            member_team_ids = set(
                Membership.objects.approved()
                .filter(user=volunteer)
                .values_list("team_id", flat=True)
            )
        if post.team_id not in member_team_ids:
            return _(
                "Only members of %(team)s can take this post; apply to join the team first."
            ) % {"team": post.team.name}
    for _post_id, start, end, title in mine:
        if start < post.end and end > post.start:
            return _("This overlaps another of your posts: %(title)s at %(time)s.") % {
                "title": title,
                "time": localtime(start).strftime("%m-%d %H:%M"),
            }
    return None


def _free_seat(post: Post) -> int | None:
    taken = set(post.signups.holding_place().values_list("seat", flat=True))
    for seat in range(1, post.capacity + 1):
        if seat not in taken:
            return seat
    return None


@transaction.atomic
def sign_up(post: Post, volunteer, *, waitlist: bool = False, at=None) -> Signup:
    """Take a place on a post (or, with `waitlist`, a place on its waiting list).

    The post row is locked while places are counted, and each place is a numbered seat the
    database keeps unique, so concurrent sign-ups can never overbook. Raises SignupError with
    the exact reason; `full=True` when only the waiting list is left.
    """
    at = at or now()
    post = Post.objects.select_for_update(of=("self",)).select_related("team").get(pk=post.pk)
    reason = can_sign_up(volunteer, post, at=at)
    if reason:
        raise SignupError(reason)
    seat = _free_seat(post)
    if seat is None and not waitlist:
        raise SignupError(
            _(
                "This post is full. You can join the waiting list and we will tell you "
                "if a place frees up."
            ),
            full=True,
        )
    profile = ensure_profile(volunteer)
    if seat is None:
        status = Signup.Status.WAITLISTED
    elif profile.needs_approval:
        status = Signup.Status.PENDING
    else:
        status = Signup.Status.CONFIRMED
    signup = Signup.objects.create(post=post, volunteer=volunteer, status=status, seat=seat)
    if not volunteer.has_role(roles.VOLUNTEER):
        roles.grant_role(volunteer, roles.VOLUNTEER)
    confirmations = {
        Signup.Status.CONFIRMED: gettext_lazy("Signed up: %(title)s, %(time)s, %(place)s."),
        Signup.Status.PENDING: gettext_lazy(
            "Your sign-up for %(title)s, %(time)s waits for the leader's approval."
        ),
        Signup.Status.WAITLISTED: gettext_lazy(
            "You are on the waiting list for %(title)s, %(time)s."
        ),
    }
    notify(
        volunteer,
        Kind.CONFIRMED,
        confirmations[status],
        reverse("volunteers:my-schedule"),
        params={
            "title": post.title,
            "time": time_span(post.start),
            "place": post.place,
        },
    )
    return signup


@transaction.atomic
def cancel_signup(signup: Signup, *, by, at=None) -> Signup:
    """Give up a place (until the cut-off) or leave the waiting list; the next in line moves up."""
    at = at or now()
    post = Post.objects.select_for_update(of=("self",)).get(pk=signup.post_id)
    signup = Signup.objects.select_for_update(of=("self",)).get(pk=signup.pk)
    if signup.status not in Signup.ACTIVE:
        raise SignupError(_("This sign-up is already cancelled."))
    if post.start <= at:
        raise SignupError(_("This post has started; ask the leader instead."))
    rules = VolunteerSettings.current()
    cutoff = post.start - timedelta(hours=rules.cancel_cutoff_hours)
    if signup.holds_place and at >= cutoff and not can_manage_team(by, post.team):
        raise SignupError(
            _(
                "Cancellations close %(hours)s hours before the start; please call your "
                "leader instead."
            )
            % {"hours": rules.cancel_cutoff_hours}
        )
    signup.status = Signup.Status.CANCELLED
    signup.seat = None
    signup.cancelled_by, signup.cancelled_at = by, at
    signup.save(update_fields=["status", "seat", "cancelled_by", "cancelled_at", "updated_at"])
    promote_from_waitlist(post, at=at)
    return signup


def places_to_call_off(post: Post):
    """The sign-ups calling `post` off cancels: places, places waiting for approval and places in
    line, but not a volunteer already checked in (they came)."""
    return Signup.objects.active().filter(post=post, checked_in_at=None)


@transaction.atomic
def call_off_post(post: Post, *, by, reason: str, for_module: bool = False) -> int:
    """Call off a post that has not ended (the service day rained off, the venue lost): every
    place, place waiting for approval and place in line is cancelled and each volunteer is told
    once, with the reason. A volunteer already checked in keeps their sign-up (they came; the
    leader confirms their hours as usual). Only the team's leader or the coordinator may, or,
    with `for_module`, the module that made the post (a festival activity called off calls off
    its stall's post; that module checked who may). Returns how many were told; raises PostError,
    changing nothing, when it cannot."""
    refusal = reason_refusal(reason)
    if refusal:
        raise PostError(refusal)
    post = Post.objects.select_for_update(of=("self",)).select_related("team").get(pk=post.pk)
    if not for_module and not can_manage_team(by, post.team):
        raise PostError(_("Only the team's leader or the coordinator can call a post off."))
    if post.is_called_off:
        raise PostError(_("This post has already been called off."))
    at = now()
    if post.end <= at:
        raise PostError(_("This post is over; there is nothing left to call off."))
    mark_called_off(post, by=by, reason=reason, at=at)
    signups = places_to_call_off(post)
    volunteers = [signup.volunteer for signup in signups.select_related("volunteer")]
    signups.update(
        status=Signup.Status.CANCELLED,
        seat=None,
        cancelled_by=by,
        cancelled_at=at,
        updated_at=at,
    )
    cache_changed("volunteers")  # update() sends no signals
    return notify_called_off(
        volunteers,
        gettext_lazy("Volunteer post “%(title)s” (%(time)s) is called off: %(reason)s"),
        reverse("volunteers:my-schedule"),
        title=post.title,
        start=post.start,
        end=post.end,
        reason=post.called_off_reason,
    )


@transaction.atomic
def promote_from_waitlist(post: Post, *, at=None) -> list[Signup]:
    """Fill free places from the waiting list, oldest first, and tell each promoted volunteer."""
    at = at or now()
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    promoted = []
    if post.start <= at:
        return promoted
    queue = list(
        Signup.objects.select_for_update(of=("self",))
        .filter(post=post, status=Signup.Status.WAITLISTED)
        .select_related("volunteer__volunteer_profile")
        .order_by("created_at", "pk")
    )
    for signup in queue:
        seat = _free_seat(post)
        if seat is None:
            break
        profile = ensure_profile(signup.volunteer)
        signup.status = Signup.Status.PENDING if profile.needs_approval else Signup.Status.CONFIRMED
        signup.seat = seat
        signup.save(update_fields=["status", "seat", "updated_at"])
        promoted.append(signup)
        notify(
            signup.volunteer,
            Kind.PROMOTED,
            gettext_lazy("A place came free: you now have a place on %(title)s, %(time)s."),
            reverse("volunteers:my-schedule"),
            params={"title": post.title, "time": time_span(post.start)},
            urgent=urgent_for(post.start),
        )
    return promoted


@transaction.atomic
def decide_signup(signup: Signup, *, by, approve: bool) -> Signup:
    """The leader approves or declines a sign-up that needed approval (after no-shows)."""
    signup = Signup.objects.select_for_update(of=("self",)).select_related("post").get(pk=signup.pk)
    if signup.status != Signup.Status.PENDING:
        raise SignupError(_("This sign-up does not need approval."))
    signup.decided_by = by
    signup.decided_at = now()
    if approve:
        signup.status = Signup.Status.CONFIRMED
        signup.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        text = gettext_lazy("Your place on %(title)s is confirmed.")
    else:
        signup.status = Signup.Status.DECLINED
        signup.seat = None
        signup.save(update_fields=["status", "seat", "decided_by", "decided_at", "updated_at"])
        text = gettext_lazy("The leader did not confirm your place on %(title)s.")
        promote_from_waitlist(signup.post)
    notify(
        signup.volunteer,
        Kind.CONFIRMED,
        text,
        reverse("volunteers:my-schedule"),
        params={
            "title": signup.post.title,
            "time": time_span(signup.post.start),
        },
    )
    return signup


# --- attendance -------------------------------------------------------------------------------


def post_from_checkin_token(token: str) -> Post:
    """The post a QR code's token names; a forged or outdated token raises AttendanceError."""
    from django.core import signing

    try:
        value = signing.Signer(salt=CHECKIN_SALT).unsign(token)
        pk, key = value.split(".", 1)
        post = Post.objects.get(pk=int(pk))
    except (signing.BadSignature, ValueError, Post.DoesNotExist):
        raise AttendanceError(
            _("This QR code is not valid. Please scan the code at the post.")
        ) from None
    if post.checkin_key != key:
        raise AttendanceError(_("This QR code is not valid. Please scan the code at the post."))
    return post


def _check_window(post: Post, at) -> None:
    window = timedelta(minutes=VolunteerSettings.current().checkin_window_minutes)
    if at < post.start - window:
        raise AttendanceError(
            _("Check-in opens %(minutes)s minutes before the post starts.")
            % {"minutes": int(window.total_seconds() // 60)}
        )
    if at > post.end + window:
        raise AttendanceError(_("This post is over; ask the leader to record your attendance."))


@transaction.atomic
def check_in(signup: Signup, *, by, at=None) -> Signup:
    """Record arrival at the post (by the volunteer's QR scan or the leader's tap)."""
    at = at or now()
    signup = Signup.objects.select_for_update(of=("self",)).select_related("post").get(pk=signup.pk)
    if signup.status != Signup.Status.CONFIRMED:
        raise AttendanceError(_("Only volunteers with a confirmed place can check in."))
    if signup.checked_in_at:
        raise AttendanceError(_("Already checked in."))
    _check_window(signup.post, at)
    signup.checked_in_at = at
    signup.checked_in_by = by
    signup.attendance = Signup.Attendance.ATTENDED
    signup.save(update_fields=["checked_in_at", "checked_in_by", "attendance", "updated_at"])
    return signup


@transaction.atomic
def check_out(signup: Signup, *, by, at=None) -> Signup:
    """Record leaving the post. Confirming the hours is a separate step (`confirm_hours`), so a
    tap on check-out too early never locks in the hours: the leader can still undo it."""
    at = at or now()
    signup = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("post__team")
        .get(pk=signup.pk)
    )
    if not signup.checked_in_at:
        raise AttendanceError(_("Check in first."))
    if signup.checked_out_at:
        raise AttendanceError(_("Already checked out."))
    if signup.hours_confirmed_at:
        raise AttendanceError(_("The hours for this post are already confirmed."))
    _check_window(signup.post, at)
    signup.checked_out_at = max(at, signup.checked_in_at)
    signup.checked_out_by = by
    signup.save(update_fields=["checked_out_at", "checked_out_by", "updated_at"])
    return signup


def _check_leader(signup: Signup, by) -> None:
    if by.pk == signup.volunteer_id and not is_coordinator(by):
        raise AttendanceError(_("Ask the leader: nobody corrects their own attendance."))
    if not can_manage_team(by, signup.post.team):
        raise AttendanceError(_("Only the team's leader or the coordinator can do this."))


@transaction.atomic
def undo_check_out(signup: Signup, *, by, at=None) -> Signup:
    """The leader takes back a check-out recorded by mistake, while the hours are unconfirmed."""
    signup = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("post__team")
        .get(pk=signup.pk)
    )
    _check_leader(signup, by)
    if signup.hours_confirmed_at:
        raise AttendanceError(_("The hours are confirmed; undo the confirmation first."))
    if not signup.checked_out_at:
        raise AttendanceError(_("There is no check-out to undo."))
    signup.checked_out_at = None
    signup.checked_out_by = None
    signup.save(update_fields=["checked_out_at", "checked_out_by", "updated_at"])
    return signup


@transaction.atomic
def undo_confirmation(signup: Signup, *, by, at=None) -> HoursEntry | None:
    """The leader takes back a confirmation on the day it was made.

    The ledger is append-only: the hours credited are cancelled by a correcting row (none when
    nothing was credited), and the attendance can be confirmed again. Returns that row.
    """
    at = at or now()
    signup = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("post__team", "volunteer")
        .get(pk=signup.pk)
    )
    _check_leader(signup, by)
    if not signup.hours_confirmed_at:
        raise AttendanceError(_("These hours are not confirmed."))
    if localtime(signup.hours_confirmed_at).date() != localtime(at).date():
        raise AttendanceError(
            _(
                "A confirmation can be undone only on its day; the volunteer can ask for a "
                "correction."
            )
        )
    if signup.corrections.filter(status=CorrectionRequest.Status.PENDING).exists():
        raise AttendanceError(_("The volunteer asked for a correction; answer it instead."))
    credited = signup_hours(signup)
    entry = None
    if credited:
        entry = HoursEntry.objects.create(
            volunteer=signup.volunteer,
            signup=signup,
            post=signup.post,
            team=signup.post.team,
            served_on=localtime(signup.post.start).date(),
            hours=-credited,
            kind=HoursEntry.Kind.CORRECTION,
            reason=str(_("Confirmation undone by the leader."))[:200],
            created_by=by,
        )
    signup.hours_confirmed_at = None
    signup.hours_confirmed_by = None
    signup.save(update_fields=["hours_confirmed_by", "hours_confirmed_at", "updated_at"])
    return entry


@transaction.atomic
def add_walk_in(post: Post, volunteer, *, by, at=None) -> Signup:
    """The leader adds a team member who turned up without signing up, once check-in is open
    (the sign-up cut-off no longer applies): a confirmed place, checked in now."""
    at = at or now()
    post = Post.objects.select_for_update(of=("self",)).select_related("team").get(pk=post.pk)
    window = timedelta(minutes=VolunteerSettings.current().checkin_window_minutes)
    if at < post.start - window:
        raise SignupError(_("Walk-ins are added once check-in opens; sign them up instead."))
    if at >= post.end:
        raise SignupError(_("This post is over."))
    if Signup.objects.active().filter(post=post, volunteer=volunteer).exists():
        raise SignupError(_("%(name)s is already on this post.") % {"name": volunteer})
    clash = _overlapping(volunteer, post)
    if clash is not None:
        raise SignupError(
            _("%(name)s is on another post at this time: %(title)s.")
            % {"name": volunteer, "title": clash.post.title}
        )
    seat = _free_seat(post)
    if seat is None:
        raise SignupError(_("All places are taken; add a place to the post first."))
    ensure_profile(volunteer)
    signup = Signup.objects.create(
        post=post,
        volunteer=volunteer,
        status=Signup.Status.CONFIRMED,
        seat=seat,
        checked_in_at=at,
        checked_in_by=by,
        attendance=Signup.Attendance.ATTENDED,
    )
    if not volunteer.has_role(roles.VOLUNTEER):
        roles.grant_role(volunteer, roles.VOLUNTEER)
    return signup


@transaction.atomic
def scan_checkin(token: str, user, *, at=None) -> tuple[str, Signup]:
    """The volunteer scanned the post's QR code: check in, or check out if already in."""
    at = at or now()
    post = post_from_checkin_token(token)
    signup = Signup.objects.filter(
        post=post, volunteer=user, status=Signup.Status.CONFIRMED
    ).first()
    if signup is None:
        raise AttendanceError(_("You are not signed up for %(title)s.") % {"title": post.title})
    if not signup.checked_in_at:
        return "in", check_in(signup, by=user, at=at)
    return "out", check_out(signup, by=user, at=at)


def hours_for(signup: Signup, rules: VolunteerSettings) -> tuple[Decimal, str]:
    """The hours a confirmed attendance earns and the reason written to the ledger."""
    post = signup.post
    scheduled = post.end - post.start
    if signup.checked_out_at:
        # only time within the post's hours counts (arriving early earns nothing extra)
        attended = max(
            min(signup.checked_out_at, post.end) - max(signup.checked_in_at, post.start),
            timedelta(0),
        )
        if not lib.meets_share(attended, scheduled, rules.min_share_percent):
            return Decimal("0"), _(
                "Attended %(share)s%% of the post, less than the %(min)s%% required."
            ) % {
                "share": lib.attended_percent(attended, scheduled),
                "min": rules.min_share_percent,
            }
        hours = lib.round_hours(
            attended,
            zero_below=rules.round_zero_below_minutes,
            half_below=rules.round_half_below_minutes,
        )
        return hours, _("Checked in %(start)s, out %(end)s.") % {
            "start": localtime(signup.checked_in_at).strftime("%H:%M"),
            "end": localtime(signup.checked_out_at).strftime("%H:%M"),
        }
    hours = lib.round_hours(
        scheduled,
        zero_below=rules.round_zero_below_minutes,
        half_below=rules.round_half_below_minutes,
    )
    return hours, _("No check-out; scheduled time confirmed by the leader.")


@transaction.atomic
def confirm_hours(signup: Signup, *, by, at=None) -> HoursEntry:
    """The leader confirms an attendance; its hours are credited to the ledger once."""
    at = at or now()
    signup = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("post__team", "volunteer")
        .get(pk=signup.pk)
    )
    if signup.hours_confirmed_at:
        raise AttendanceError(_("The hours for this post are already confirmed."))
    if by.pk == signup.volunteer_id and not is_coordinator(by):
        raise AttendanceError(
            _("Nobody confirms their own hours; another leader or the coordinator does.")
        )
    if not signup.checked_in_at:
        raise AttendanceError(_("%(name)s has not checked in.") % {"name": signup.volunteer})
    if at < signup.post.start:
        raise AttendanceError(_("Hours can be confirmed once the post has started."))
    hours, reason = hours_for(signup, VolunteerSettings.current())
    signup.hours_confirmed_by = by
    signup.hours_confirmed_at = at
    signup.save(update_fields=["hours_confirmed_by", "hours_confirmed_at", "updated_at"])
    # A sign-up has one credit row; confirming again after an undo adds to the ledger as a
    # correction (the undo cancelled the credit, so the total is these hours).
    credited = signup.hours_entries.filter(kind=HoursEntry.Kind.CREDIT).exists()
    return HoursEntry.objects.create(
        volunteer=signup.volunteer,
        signup=signup,
        post=signup.post,
        team=signup.post.team,
        served_on=localtime(signup.post.start).date(),
        hours=hours,
        kind=HoursEntry.Kind.CORRECTION if credited else HoursEntry.Kind.CREDIT,
        reason=reason[:200],
        created_by=by,
    )


def no_show_count(profile: VolunteerProfile) -> int:
    qs = Signup.objects.filter(volunteer_id=profile.user_id, attendance=Signup.Attendance.NO_SHOW)
    if profile.no_shows_cleared_at:
        qs = qs.filter(post__start__gt=profile.no_shows_cleared_at)
    return qs.count()


@transaction.atomic
def mark_no_show(signup: Signup, *, by, at=None) -> Signup:
    """Record that a confirmed volunteer did not come; too many puts their sign-ups on hold."""
    at = at or now()
    signup = Signup.objects.select_for_update(of=("self",)).select_related("post").get(pk=signup.pk)
    if signup.status != Signup.Status.CONFIRMED:
        raise AttendanceError(_("Only a confirmed place can be marked as a no-show."))
    if signup.checked_in_at:
        raise AttendanceError(_("This volunteer checked in; they were there."))
    if at < signup.post.start:
        raise AttendanceError(_("A no-show can only be recorded once the post has started."))
    if signup.attendance == Signup.Attendance.NO_SHOW:
        raise AttendanceError(_("Already recorded as a no-show."))
    signup.attendance = Signup.Attendance.NO_SHOW
    signup.attendance_marked_by = by
    signup.attendance_marked_at = at
    signup.save(
        update_fields=["attendance", "attendance_marked_by", "attendance_marked_at", "updated_at"]
    )
    profile = VolunteerProfile.objects.select_for_update(of=("self",)).get(
        pk=ensure_profile(signup.volunteer).pk
    )
    rules = VolunteerSettings.current()
    if rules.no_show_limit and not profile.needs_approval:
        if no_show_count(profile) >= rules.no_show_limit:
            profile.needs_approval = True
            profile.save(update_fields=["needs_approval"])
            notify(
                signup.volunteer,
                Kind.HOURS,
                gettext_lazy(
                    "You missed %(count)s posts without cancelling. Until your leader clears "
                    "this, your sign-ups need their approval."
                ),
                reverse("volunteers:my-schedule"),
                params={
                    "count": rules.no_show_limit,
                    "title": gettext_lazy("Volunteer sign-ups"),
                    "result": phrase(
                        gettext_lazy("%(count)s no-shows: sign-ups need the leader's approval"),
                        count=rules.no_show_limit,
                    ),
                },
            )
    return signup


@transaction.atomic
def clear_no_shows(profile: VolunteerProfile, *, by) -> VolunteerProfile:
    """The leader lifts the approval hold; earlier no-shows no longer count."""
    profile = VolunteerProfile.objects.select_for_update(of=("self",)).get(pk=profile.pk)
    profile.needs_approval = False
    profile.no_shows_cleared_at = now()
    profile.no_shows_cleared_by = by
    profile.save(update_fields=["needs_approval", "no_shows_cleared_at", "no_shows_cleared_by"])
    return profile


# --- hours corrections and certificates -----------------------------------------------------


def signup_hours(signup: Signup) -> Decimal:
    return signup.hours_entries.total()


@transaction.atomic
def request_correction(signup: Signup, *, user, hours, reason: str) -> CorrectionRequest:
    """The volunteer asks for a different number of hours for a post they served."""
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.volunteer_id != user.pk:
        raise HoursError(_("You can only ask about your own hours."))
    if not signup.hours_confirmed_at:
        raise HoursError(_("The leader has not confirmed the hours for this post yet."))
    if hours is None or hours < 0 or hours > 24:
        raise HoursError(_("Enter between 0 and 24 hours."))
    if not reason.strip():
        raise HoursError(_("Please say why the hours should change."))
    if hours == signup_hours(signup):
        raise HoursError(_("That is the number of hours already credited."))
    if signup.corrections.filter(status=CorrectionRequest.Status.PENDING).exists():
        raise HoursError(_("You already asked for a correction of this post."))
    return CorrectionRequest.objects.create(signup=signup, hours=hours, reason=reason.strip())


@transaction.atomic
def decide_correction(
    correction: CorrectionRequest, *, by, approve: bool, reason: str
) -> CorrectionRequest:
    """The leader approves (a correction row goes into the ledger) or rejects, with a reason."""
    correction = (
        CorrectionRequest.objects.select_for_update(of=("self",))
        .select_related("signup__post__team", "signup__volunteer")
        .get(pk=correction.pk)
    )
    if correction.status != CorrectionRequest.Status.PENDING:
        raise HoursError(_("This request has already been answered."))
    if not reason.strip():
        raise HoursError(_("Please give a reason for your decision."))
    signup = correction.signup
    correction.status = (
        CorrectionRequest.Status.APPROVED if approve else CorrectionRequest.Status.REJECTED
    )
    correction.decision_reason = reason.strip()
    correction.decided_by = by
    correction.decided_at = now()
    correction.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    if approve:
        delta = correction.hours - signup_hours(signup)
        if delta:
            HoursEntry.objects.create(
                volunteer=signup.volunteer,
                signup=signup,
                post=signup.post,
                team=signup.post.team,
                served_on=localtime(signup.post.start).date(),
                hours=delta,
                kind=HoursEntry.Kind.CORRECTION,
                reason=reason.strip()[:200],
                created_by=by,
            )
        text = gettext_lazy("Your hours for %(title)s were corrected to %(hours)s.")
        result = phrase(gettext_lazy("corrected to %(hours)s hours"), hours=correction.hours)
    else:
        text = gettext_lazy("Your correction for %(title)s was not accepted: %(reason)s")
        result = phrase(
            gettext_lazy("correction not accepted: %(reason)s"),
            reason=correction.decision_reason,
        )
    notify(
        signup.volunteer,
        Kind.HOURS,
        text,
        reverse("volunteers:my-hours"),
        params={
            "title": signup.post.title,
            "hours": correction.hours,
            "reason": correction.decision_reason,
            "result": result,
        },
    )
    return correction


@transaction.atomic
def issue_certificate(user, *, at=None) -> Certificate:
    """Freeze the volunteer's record into a numbered certificate with a verification code."""
    at = at or now()
    entries = HoursEntry.objects.filter(volunteer=user)
    summary = entries.aggregate(first=Min("served_on"), last=Max("served_on"))
    total = entries.total()
    if total <= 0:
        raise HoursError(_("You have no confirmed service hours yet."))
    profile = ensure_profile(user)
    titles = (
        Signup.objects.filter(volunteer=user, hours_confirmed_at__isnull=False)
        .values_list("post__title", flat=True)
        .distinct()
        .order_by("post__title")
    )
    posts_served = Signup.objects.filter(volunteer=user, hours_confirmed_at__isnull=False).count()
    community = Community.current()
    year = localtime(at).year
    # numbering: year, then a running number within the year. The settings row is the lock
    # that serialises numbering (there may be no certificate row to lock yet).
    VolunteerSettings.objects.select_for_update().filter(pk=VolunteerSettings.current().pk).get()
    last = Certificate.objects.filter(number__startswith=f"{year}-").order_by("-number").first()
    seq = int(last.number.split("-")[1]) + 1 if last else 1
    return Certificate.objects.create(
        number=f"{year}-{seq:05d}",
        volunteer=user,
        volunteer_name=user.real_name or user.display_name,
        volunteer_number=profile.number,
        hours=total,
        posts_served=posts_served,
        first_served_on=summary["first"],
        last_served_on=summary["last"],
        content="、".join(list(titles)[:20]),
        issuer=community.committee_name,
        issued_at=at,
    )


# --- coordinator ----------------------------------------------------------------------------


def service_date(year: int, month: int, day_of_month: int) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day_of_month, last))


def _aware(day: date, t) -> datetime:
    return make_aware(datetime.combine(day, t))


# Service days are generated for this year and the next two at most: a typo (2099) would
# otherwise fill the calendar with posts nobody will staff.
GENERATE_YEARS_AHEAD = 2


def generatable_years(today: date | None = None) -> range:
    this_year = (today or localdate()).year
    return range(this_year, this_year + GENERATE_YEARS_AHEAD + 1)


@transaction.atomic
def generate_service_days(year: int, *, by=None, dry_run: bool = False) -> dict:
    """A year of Red Star Service Days, a post per active template; a second run adds nothing."""
    years = generatable_years()
    if year not in years:
        raise PostError(
            _("Service days can be generated for %(first)s to %(last)s only.")
            % {"first": years[0], "last": years[-1]}
        )
    community = Community.current()
    templates = list(PostTemplate.objects.filter(is_active=True).select_related("team"))
    result = {"days": 0, "posts": 0}
    for month in range(1, 13):
        day_date = service_date(year, month, community.service_day_of_month)
        day = ServiceDay.objects.filter(date=day_date).first()
        if day is None:
            result["days"] += 1
            if dry_run:
                result["posts"] += len(templates)
                continue
            day = ServiceDay.objects.create(date=day_date, title="")
        existing = set(
            day.posts.filter(template__isnull=False).values_list("template_id", flat=True)
        )
        for template in templates:
            if template.pk in existing:
                continue
            result["posts"] += 1
            if dry_run:
                continue
            Post.objects.create(
                service_day=day,
                template=template,
                team=template.team,
                title=template.title,
                place=template.place,
                start=_aware(day_date, template.start_time),
                end=_aware(day_date, template.end_time),
                capacity=template.capacity,
                skills=template.skills,
                description=template.description,
                source=Source.GENERATED,
                created_by=by,
            )
    if dry_run:
        transaction.set_rollback(True)
    return result


@transaction.atomic
def copy_posts(source_day: ServiceDay, target_day: ServiceDay, *, by=None) -> int:
    """Copy one day's posts to another day; posts already there (same team and title) are kept."""
    have = set(target_day.posts.values_list("team_id", "title"))
    created = 0
    for post in source_day.posts.all():
        if (post.team_id, post.title) in have:
            continue
        start = _aware(target_day.date, localtime(post.start).time())
        Post.objects.create(
            service_day=target_day,
            team=post.team,
            title=post.title,
            place=post.place,
            start=start,
            end=start + (post.end - post.start),
            capacity=post.capacity,
            skills=post.skills,
            description=post.description,
            source=Source.COPIED,
            created_by=by,
        )
        created += 1
    return created


# --- reminders ------------------------------------------------------------------------------


def send_reminders(*, at=None, dry_run=False) -> dict:
    """Day-before and morning-of reminders for confirmed places; each is sent at most once.

    Each reminder is claimed with a conditional UPDATE before it is sent, so two runs (or two
    overlapping cron jobs) never send the same reminder twice.
    """
    at = at or now()
    today = localdate(at)
    tomorrow = today + timedelta(days=1)
    counts = {"day_before": 0, "morning": 0}
    base = Signup.objects.filter(status=Signup.Status.CONFIRMED).select_related("post", "volunteer")
    jobs = [
        ("day_before", "reminded_day_before_at", tomorrow),
        ("morning", "reminded_morning_at", today),
    ]
    for key, field, day in jobs:
        start = _aware(day, datetime.min.time())
        candidates = base.filter(
            **{f"{field}__isnull": True},
            post__start__gte=max(start, at) if key == "morning" else start,
            post__start__lt=start + timedelta(days=1),
        )
        for signup in candidates:
            if dry_run:
                counts[key] += 1
                continue
            claimed = Signup.objects.filter(pk=signup.pk, **{f"{field}__isnull": True}).update(
                **{field: at}
            )
            if not claimed:
                continue
            post = signup.post
            when = time_span(post.start)
            if key == "day_before":
                text = gettext_lazy(
                    "Reminder: tomorrow %(time)s you serve at %(title)s, %(place)s."
                )
            else:
                text = gettext_lazy("Reminder: today %(time)s you serve at %(title)s, %(place)s.")
            notify(
                signup.volunteer,
                Kind.REMINDER,
                text,
                reverse("volunteers:my-schedule"),
                params={"time": when, "title": post.title, "place": post.place},
                subject=gettext_lazy("Volunteer reminder"),
                key=f"volunteers-reminder:{signup.pk}:{key}",
            )
            counts[key] += 1
    return counts


def member_team_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.approved().filter(user=user).values_list("team_id", flat=True))


def open_or_member_q(team_ids) -> Q:
    return Q(team__isnull=True) | Q(team__is_open=True) | Q(team_id__in=team_ids)
