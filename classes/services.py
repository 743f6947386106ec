"""Workflows of the Neighbour Classroom: each holds a capacity, moves money (a fee's share goes to
`fund.services`) or tells parents something, so each runs in one transaction and raises a
translated domain error."""

import itertools
import logging
import time
from datetime import date, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classes import lottery
from classes.models import (
    Attendance,
    CalendarLink,
    ClassroomSettings,
    ClassSession,
    Course,
    Enrolment,
    EnrolmentRequest,
    FeePayment,
    LotteryDraw,
    Term,
    VolunteerOffer,
    hours_between,
    new_calendar_token,
)
from fund import services as fund_services
from fund.models import FundEntry
from portal.cache import changed as cache_changed
from portal.lib.money import yuan
from portal.models import HouseholdMember
from portal.notices import Kind, notify, notify_many, phrase, urgent_for
from volunteers.models import Source
from volunteers.services import submit_volunteer_offer

log = logging.getLogger(__name__)


class ClassesError(Exception):
    """A classroom action that is refused; the message is translated and shown to the user."""


class EnrolmentError(ClassesError):
    pass


class RegisterError(ClassesError):
    pass


# A fee that cannot be recorded is refused like the fund's own actions (fund.services).
FundError = fund_services.FundError


# Timetable ------------------------------------------------------------------------------------


@transaction.atomic
def generate_sessions(course: Course, *, from_day: date | None = None) -> int:
    """Create the term's sessions from the weekly timetable (those from `from_day` on, if
    given); safe to run again. Returns how many."""
    term = course.term
    slots = list(course.slots.all())
    existing = set(course.sessions.values_list("date", "starts_at"))
    made = []
    day = max(term.starts_on, from_day) if from_day else term.starts_on
    while day <= term.ends_on:
        for slot in slots:
            if slot.weekday == day.weekday() and (day, slot.starts_at) not in existing:
                session = ClassSession(
                    course=course, date=day, starts_at=slot.starts_at, ends_at=slot.ends_at
                )
                session.hours = hours_between(slot.starts_at, slot.ends_at)
                made.append(session)
        day += timedelta(days=1)
    ClassSession.objects.bulk_create(made)
    # bulk_create sends no signals: the class hours shown on public pages count these sessions
    cache_changed("classes")
    return len(made)


def _off_timetable(course: Course, after: date):
    """The course's sessions after `after` that are no longer on a weekly slot."""
    on_slot = Q(pk__in=[])
    for slot in course.slots.all():
        on_slot |= Q(
            date__iso_week_day=slot.weekday + 1,  # ISO: Monday 1 … Sunday 7
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
        )
    return course.sessions.filter(date__gt=after).exclude(on_slot)


def _replaceable(sessions):
    """Of these sessions, those a timetable change may remove: as generated (not moved or
    cancelled by a teacher), with no register taken and no attendance."""
    return sessions.filter(
        status=ClassSession.Status.SCHEDULED,
        moved_from="",
        register_taken_at__isnull=True,
        attendance__isnull=True,
    )


def timetable_change_preview(course: Course, *, today: date) -> dict:
    """What `regenerate_future_sessions` would do today: sessions removed, kept, created."""
    off = _off_timetable(course, today)
    removable = set(_replaceable(off).values_list("pk", flat=True))
    staying = set(
        course.sessions.filter(date__gt=today)
        .exclude(pk__in=removable)
        .values_list("date", "starts_at")
    )
    wanted = set()
    slots = list(course.slots.all())
    day = max(course.term.starts_on, today + timedelta(days=1))
    while day <= course.term.ends_on:
        wanted |= {(day, s.starts_at) for s in slots if s.weekday == day.weekday()}
        day += timedelta(days=1)
    return {
        "removed": len(removable),
        "kept": off.exclude(pk__in=removable).count(),
        "created": len(wanted - staying),
    }


@transaction.atomic
def regenerate_future_sessions(course: Course, *, today: date) -> dict:
    """Bring the sessions after today in line with the weekly timetable after it changed.

    Sessions no longer on a weekly slot are removed unless they carry a register, attendance,
    a teacher's move or a cancellation (those are kept as they are); the missing ones are
    created. Today's and past sessions are never touched. Returns the counts.
    """
    course = Course.objects.select_for_update(no_key=True).select_related("term").get(pk=course.pk)
    preview = timetable_change_preview(course, today=today)
    ClassSession.objects.filter(
        pk__in=list(_replaceable(_off_timetable(course, today)).values_list("pk", flat=True))
    ).delete()
    made = generate_sessions(course, from_day=today + timedelta(days=1))
    return {"removed": preview["removed"], "kept": preview["kept"], "created": made}


@transaction.atomic
def copy_course(course: Course, term: Term) -> Course:
    """A copy of the course and its weekly timetable for another term, enrolment dates shifted."""
    if course.term_id == term.pk:
        raise ClassesError(_("The course is already in that term."))
    shift = term.starts_on - course.term.starts_on
    slots = list(course.slots.all())
    copy = Course.objects.get(pk=course.pk)
    copy.pk = None
    copy.term = term
    copy.copied_from = course
    copy.enrol_opens_at = course.enrol_opens_at + shift
    copy.enrol_closes_at = course.enrol_closes_at + shift
    copy.lottery_seed, copy.lottery_drawn_at, copy.lottery_result = "", None, {}
    # a copy commits to a seed of its own when saved
    copy.lottery_commitment, copy.lottery_committed_at = "", None
    copy.save()
    for slot in slots:
        slot.pk = None
        slot.course = copy
        slot.save()
    return copy


# Enrolment ------------------------------------------------------------------------------------


def _clashing_course(child: HouseholdMember, course: Course, statuses) -> Course | None:
    """The child's other course (in `statuses`) whose weekly sessions overlap this one's."""
    others = (
        Course.objects.filter(enrolments__child=child, enrolments__status__in=statuses)
        .exclude(pk=course.pk)
        .select_related("term")
        .prefetch_related("slots")
        .distinct()
    )
    for other in others:
        if course.clashes_with(other):
            return other
    return None


def enrolment_facts(children) -> dict[int, list[Enrolment]]:
    """Each child's active enrolments (with course, term and weekly slots): all `can_enrol` asks
    of the database, loaded in two queries however many children and courses."""
    facts = {child.pk: [] for child in children}
    if facts:
        for e in (
            Enrolment.objects.active()
            .filter(child_id__in=list(facts))
            .select_related("course__term")
            .prefetch_related("course__slots")
        ):
            facts[e.child_id].append(e)
    return facts


def can_enrol(user, course: Course, child: HouseholdMember, *, moment=None, facts=None):
    """Why `user` may not enrol `child` in `course` now (a translated message), or None.

    No side effect: pages ask it before offering the button, and `enrol` asks it again under
    the lock (the one source of the rules). `facts` (from `enrolment_facts`) saves the queries
    when a page asks for many children; `course` needs its term and slots loaded. The capacity
    is not a refusal: a full course has a waiting list.
    """
    moment = moment or timezone.now()
    if (
        child.household_id != user.household_id
        or child.has_left
        or not child.is_child_on(timezone.localdate(moment))
    ):
        return _("You can enrol only the children of your household.")
    if not course.is_published:
        return _("This course is not open for enrolment.")
    if course.is_lottery and course.lottery_drawn_at:
        # After the draw, places left go first come, first served until the term ends.
        if timezone.localdate(moment) > course.term.ends_on:
            return _("This course's term is over.")
    elif moment < course.enrol_opens_at:
        return _("Enrolment opens on %(when)s.") % {
            "when": date_format(timezone.localtime(course.enrol_opens_at), "DATETIME_FORMAT")
        }
    elif moment >= course.enrol_closes_at:
        return _("Enrolment for this course has closed.")
    age = child.age_on(course.term.starts_on)
    if age is None:
        return _("Add %(name)s's birth date to your household first.") % {"name": child.full_name}
    if not course.accepts_age(age):
        return _(
            "%(name)s will be %(age)s on %(day)s; this course is for children aged "
            "%(min)s to %(max)s."
        ) % {
            "name": child.full_name,
            "age": age,
            "day": date_format(course.term.starts_on, "SHORT_DATE_FORMAT"),
            "min": course.age_min,
            "max": course.age_max,
        }
    if facts is None:
        facts = enrolment_facts([child])
    active = facts.get(child.pk, [])
    if any(e.course_id == course.pk for e in active):
        return _("%(name)s is already signed up for this course.") % {"name": child.full_name}
    clashing = (Enrolment.Status.ENROLLED, Enrolment.Status.WAITLISTED)
    for e in active:
        if e.status in clashing and course.clashes_with(e.course):
            return _("%(name)s already has %(course)s at the same time.") % {
                "name": child.full_name,
                "course": e.course.title,
            }
    return None


def enrol(
    user,
    course: Course,
    child: HouseholdMember,
    *,
    photo_consent: bool,
    pickup_people: str,
    volunteer: bool = False,
    volunteer_message: str = "",
) -> Enrolment:
    """Enrol a child: a place, the waiting list, or (before a draw) a lottery entry.

    The child's row, then the course's, is locked so two parents enrolling at the same moment are
    counted one after the other and the capacity holds.
    """
    if not pickup_people.strip():
        raise EnrolmentError(_("Say who may pick the child up."))
    try:
        with transaction.atomic():
            HouseholdMember.objects.select_for_update(no_key=True).get(pk=child.pk)
            course = (
                Course.objects.select_for_update(no_key=True)
                .select_related("term")
                .get(pk=course.pk)
            )
            moment = timezone.now()
            reason = can_enrol(user, course, child, moment=moment)
            if reason:
                raise EnrolmentError(reason)
            if course.is_lottery and not course.lottery_drawn_at:
                status = Enrolment.Status.APPLIED
            elif course.enrolments.enrolled().count() < course.capacity:
                status = Enrolment.Status.ENROLLED
            else:
                status = Enrolment.Status.WAITLISTED
            enrolment = Enrolment.objects.create(
                course=course,
                child=child,
                enrolled_by=user,
                status=status,
                photo_consent=photo_consent if course.needs_photo_consent else False,
                pickup_people=pickup_people.strip(),
                fee=course.fee,
                created_at=moment,
                queued_at=moment if status == Enrolment.Status.WAITLISTED else None,
                placed_at=moment if status == Enrolment.Status.ENROLLED else None,
            )
    except IntegrityError:
        # The partial unique constraint: the same child sent twice in the same instant.
        raise EnrolmentError(
            _("%(name)s is already signed up for this course.") % {"name": child.full_name}
        ) from None
    if volunteer:
        offer_to_volunteer(user, enrolment=enrolment, message=volunteer_message)
    return enrolment


# The enrolment rush: accept at once, decide in arrival order -----------------------------------

# Requests decided in one transaction: parents see their answers in steps of this many, and the
# worker pays the course lock and the commit once per step instead of once per request.
DECIDE_BATCH = 20
# How long a request may take from being received to being committed (see
# `decide_enrolment_requests`): its decision waits that long, its answer does not.
SETTLE_SECONDS = 2.0
ENQUEUE_WINDOW = 1
# A request still queued this long after it arrived has lost its decision (the enqueueing failed,
# or the worker deciding it was killed): `sweep_enrolment_requests` enqueues it again.
STUCK_SECONDS = 60


def request_enrolment(
    user,
    course: Course,
    child: HouseholdMember,
    *,
    photo_consent: bool,
    pickup_people: str,
    volunteer: bool = False,
    volunteer_message: str = "",
) -> EnrolmentRequest:
    """Accept a parent's enrolment form: one INSERT, no lock, then the task worker decides it.

    The caller has checked that the child is of the user's household (the form offers only
    those). Everything else is decided by `decide_enrolment_requests` with `enrol`, in the order
    the requests arrived (their id). With the immediate task backend (development, tests) the
    request is decided before this returns.
    """
    if not pickup_people.strip():
        raise EnrolmentError(_("Say who may pick the child up."))
    request = EnrolmentRequest.objects.create(
        course=course,
        child=child,
        requested_by=user,
        photo_consent=photo_consent,
        pickup_people=pickup_people.strip()[:200],
        volunteer=volunteer,
        volunteer_message=volunteer_message.strip(),
    )
    # Not on commit: the view runs in autocommit, so the row is already visible to the worker;
    # a caller's transaction commits the request and its task together. One task per course
    # and ENQUEUE_WINDOW is enough: it runs until no request of the course is left queued, and
    # it cannot end before its first request is SETTLE_SECONDS old, so it sees every request
    # sent in the window (ENQUEUE_WINDOW < SETTLE_SECONDS). A thousand parents → a few tasks.
    if decided_at_once() or _first_in_window(course.pk):
        _enqueue_decision(course.pk)
    return request


def sweep_enrolment_requests(*, dry_run: bool = False) -> list[int]:
    """Enqueue again the decision of every course with a request queued over STUCK_SECONDS (cron,
    every minute); returns those courses' ids. Harmless beside a running decision: a request is
    decided once, under the course's row lock."""
    cutoff = timezone.now() - timedelta(seconds=STUCK_SECONDS)
    course_ids = list(
        EnrolmentRequest.objects.filter(
            status=EnrolmentRequest.Status.QUEUED, created_at__lte=cutoff
        )
        .order_by("course_id")
        .values_list("course_id", flat=True)
        .distinct()
    )
    if not dry_run:
        for course_id in course_ids:
            _enqueue_decision(course_id)
    return course_ids


def _first_in_window(course_id: int) -> bool:
    try:
        return cache.add(f"classes:decide:{course_id}", 1, ENQUEUE_WINDOW)
    except Exception:  # no cache: a task for every request (each finds little to do)
        log.exception("Could not reach the cache; enqueueing a decision anyway")
        return True


def _enqueue_decision(course_id: int) -> None:
    from classes.tasks import decide_enrolments

    try:
        decide_enrolments.enqueue(course_id)
    except Exception:  # the request stays queued; the next request's task (or a sweep) decides it
        log.exception("Could not enqueue the enrolment decision of course %s", course_id)


def decided_at_once() -> bool:
    """Whether the task backend runs tasks at once (development, tests), so a request is decided
    before `request_enrolment` returns; with the database queue a worker decides it later."""
    from django_tasks.backends.immediate import ImmediateBackend

    from classes.tasks import decide_enrolments

    return isinstance(decide_enrolments.get_backend(), ImmediateBackend)


def decide_enrolment_requests(course_id: int, *, settle: float | None = None) -> int:
    """Decide the course's queued requests in arrival order; returns how many were decided.

    Each step locks the course row, so two workers never decide the same course at once (the
    second waits, then finds the requests already decided) and the order is the ids' order.
    A request's id is taken at its INSERT but seen only once it commits: on a busy machine a
    request can commit after one that arrived just after it. So only requests received at least
    `settle` seconds ago (SETTLE_SECONDS with the database queue; none when tasks run at once)
    are decided, and the task waits for the younger ones.
    """
    if settle is None:
        settle = 0 if decided_at_once() else SETTLE_SECONDS
    decided = 0
    while True:
        cutoff = timezone.now() - timedelta(seconds=settle)
        with transaction.atomic():
            # FOR NO KEY UPDATE, as every course lock here: it excludes the other deciders and
            # enrolments, but not the FOR KEY SHARE that each new request's INSERT takes on the
            # course (its foreign key). With FOR UPDATE, every parent's "received" waited for
            # the batch being decided (the rush measured 18 answers a second against 133).
            course = (
                Course.objects.select_for_update(no_key=True)
                .select_related("term")
                .get(pk=course_id)
            )
            queued = list(
                EnrolmentRequest.objects.filter(
                    course_id=course_id, status=EnrolmentRequest.Status.QUEUED
                )
                .select_related("child", "requested_by")
                .order_by("id")[:DECIDE_BATCH]
            )
            # in id order, up to the first one too young to be sure nothing before it is unseen
            batch = list(itertools.takewhile(lambda r, c=cutoff: r.created_at <= c, queued))
            when = _next_when(course) if batch else ""  # once a batch, not once a request
            for request in batch:
                _decide(request, course, when)
        decided += len(batch)
        if batch and len(batch) == len(queued) == DECIDE_BATCH:
            continue
        if (
            not settle
            or not EnrolmentRequest.objects.filter(
                course_id=course_id, status=EnrolmentRequest.Status.QUEUED
            ).exists()
        ):
            return decided
        time.sleep(min(settle, 0.2))


def _decide(request: EnrolmentRequest, course: Course, when) -> None:
    """Run the enrolment rules on one request, record the outcome and tell the parent; `when` is
    the course's next session (`_next_when`)."""
    user = request.requested_by
    # `title` and `time` besides the notice's own words: what every text of a confirmation
    # carries (SMS_PARAMS)
    params = {
        "name": request.child.full_name,
        "course": course.title,
        "title": course.title,
        "time": when,
    }
    with translation.override(user.preferred_language()):
        try:
            enrolment = enrol(
                user,
                course,
                request.child,
                photo_consent=request.photo_consent,
                pickup_people=request.pickup_people,
                volunteer=request.volunteer,
                volunteer_message=request.volunteer_message,
            )
        except EnrolmentError as e:
            request.status, request.reason = EnrolmentRequest.Status.REFUSED, str(e)
            text = gettext_lazy("%(name)s could not be enrolled in %(course)s: %(reason)s")
            params["reason"] = request.reason
            kind = Kind.OTHER
        else:
            request.status, request.enrolment = EnrolmentRequest.Status.DECIDED, enrolment
            text, kind = _outcome_notice(enrolment)
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "enrolment", "reason", "decided_at"])
    notify(
        user,
        kind,
        text,
        reverse("classes:request", args=[request.pk]),
        subject=gettext_lazy("Neighbour Classroom: %(course)s"),
        params=params,
    )


def _outcome_notice(enrolment: Enrolment):
    if enrolment.status == Enrolment.Status.ENROLLED:
        return gettext_lazy("%(name)s has a place in %(course)s."), Kind.CONFIRMED
    if enrolment.status == Enrolment.Status.WAITLISTED:
        return (
            gettext_lazy(
                "%(course)s is full; %(name)s is on the waiting list and you will be told when a "
                "place comes free."
            ),
            Kind.CONFIRMED,
        )
    return (
        gettext_lazy("%(name)s is in the lottery for %(course)s; you will be told the result."),
        Kind.CONFIRMED,
    )


def waiting_position(enrolment: Enrolment) -> int | None:
    """The child's place on the course's waiting list (1 = next to get a place), else None."""
    if enrolment.status != Enrolment.Status.WAITLISTED:
        return None
    ahead = (
        Enrolment.objects.waiting_order()
        .filter(course_id=enrolment.course_id)
        .filter(
            Q(queued_at__lt=enrolment.queued_at)
            | Q(queued_at=enrolment.queued_at, id__lt=enrolment.pk)
        )
        .count()
    )
    return ahead + 1


def queue_position(request: EnrolmentRequest) -> int | None:
    """How many requests of the course, this one included, wait to be decided up to this one."""
    if request.status != EnrolmentRequest.Status.QUEUED:
        return None
    return EnrolmentRequest.objects.filter(
        course_id=request.course_id, status=EnrolmentRequest.Status.QUEUED, id__lte=request.pk
    ).count()


@transaction.atomic
def withdraw(user, enrolment: Enrolment) -> Enrolment | None:
    """Take a child out of a course (or off its waiting list); returns whoever got the place."""
    course = Course.objects.select_for_update(no_key=True).get(pk=enrolment.course_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.child.household_id != user.household_id:
        raise EnrolmentError(_("You can withdraw only the children of your household."))
    if enrolment.status not in Enrolment.ACTIVE:
        raise EnrolmentError(_("This enrolment was already withdrawn."))
    held_place = enrolment.status == Enrolment.Status.ENROLLED
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    if held_place:
        return promote_from_waitlist(course)
    return None


def promote_from_waitlist(course: Course) -> Enrolment | None:
    """Give free places to the first children waiting and tell the parents; returns the first.

    The caller locks the course. A child who meanwhile won a clashing course keeps waiting. In a
    lottery course, brothers and sisters waiting together are placed together or keep waiting
    together (the draw's rule), and a smaller family or single child behind them may go first.
    """
    places = course.capacity - course.enrolments.enrolled().count()
    if places <= 0:
        return None
    waiting = [
        e
        for e in course.enrolments.waiting_order().select_related("child", "enrolled_by")
        if _clashing_course(e.child, course, [Enrolment.Status.ENROLLED]) is None
    ]
    seen_households = set()
    for first in waiting:
        household = first.child.household_id
        if household in seen_households:
            continue
        seen_households.add(household)
        family = [first]
        if course.is_lottery:
            family = [e for e in waiting if e.child.household_id == household]
        if len(family) > places:
            continue
        moment, when = timezone.now(), _next_when(course)
        for e in family:
            e.status, e.placed_at = Enrolment.Status.ENROLLED, moment
            e.save(update_fields=["status", "placed_at"])
            _notify(
                e,
                Kind.PROMOTED,
                gettext_lazy("A place came free: %(name)s now has a place in %(course)s."),
                {"name": e.child.full_name, "time": when},
            )
        return first
    return None


def capacity_refusal(course: Course, capacity) -> str | None:
    """Why `course` cannot have `capacity` places, or None: none at all, or fewer than the
    children enrolled. Asked by the admin's form before saving, and by `set_capacity` under the
    course's lock."""
    if capacity < 1:
        return _("A course needs at least one place.")
    if course.pk is None:
        return None
    enrolled = course.enrolments.enrolled().count()
    if capacity < enrolled:
        return _("%(count)s children are enrolled; the places cannot be fewer.") % {
            "count": enrolled
        }
    return None


@transaction.atomic
def set_capacity(course: Course, capacity: int) -> list[Enrolment]:
    """Change the number of places; free places go to the waiting list at once, in its order
    (`promote_from_waitlist`'s rules), and each parent is told. Returns the promoted enrolments.

    The admin changes places here. Raises ClassesError when the places would be too few.
    """
    course = Course.objects.select_for_update(no_key=True).get(pk=course.pk)
    reason = capacity_refusal(course, capacity)
    if reason:
        raise ClassesError(reason)
    if course.capacity != capacity:
        course.capacity = capacity
        course.save(update_fields=["capacity"])
    waiting = list(course.enrolments.waiting_order().values_list("pk", flat=True))
    while promote_from_waitlist(course) is not None:
        pass  # one child (or family) at a time, until the places or the fitting waiters run out
    return list(
        Enrolment.objects.enrolled()
        .filter(pk__in=waiting)
        .select_related("child")
        .order_by("placed_at", "queued_at", "pk")
    )


@transaction.atomic
def run_lottery(course: Course, *, by=None) -> dict:
    """Draw the lottery of a course once, with the seed it committed to: places to whole
    sibling groups, clashes skipped. Recorded as the course's first LotteryDraw."""
    course = Course.objects.select_for_update(no_key=True).select_related("term").get(pk=course.pk)
    if not course.is_lottery:
        raise EnrolmentError(_("This course does not use a lottery."))
    if course.lottery_drawn_at:
        raise EnrolmentError(_("The lottery of this course was already drawn."))
    if timezone.now() < course.enrol_closes_at:
        raise EnrolmentError(_("The lottery is drawn after the sign-up window closes."))
    if not course.lottery_commitment:  # made a lottery without save() (a bulk import)
        course.save(update_fields=[])
    return _draw(course, by=by, reason="")


@transaction.atomic
def redraw_lottery(course: Course, *, by, reason: str) -> dict:
    """Draw a drawn lottery again after a data error, with the same committed seed.

    Only with a reason, published with the draw it replaces. The entries of the earlier draw
    that were not withdrawn go back into the draw with any entry still waiting for it; places
    taken first come, first served since stay taken.
    """
    reason = (reason or "").strip()
    if not reason:
        raise EnrolmentError(_("A re-draw needs a reason; it is published with the new result."))
    course = Course.objects.select_for_update(no_key=True).select_related("term").get(pk=course.pk)
    if not course.is_lottery or not course.lottery_drawn_at:
        raise EnrolmentError(_("This lottery has not been drawn yet; draw it first."))
    earlier = course.lottery_result or {}
    entries = {*earlier.get("won", []), *earlier.get("waiting", []), *earlier.get("skipped", [])}
    # a child passed over for a clash may have enrolled again since: that enrolment stands
    enrolled_since = set(
        course.enrolments.active().exclude(pk__in=entries).values_list("child_id", flat=True)
    )
    for e in (
        course.enrolments.select_for_update()
        .filter(pk__in=entries)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .exclude(child_id__in=enrolled_since)
    ):
        e.status, e.placed_at, e.queued_at = Enrolment.Status.APPLIED, None, None
        e.save(update_fields=["status", "placed_at", "queued_at"])
    return _draw(course, by=by, reason=reason[:200])


def _draw(course: Course, *, by, reason: str) -> dict:
    """Draw the course's applied entries with its committed seed, place them, record it."""
    entries = list(
        course.enrolments.filter(status=Enrolment.Status.APPLIED).select_related("child")
    )
    by_id = {e.pk: e for e in entries}
    skipped = [
        e.pk
        for e in entries
        if _clashing_course(e.child, course, [Enrolment.Status.ENROLLED]) is not None
    ]
    groups = lottery.stable_groups([(e.pk, e.child.household_id) for e in entries])
    places = max(course.capacity - course.enrolments.enrolled().count(), 0)
    seed = course.lottery_seed
    result = lottery.draw(groups, places=places, seed=seed, skipped=skipped)
    moment = timezone.now()
    for entry_id in result["won"]:
        e = by_id[entry_id]
        e.status, e.placed_at = Enrolment.Status.ENROLLED, moment
        e.save(update_fields=["status", "placed_at"])
        _notify(
            e,
            Kind.LOTTERY,
            gettext_lazy("%(name)s won a place in %(course)s."),
            {
                "name": e.child.full_name,
                "course": course.title,
                "result": gettext_lazy("won a place"),
            },
        )
    # the drawn join the waiting list behind whoever waits already (the page's `waiting_position`)
    ahead = course.enrolments.waiting_order().count()
    for position, entry_id in enumerate(result["waiting"]):
        e = by_id[entry_id]
        # Waiting order is the draw order.
        e.status, e.queued_at = (
            Enrolment.Status.WAITLISTED,
            moment + timedelta(microseconds=position),
        )
        e.save(update_fields=["status", "queued_at"])
        _notify(
            e,
            Kind.LOTTERY,
            gettext_lazy("%(name)s is on the waiting list of %(course)s after the lottery."),
            {
                "name": e.child.full_name,
                "course": course.title,
                "result": phrase(
                    gettext_lazy("number %(position)s on the waiting list"),
                    position=ahead + position + 1,
                ),
            },
        )
    if skipped:
        Enrolment.objects.filter(pk__in=skipped).update(status=Enrolment.Status.NOT_PLACED)
    course.lottery_drawn_at, course.lottery_result = moment, result
    course.save(update_fields=["lottery_drawn_at", "lottery_result"])
    LotteryDraw.objects.create(
        course=course,
        number=course.draws.count() + 1,
        seed=seed,
        result=result,
        reason=reason,
        drawn_by=by,
        drawn_at=moment,
    )
    return result


@transaction.atomic
def offer_to_volunteer(user, *, enrolment: Enrolment | None = None, message: str = ""):
    """Pass a parent's offer to volunteer to the volunteer coordinator; keep our own record too.

    The volunteers module receives it as an application without a team, which the coordinator
    places.
    """
    offer = VolunteerOffer.objects.create(user=user, enrolment=enrolment, message=message.strip())
    course = enrolment.course.title if enrolment else ""
    text = offer.message or _("Offered to help when enrolling a child in %(course)s.") % {
        "course": course
    }
    submit_volunteer_offer(user, message=text, source=Source.PARENT_OFFER)
    offer.forwarded = True
    offer.save(update_fields=["forwarded"])
    return offer


# Sessions and registers -----------------------------------------------------------------------


@transaction.atomic
def take_register(session: ClassSession, marks: dict, *, by, notes: str | None = None) -> int:
    """Record the register of a session: `marks` maps enrolment id → (mark, note).

    The session then counts as held (its class hours are delivered). Returns how many marks.
    """
    session = ClassSession.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise RegisterError(_("This session was cancelled."))
    if session.date > timezone.localdate():
        raise RegisterError(_("The register can be taken on the day of the session or after."))
    enrolled = set(
        Enrolment.objects.enrolled()
        .filter(course_id=session.course_id)
        .values_list("pk", flat=True)
    )
    unknown = set(marks) - enrolled
    if unknown:
        raise RegisterError(_("Attendance can be marked only for children enrolled in the course."))
    valid = set(Attendance.Mark.values)
    for mark, _note in marks.values():
        if mark not in valid:
            raise RegisterError(_("Choose present, late, excused or absent for every child."))
    moment = timezone.now()
    existing = {a.enrolment_id: a for a in session.attendance.all()}
    for enrolment_id, (mark, note) in marks.items():
        row = existing.get(enrolment_id)
        if row is None:
            Attendance.objects.create(
                session=session,
                enrolment_id=enrolment_id,
                mark=mark,
                note=note,
                marked_by=by,
                marked_at=moment,
            )
        elif (row.mark, row.note) != (mark, note):
            row.mark, row.note, row.marked_by, row.marked_at = mark, note, by, moment
            row.save(update_fields=["mark", "note", "marked_by", "marked_at"])
    session.status = ClassSession.Status.HELD
    session.register_taken_at = session.register_taken_at or moment
    fields = ["status", "register_taken_at"]
    if notes is not None:
        session.notes = notes
        fields.append("notes")
    session.save(update_fields=fields)
    return len(marks)


@transaction.atomic
def cancel_session(session: ClassSession, *, reason: str) -> int:
    """Cancel a session and tell every enrolled child's parent. Returns how many were told."""
    session = ClassSession.objects.select_for_update().select_related("course").get(pk=session.pk)
    if session.status != ClassSession.Status.SCHEDULED:
        raise RegisterError(_("Only a scheduled session can be cancelled."))
    session.status = ClassSession.Status.CANCELLED
    session.notes = reason.strip()
    session.save(update_fields=["status", "notes"])
    text = gettext_lazy("%(course)s on %(when)s is cancelled. %(reason)s")
    when = _lazy_when(session.date, session.starts_at, session.ends_at)
    params = {"when": when, "time": when, "reason": reason.strip()}
    return _notify_course(session, Kind.CANCELLED, text, params, urgent=urgent_for(session.starts))


def move_refusal(session: ClassSession, *, day, starts_at, ends_at) -> str | None:
    """Why the session cannot move to that day and time (None: it can)."""
    if session.status != ClassSession.Status.SCHEDULED:
        return _("Only a scheduled session can be moved.")
    if starts_at >= ends_at:
        return _("The session must end after it starts.")
    if day < timezone.localdate():
        return _("A session cannot be moved into the past.")
    if (
        ClassSession.objects.filter(course_id=session.course_id, date=day, starts_at=starts_at)
        .exclude(pk=session.pk)
        .exists()
    ):
        return _("The course already has a session at that time.")
    return None


@transaction.atomic
def move_session(session: ClassSession, *, day, starts_at, ends_at, place: str = "") -> int:
    """Move a scheduled session to another day or time and tell the parents (the register page
    and the admin both move sessions through this)."""
    session = ClassSession.objects.select_for_update().select_related("course").get(pk=session.pk)
    reason = move_refusal(session, day=day, starts_at=starts_at, ends_at=ends_at)
    if reason:
        raise RegisterError(reason)
    old = _lazy_when(session.date, session.starts_at, session.ends_at)
    old_starts = session.starts
    session.moved_from = _when(session)
    session.date, session.starts_at, session.ends_at = day, starts_at, ends_at
    if place.strip():
        session.place = place.strip()
    session.save(update_fields=["moved_from", "date", "starts_at", "ends_at", "place"])
    text = gettext_lazy("%(course)s on %(old)s moves to %(new)s, %(place)s.")
    new = _lazy_when(session.date, session.starts_at, session.ends_at)
    params = {"old": old, "new": new, "time": new, "place": session.where}
    # Urgent when either the old or the new time is too close to wait for the morning.
    urgent = urgent_for(min(old_starts, session.starts))
    return _notify_course(session, Kind.TIME_CHANGED, text, params, urgent=urgent)


def _format_when(day, starts_at, ends_at) -> str:
    """A session's day and times, formatted for the active language."""
    date_text = date_format(day, "SHORT_DATE_FORMAT")
    return f"{date_text} {time_format(starts_at, 'H:i')}–{time_format(ends_at, 'H:i')}"


# Formatted when it is put into a message, so each parent reads dates the way their language does.
_lazy_when = lazy(_format_when, str)


def _when(session: ClassSession) -> str:
    return _format_when(session.date, session.starts_at, session.ends_at)


def _notify_course(session, kind, text, params, *, urgent=False) -> int:
    """Tell the parents of the children enrolled in the session's course; returns how many.

    A parent with two children in the course is told once: the message names the course, not
    the child.
    """
    enrolments = session.course.enrolments.enrolled().select_related(
        "enrolled_by", "child", "course"
    )
    parents = [p for p in (parent_to_tell(e) for e in enrolments) if p is not None]
    return notify_many(
        parents,
        kind,
        text,
        session.course.get_absolute_url(),
        subject=gettext_lazy("Neighbour Classroom: %(course)s"),
        # `title` and `time` besides the course's own words: what every text carries (SMS_PARAMS)
        params={"course": session.course.title, "title": session.course.title, **params},
        urgent=urgent,
    )


def course_parents(course) -> list:
    """The parents to tell about a course: one account per household with a child enrolled, on
    the waiting list or in the lottery (see `parent_to_tell`), each once. Two queries."""
    enrolments = list(course.enrolments.active().select_related("enrolled_by", "child"))
    holders = _account_holders(
        {e.child.household_id for e in enrolments if e.enrolled_by_id is None}
    )
    people = {}
    for e in enrolments:
        if e.enrolled_by_id is not None:
            parent = e.enrolled_by
        else:
            parent = holders.get(e.child.household_id)
        if parent is not None and parent.is_active:
            people.setdefault(parent.pk, parent)
    return list(people.values())


def _account_holders(household_ids) -> dict:
    """The first active account holder of each of these households (by household id): who hears
    about a child whose enrolling parent's account was removed. One query (none for no ids)."""
    holders = {}
    if household_ids:
        for member in (
            HouseholdMember.objects.filter(
                household_id__in=household_ids, user__isnull=False, user__is_active=True
            )
            .select_related("user")
            .order_by("created_at", "id")
        ):
            holders.setdefault(member.household_id, member.user)
    return holders


def parent_to_tell(enrolment: Enrolment):
    """Who hears about a child's enrolment: the parent who enrolled them, else (that account was
    removed) the first account holder of the child's household; None if there is nobody."""
    if enrolment.enrolled_by_id is not None:
        return enrolment.enrolled_by
    household_id = enrolment.child.household_id
    return _account_holders([household_id]).get(household_id)


def _notify(enrolment: Enrolment, kind: str, text, params):
    """Tell the child's parent (see `parent_to_tell`) in their inbox, linking to the course, and
    by text or mail as they chose; nobody is told when the household has no account left."""
    parent = parent_to_tell(enrolment)
    if parent is None:
        return None
    return notify(
        parent,
        kind,
        text,
        enrolment.course.get_absolute_url(),
        subject=gettext_lazy("Neighbour Classroom: %(course)s"),
        params={"course": enrolment.course.title, "title": enrolment.course.title, **params},
    )


def _next_when(course: Course) -> str:
    """When the course next meets (its next scheduled session), for a text; "timetable to
    follow" when no session is scheduled (a template's parameter is never empty)."""
    session = (
        course.sessions.filter(status=ClassSession.Status.SCHEDULED, date__gte=timezone.localdate())
        .order_by("date", "starts_at")
        .first()
    )
    if session is None:
        return gettext_lazy("Timetable to follow")
    return _lazy_when(session.date, session.starts_at, session.ends_at)


# Fees: their share goes to the community micro-fund (fund/) -----------------------------------


@transaction.atomic
def record_fee_payment(enrolment: Enrolment, *, by) -> FeePayment:
    """Record a child's course fee as paid and post the fund's share as income, linked to it.

    The fee is the one copied onto the enrolment; the share is the classroom's setting now,
    copied onto the payment. The fund entry names the course, never the child.
    """
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=enrolment.pk)
    )
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise FundError(_("Only a child with a place pays the course fee."))
    if enrolment.fee <= 0:
        raise FundError(_("This course is free; there is no fee to record."))
    if FeePayment.objects.filter(enrolment=enrolment).exists():
        raise FundError(_("This fee was already recorded."))
    percent = ClassroomSettings.current().fund_share_percent
    payment = FeePayment.objects.create(
        enrolment=enrolment, amount=enrolment.fee, fund_share_percent=percent, received_by=by
    )
    share = yuan(enrolment.fee * percent / 100)
    if share > 0:
        fund_services.record_income(
            by=by,
            date=timezone.localdate(),
            amount=share,
            category=FundEntry.Category.CLASSROOM,
            description=_("Classroom's share of fees: %(course)s")
            % {"course": enrolment.course.title},
            source_payment=payment,
        )
    return payment


@transaction.atomic
def reset_calendar_token(user) -> CalendarLink:
    """A new private calendar address for the user; the old one (if any) stops working at once."""
    link, _created = CalendarLink.objects.update_or_create(
        user=user, defaults={"token": new_calendar_token()}
    )
    return link
