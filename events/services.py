"""Workflows of the events module: registering, waiting, promoting, checking in, stalls, cloning.

Every workflow that counts places locks the activity row first (`select_for_update`), so two
households registering in the same second are served one after the other and the capacity and
the waiting-list order hold. On SQLite the lock is a no-op but writes are serialised anyway.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import (
    ADULT_AGE,
    Activity,
    Booking,
    Event,
    Question,
    Registration,
    StallApplication,
)
from portal import roles
from portal.access import my_household_members
from portal.cache import changed as cache_changed
from portal.calling_off import mark_called_off, reason_refusal
from portal.models import Community, HouseholdMember
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
from portal.questions import AnswerError, check_answer
from volunteers.models import Source
from volunteers.services import PostError, call_off_post, create_post


class EventError(Exception):
    """A refused events workflow; the message is translated and shown to the person."""


# ---------------------------------------------------------------- registration


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


# What the festival says for each of the shared engine's refusals: the person's name first, as
# several people of one household are registered together.
_ANSWER_MESSAGES = {
    "consent": gettext_lazy("%(name)s: please agree to “%(question)s”."),
    "required": gettext_lazy("%(name)s: please answer “%(question)s”."),
    "number": gettext_lazy("%(name)s: “%(question)s” needs a number."),
    "choice": gettext_lazy("%(name)s: choose one of the options for “%(question)s”."),
}


def _check_answer(question: Question, value, name: str):
    """Return the answer as stored (str or bool), or raise EventError."""
    try:
        return check_answer(question, value)
    except AnswerError as e:
        if e.code in _ANSWER_MESSAGES:
            message = str(_ANSWER_MESSAGES[e.code]) % {"name": name, "question": question.label}
        else:
            message = _("%(name)s: %(problem)s") % {"name": name, "problem": e.message}
        raise EventError(message) from None


def _places_taken(activity: Activity) -> int:
    return Registration.objects.confirmed().filter(activity=activity).count()


@transaction.atomic
def register(activity: Activity, *, user, members, answers=None, entered_by=None) -> Booking:
    """Register household members for an activity: all get a place, or all wait together.

    `user` is the household's account holder (who gets the tickets and notices); `entered_by`
    the member of staff who did it for them, if any. `answers` maps a member's pk to
    {question pk: value}. Raises EventError, changing nothing, when any rule is broken.
    """
    answers = answers or {}
    activity = _lock(activity)
    at = now()
    state = activity.registration_state(at)
    if state == "called_off":
        raise EventError(_("This activity has been called off."))
    if state == "not_needed":
        raise EventError(_("This activity needs no registration: just come along."))
    if state == "not_open":
        raise EventError(
            _("Registration opens on %(when)s.")
            % {"when": localtime(activity.registration_opens_at).strftime("%Y-%m-%d %H:%M")}
        )
    if state == "closed":
        raise EventError(_("Registration for this activity has closed."))
    if not activity.event.is_published:
        raise EventError(_("This event is not open yet."))

    members = list(members)
    if not members:
        raise EventError(_("Choose at least one person to register."))
    if len({m.pk for m in members}) != len(members):
        raise EventError(_("Each person can be registered only once."))
    if not user.household_id or any(
        m.household_id != user.household_id or m.has_left for m in members
    ):
        raise EventError(_("You can register only yourself and members of your household."))

    day = activity.day
    for m in members:
        reason = can_register(activity, m)
        if reason:
            raise EventError(reason)
    if activity.adults_accompany and activity.age_range_label:
        if all(m.age_on(day) >= ADULT_AGE for m in members):
            raise EventError(
                _(
                    "Adults come to this activity with a child (%(range)s): register a child "
                    "of your household too."
                )
                % {"range": activity.age_range_label}
            )

    questions = list(activity.questions.all())
    stored = {}
    for m in members:
        given = answers.get(m.pk, {})
        stored[m.pk] = {
            str(q.pk): _check_answer(q, given.get(q.pk), m.full_name) for q in questions
        }

    already = (
        Registration.objects.active()
        .filter(activity=activity, member__in=members)
        .select_related("member__user")
        .first()
    )
    if already is not None:
        raise EventError(
            _("%(name)s is already registered for this activity.")
            % {"name": already.member.full_name}
        )
    held = Registration.objects.active().of_household(user.household_id).filter(activity=activity)
    if held.count() + len(members) > activity.household_limit:
        raise EventError(
            _("A household can register at most %(limit)s people for this activity.")
            % {"limit": activity.household_limit}
        )

    # First come, first served: anyone already waiting goes before this booking.
    queue = Registration.objects.waiting().filter(activity=activity).exists()
    fits = not queue and _places_taken(activity) + len(members) <= activity.capacity
    status = Registration.Status.CONFIRMED if fits else Registration.Status.WAITING
    booking = Booking.objects.create(
        activity=activity, household_id=user.household_id, booked_by=user, entered_by=entered_by
    )
    Registration.objects.bulk_create(
        Registration(
            booking=booking,
            activity=activity,
            member=m,
            status=status,
            answers=stored[m.pk],
            confirmed_at=at if fits else None,
        )
        for m in members
    )
    return booking


def promote_waiting(activity: Activity) -> list[Booking]:
    """Give freed places to the waiting list, strictly in order, a whole booking at a time.

    The caller holds the activity's lock. A booking that does not fit keeps its turn: the ones
    behind it wait too, so nobody jumps the queue. Tells each promoted household.
    """
    at = now()
    free = activity.capacity - _places_taken(activity)
    waiting = list(
        Registration.objects.waiting()
        .filter(activity=activity)
        .select_related("booking__booked_by")
        .order_by("booking_id", "id")
    )
    groups: dict[int, list[Registration]] = {}
    for reg in waiting:
        groups.setdefault(reg.booking_id, []).append(reg)
    promoted = []
    for regs in groups.values():
        if len(regs) > free:
            break
        Registration.objects.filter(pk__in=[r.pk for r in regs]).update(
            status=Registration.Status.CONFIRMED, confirmed_at=at
        )
        cache_changed("events")  # update() sends no signals
        free -= len(regs)
        booking = regs[0].booking
        promoted.append(booking)
        if booking.booked_by is not None:
            names = "、".join(
                r.person_name
                for r in Registration.objects.filter(pk__in=[r.pk for r in regs]).select_related(
                    "member__user"
                )
            )
            notify(
                booking.booked_by,
                Kind.PROMOTED,
                gettext_lazy("A place opened up: %(names)s now have a place at “%(activity)s”."),
                reverse("events:my"),
                params={
                    "names": names,
                    "activity": activity.title,
                    "title": activity.title,
                    "time": time_span(activity.starts_at),
                },
                urgent=urgent_for(activity.starts_at),
            )
    return promoted


def tell_activity_moved(activity: Activity, old_start, old_end, old_place) -> int:
    """Tell each household with a place or a waiting place at `activity` (whoever booked) that
    its time or place changed; returns how many people were told."""
    registrations = (
        Registration.objects.active()
        .filter(activity=activity, booking__booked_by__isnull=False)
        .select_related("booking__booked_by")
    )
    return notify_moved(
        [reg.booking.booked_by for reg in registrations],
        gettext_lazy("“%(title)s” has changed: now %(time)s at %(place)s (was %(old)s)."),
        reverse("events:my"),
        title=activity.title,
        before=(old_start, old_end, old_place),
        after=(activity.starts_at, activity.ends_at, activity.place),
    )


def places_to_call_off(activity: Activity):
    """The registrations calling `activity` off cancels: every place and place in line but the
    tickets already checked in (those people came)."""
    return Registration.objects.active().filter(activity=activity, checked_in_at=None)


@transaction.atomic
def call_off_activity(activity: Activity, *, by, reason: str) -> int:
    """Call off an activity that has not ended (rain, a burst pipe): every place and place in
    line is cancelled, every stall application withdrawn, and each household or stallholder is
    told once, with the reason. Tickets already checked in stay as they were (those people came).
    Returns how many people were told; raises EventError, changing nothing, when it cannot."""
    refusal = reason_refusal(reason)
    if refusal:
        raise EventError(refusal)
    activity = _lock(activity)
    if activity.is_called_off:
        raise EventError(_("This activity has already been called off."))
    at = now()
    if activity.ends_at <= at:
        raise EventError(_("This activity is over; there is nothing left to call off."))
    mark_called_off(activity, by=by, reason=reason, at=at)
    registrations = places_to_call_off(activity)
    booked = list(
        {
            reg.booking.booked_by
            for reg in registrations.filter(booking__booked_by__isnull=False).select_related(
                "booking__booked_by"
            )
        }
    )
    registrations.update(status=Registration.Status.CANCELLED, cancelled_at=at, cancelled_by=by)
    stalls = StallApplication.objects.filter(
        activity=activity,
        status__in=[StallApplication.Status.PENDING, StallApplication.Status.APPROVED],
    )
    stallholders = [app.applicant for app in stalls.select_related("applicant")]
    stalls.update(status=StallApplication.Status.WITHDRAWN, stall_number=None)
    cache_changed("events")  # update() sends no signals
    told = 0
    if activity.volunteer_post_id:  # the stall's volunteers are not needed either
        post = activity.volunteer_post
        if not post.is_called_off and post.end > at:
            told = call_off_post(post, by=by, reason=activity.called_off_reason, for_module=True)
    return told + notify_called_off(
        [*booked, *stallholders],
        gettext_lazy("“%(title)s” (%(time)s) is called off: %(reason)s"),
        reverse("events:activity", args=[activity.pk]),
        title=activity.title,
        start=activity.starts_at,
        end=activity.ends_at,
        reason=activity.called_off_reason,
    )


@transaction.atomic
def set_capacity(activity: Activity, capacity: int) -> list[Booking]:
    """Change the number of places; a raise promotes the waiting list at once."""
    if capacity < 0:
        raise EventError(_("The number of places cannot be negative."))
    activity = _lock(activity)
    activity.capacity = capacity
    activity.save(update_fields=["capacity"])
    return promote_waiting(activity)


@transaction.atomic
def cancel_registration(registration: Registration, *, by) -> Registration:
    """Cancel one person's place or place in line, until the cut-off; promotes the next in line."""
    activity = _lock(registration.activity)
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if reg.status == Registration.Status.CANCELLED:
        raise EventError(_("This registration is already cancelled."))
    if reg.checked_in_at is not None:
        raise EventError(_("This ticket has been checked in and can no longer be cancelled."))
    at = now()
    if at >= activity.cancel_deadline:
        raise EventError(
            _("Cancelling closed on %(when)s; please call the community office.")
            % {"when": localtime(activity.cancel_deadline).strftime("%Y-%m-%d %H:%M")}
        )
    reg.status = Registration.Status.CANCELLED
    reg.cancelled_at, reg.cancelled_by = at, by
    reg.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    promote_waiting(activity)
    return reg


def waiting_positions(activity_ids) -> dict[int, int]:
    """{booking id: place in line (1 = next)} for the waiting lists of the given activities."""
    rows = (
        Registration.objects.waiting()
        .filter(activity_id__in=list(activity_ids))
        .values_list("activity_id", "booking_id")
        .distinct()
        .order_by("activity_id", "booking_id")
    )
    positions, counters = {}, {}
    for activity_id, booking_id in rows:
        counters[activity_id] = counters.get(activity_id, 0) + 1
        positions[booking_id] = counters[activity_id]
    return positions


def bookings_to_remind(day):
    """Bookings with a confirmed place at an activity on `day` whose household was not yet
    reminded (used by `manage.py remind_events`)."""
    return (
        Booking.objects.filter(
            activity__in=Activity.objects.on_day(day),
            activity__event__is_published=True,
            reminded_at__isnull=True,
            booked_by__isnull=False,
            registrations__status=Registration.Status.CONFIRMED,
        )
        .select_related("activity", "booked_by")
        .distinct()
        .order_by("id")
    )


@transaction.atomic
def send_reminder(booking: Booking) -> bool:
    """Remind a household of tomorrow's activity once (notice + email); False if already done."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.reminded_at is not None:
        return False
    names = "、".join(
        r.person_name for r in booking.registrations.confirmed().select_related("member__user")
    )
    if not names:
        return False
    activity = booking.activity
    text = gettext_lazy(
        "Reminder: “%(activity)s” starts at %(time)s on %(day)s at %(place)s, "
        "for %(names)s. Please bring your tickets."
    )
    params = {
        "activity": activity.title,
        "title": activity.title,
        "time": localtime(activity.starts_at).strftime("%H:%M"),
        "day": localtime(activity.starts_at).strftime("%Y-%m-%d"),
        "place": activity.place,
        "names": names,
    }
    notify(
        booking.booked_by,
        Kind.REMINDER,
        text,
        reverse("events:my"),
        params=params,
        key=f"events-reminder:{booking.pk}",
    )
    booking.reminded_at = now()
    booking.save(update_fields=["reminded_at"])
    return True


# ---------------------------------------------------------------- check-in


def check_in_refusal(activity: Activity, at: datetime) -> str | None:
    """Why the gate cannot check anyone in for `activity` yet (a translated message), or None.

    Check-in opens on the day, the community's number of hours before the start.
    """
    if activity.is_called_off:
        return _("This activity has been called off.")
    hours = Community.current().event_check_in_opens_hours
    opens = activity.check_in_opens_at(hours)
    if at < opens:
        return _(
            "Check-in for %(title)s opens at %(time)s on %(day)s, %(hours)s hours before the start."
        ) % {
            "title": activity.title,
            "time": localtime(opens).strftime("%H:%M"),
            "day": localtime(opens).strftime("%Y-%m-%d"),
            "hours": hours,
        }
    return None


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@transaction.atomic
def check_in(*, by, token: str = "", code: str = "", activity: Activity | None = None):
    """Check a ticket in at the gate, found by its QR token or its printed code.

    Refuses unknown (forged) tickets, tickets for another activity, waiting or cancelled
    places, and a second check-in.
    """
    qs = Registration.objects.select_for_update()
    if token:
        reg = qs.filter(ticket_token=token).first()
    else:
        code = normalize_code(code)
        reg = qs.filter(ticket_code=code).first() if code else None
    if reg is None:
        raise EventError(_("No ticket matches this code. Check it and try again."))
    if activity is not None and reg.activity_id != activity.pk:
        raise EventError(
            _("This ticket is for another activity: %(title)s.") % {"title": reg.activity.title}
        )
    name = reg.person_name
    if reg.status == Registration.Status.CANCELLED:
        raise EventError(_("%(name)s's registration was cancelled.") % {"name": name})
    if reg.status == Registration.Status.WAITING:
        raise EventError(_("%(name)s is still on the waiting list.") % {"name": name})
    if reg.checked_in_at is not None:
        raise EventError(
            _("Already checked in: %(name)s at %(time)s.")
            % {"name": name, "time": localtime(reg.checked_in_at).strftime("%H:%M")}
        )
    refusal = check_in_refusal(reg.activity, now())
    if refusal:
        raise EventError(refusal)
    reg.checked_in_at = now()
    reg.checked_in_by = by
    reg.save(update_fields=["checked_in_at", "checked_in_by"])
    return reg


@transaction.atomic
def record_walk_in(activity: Activity, *, name: str, by) -> Registration:
    """Someone arrives without registering: recorded and checked in, if a place remains."""
    name = (name or "").strip()
    if not name:
        raise EventError(_("Enter the walk-in's name."))
    activity = _lock(activity)
    refusal = check_in_refusal(activity, now())
    if refusal:
        raise EventError(refusal)
    if activity.needs_registration:
        queue = Registration.objects.waiting().filter(activity=activity).exists()
        if queue or _places_taken(activity) >= activity.capacity:
            raise EventError(_("No places left: the activity is full."))
    at = now()
    booking = Booking.objects.create(activity=activity, booked_by=by)
    return Registration.objects.create(
        booking=booking,
        activity=activity,
        walk_in_name=name,
        status=Registration.Status.CONFIRMED,
        confirmed_at=at,
        checked_in_at=at,
        checked_in_by=by,
    )


def registered_users(activity: Activity) -> set:
    """The account of every household with a place or a place in line (staff messages)."""
    return {
        b.booked_by
        for b in Booking.objects.filter(
            activity=activity,
            registrations__status__in=[
                Registration.Status.CONFIRMED,
                Registration.Status.WAITING,
            ],
            booked_by__isnull=False,
            household__isnull=False,
        )
        .select_related("booked_by")
        .distinct()
    }


# ---------------------------------------------------------------- flea-market stalls


@transaction.atomic
def apply_for_stall(activity: Activity, *, user, goods: str, needs_table: bool):
    """A resident asks for a stall at a flea market (one open application each)."""
    activity = _lock(activity)
    if activity.kind != Activity.Kind.MARKET:
        raise EventError(_("This activity does not take stall applications."))
    if activity.is_called_off:
        raise EventError(_("This activity has been called off."))
    if not activity.event.is_published or now() >= activity.starts_at:
        raise EventError(_("Stall applications for this market are closed."))
    goods = (goods or "").strip()
    if not goods:
        raise EventError(_("Tell us what you will sell or swap."))
    if StallApplication.objects.filter(
        activity=activity,
        applicant=user,
        status__in=[StallApplication.Status.PENDING, StallApplication.Status.APPROVED],
    ).exists():
        raise EventError(_("You have already applied for a stall at this market."))
    application = StallApplication.objects.create(
        activity=activity, applicant=user, goods=goods, needs_table=needs_table
    )
    notify_role(
        roles.EVENTS_STAFF,
        Kind.TO_DECIDE,
        gettext_lazy("%(name)s applied for a stall at “%(market)s”; it waits for your review."),
        reverse("events:stall-review", args=[activity.pk]),
        params={"name": user.display_name, "market": activity.title},
    )
    return application


@transaction.atomic
def withdraw_stall(application: StallApplication, *, user):
    """The applicant takes back a pending or approved application; an approved stall's number
    becomes free for the next approval."""
    app = StallApplication.objects.select_for_update().get(pk=application.pk)
    if app.applicant_id != user.pk:
        raise EventError(_("This is not your application."))
    if app.status not in (StallApplication.Status.PENDING, StallApplication.Status.APPROVED):
        raise EventError(_("This application can no longer be withdrawn."))
    app.status, app.stall_number = StallApplication.Status.WITHDRAWN, None
    app.save(update_fields=["status", "stall_number"])
    return app


@transaction.atomic
def decide_stall(application: StallApplication, *, approve: bool, reason: str, by):
    """Approve (with the lowest free stall number) or decline with a reason; tells the resident."""
    activity = _lock(application.activity)
    app = StallApplication.objects.select_for_update().get(pk=application.pk)
    if app.status != StallApplication.Status.PENDING:
        raise EventError(_("This application has already been decided."))
    reason = (reason or "").strip()
    if approve:
        taken = set(
            StallApplication.objects.filter(
                activity=activity, stall_number__isnull=False
            ).values_list("stall_number", flat=True)
        )
        free = [n for n in range(1, activity.stall_count + 1) if n not in taken]
        if not free:
            raise EventError(
                _("All %(count)s stalls are given out.") % {"count": activity.stall_count}
            )
        app.status, app.stall_number = StallApplication.Status.APPROVED, free[0]
        text = gettext_lazy("Your stall at “%(market)s” is approved: stall number %(number)s.")
        result = phrase(gettext_lazy("approved, stall number %(number)s"), number=free[0])
    else:
        if not reason:
            raise EventError(_("Give a reason when declining an application."))
        app.status = StallApplication.Status.DECLINED
        text = gettext_lazy("Your stall application for “%(market)s” was declined: %(reason)s")
        result = phrase(gettext_lazy("declined: %(reason)s"), reason=reason)
    app.decision_reason, app.decided_at, app.decided_by = reason, now(), by
    app.save(
        update_fields=["status", "stall_number", "decision_reason", "decided_at", "decided_by"]
    )
    notify(
        app.applicant,
        Kind.STALL_REVIEWED,
        text,
        activity.get_absolute_url(),
        params={
            "market": activity.title,
            "number": app.stall_number,
            "reason": reason,
            "title": activity.title,
            "result": result,
        },
    )
    return app


# ---------------------------------------------------------------- festivals


def _shift(value: datetime | None, delta: timedelta):
    return value + delta if value is not None else None


@transaction.atomic
def clone_event(event: Event, *, starts_on, title: str = "") -> Event:
    """Copy a festival (tracks, activities, questions) to a new date as an unpublished draft."""
    delta = starts_on - event.starts_on
    tracks = list(event.tracks.all())
    activities = list(event.activities.prefetch_related("questions"))
    copy = Event.objects.create(
        title=title or event.title,
        kind=event.kind,
        summary=event.summary,
        description=event.description,
        place=event.place,
        starts_on=starts_on,
        ends_on=event.ends_on + delta,
        image=event.image.name,
        thumbnail=event.thumbnail.name,
        is_published=False,
        cloned_from=event,
    )
    track_map = {}
    for t in tracks:
        track_map[t.pk] = copy.tracks.create(name=t.name, theme=t.theme, position=t.position)
    for a in activities:
        questions = list(a.questions.all())
        new = Activity.objects.create(
            event=copy,
            track=track_map.get(a.track_id),
            title=a.title,
            kind=a.kind,
            description=a.description,
            place=a.place,
            starts_at=a.starts_at + delta,
            ends_at=a.ends_at + delta,
            audience=a.audience,
            min_age=a.min_age,
            max_age=a.max_age,
            needs_registration=a.needs_registration,
            capacity=a.capacity,
            household_limit=a.household_limit,
            registration_opens_at=_shift(a.registration_opens_at, delta),
            registration_closes_at=_shift(a.registration_closes_at, delta),
            cancel_until=_shift(a.cancel_until, delta),
            stall_count=a.stall_count,
            image=a.image.name,
            thumbnail=a.thumbnail.name,
        )
        Question.objects.bulk_create(
            Question(
                activity=new,
                label=q.label,
                kind=q.kind,
                choices=q.choices,
                required=q.required,
                position=q.position,
            )
            for q in questions
        )
    return copy


@transaction.atomic
def create_volunteer_post(activity: Activity, *, capacity, by):
    """Ask the volunteers module for a post staffing a stall (once per activity)."""
    activity = _lock(activity)
    if activity.kind not in (Activity.Kind.SERVICE, Activity.Kind.TASTING):
        raise EventError(_("Volunteer posts are made for service and tasting stalls."))
    if activity.is_called_off:
        raise EventError(_("This activity has been called off."))
    if activity.volunteer_post_id:
        raise EventError(_("This stall already has a volunteer post."))
    try:
        post = create_post(
            title=activity.title,
            place=activity.place,
            start=activity.starts_at,
            end=activity.ends_at,
            capacity=capacity,
            description=_("Stall at %(event)s.") % {"event": activity.event.title},
            source=f"{Source.FESTIVAL_STALL}{activity.pk}",
            created_by=by,
        )
    except PostError as e:
        raise EventError(str(e)) from None
    activity.volunteer_post = post
    activity.save(update_fields=["volunteer_post"])
    return post


def members_for_registration(user):
    """The user's household members, self first: who the registration form offers."""
    members = list(my_household_members(user))
    members.sort(key=lambda m: m.relation != HouseholdMember.Relation.SELF)
    return members


def can_register(activity: Activity, member: HouseholdMember, *, registered_ids=()) -> str | None:
    """Why `member` may not be registered for `activity` (a translated message), or None.

    No side effect and no query: the activity page asks it for each member of the household
    before offering the button (`registered_ids`: the members already registered, which the
    page has loaded), and `register` asks it again under the lock. The activity's own state
    (open, closed) and the household checks stay in `register`.
    """
    if member.pk in registered_ids:
        return _("%(name)s is already registered for this activity.") % {"name": member.full_name}
    if (activity.min_age is not None or activity.max_age is not None) and member.dob is None:
        return _(
            "We need %(name)s's birth date to check the age range; add it in My household."
        ) % {"name": member.full_name}
    if not activity.age_allows(member.age_on(activity.day)):
        return _("%(name)s is outside the age range of this activity (%(range)s).") % {
            "name": member.full_name,
            "range": activity.age_range_label,
        }
    return None
