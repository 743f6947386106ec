import hashlib
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from classes import calendar, lottery, services, stats
from classes.access import (
    get_course_for_teaching,
    get_my_enrolment,
    get_session_for_teaching,
    is_classes_staff,
    is_teacher,
    my_children,
    teaching_courses,
)
from classes.forms import (
    CancelSessionForm,
    CourseFilterForm,
    EnrolForm,
    MoveSessionForm,
    RedrawForm,
)
from classes.models import (
    Attendance,
    CalendarLink,
    ClassSession,
    Course,
    Enrolment,
    EnrolmentRequest,
    TimetableSlot,
)
from fund.services import FundError
from portal import broadcasts, exports, roles
from portal.access import require_role
from portal.cache import cached, personal, public_page, resident_page
from portal.calendars import calendar_response
from portal.lib.money import format_yuan
from portal.models import Notice, User
from portal.validators import normalize_mobile

# Public pages ---------------------------------------------------------------------------------


def _course_list(today, *, age=None, weekday=None, subject=None) -> list[Course]:
    """The published courses of the terms not yet over, with the filters: the same for everyone,
    cached until the classroom's content changes (a course, a place taken, a timetable)."""

    def load():
        courses = (
            Course.objects.published()
            .filter(term__ends_on__gte=today)
            .with_counts()
            # The list shows neither the description nor a lottery's result (which can be long).
            .defer("description", "lottery_result")
            .select_related("term", "institution")
            .prefetch_related("slots")
            .order_by("term__starts_on", "title", "id")
        )
        if age is not None:
            courses = courses.for_age(age)
        if weekday is not None:
            courses = courses.meeting_on(weekday)
        if subject:
            courses = courses.filter(subject=subject)
        return list(courses)

    return cached(f"classes:courses:{today}:{age}:{weekday}:{subject}", ("classes",), load)


def _course_cards(courses) -> str:
    """The courses' cards, rendered once for everyone who sees the same courses in the same
    state, until the classroom's content changes. Rendering them was most of the page's time.

    The badges depend on the moment (enrolment opens, closes), so each course's state is part of
    the key: a card from the cache is never behind the clock.
    """
    state = [(c.pk, c.opens_later, c.open_now) for c in courses]
    digest = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    html = cached(
        f"classes:cards:{get_language()}:{digest}",
        ("classes",),
        lambda: render_to_string("classes/_course_cards.html", {"courses": courses}),
    )
    return mark_safe(html)  # our own template's output, escaped when it was rendered


@public_page("classes", params=["child", "age", "weekday", "subject"])
def index(request):
    """The classroom: the courses open now with filters, and the all-time class hours.

    Visitors all see the same page (a GET form, no token), served from the cache.
    """
    children = list(my_children(request.user)) if request.user.is_authenticated else []
    form = CourseFilterForm(request.GET or None, children=children)
    filters = {}
    chosen_child = None
    if form.is_valid():
        data = form.cleaned_data
        filters = {"age": data["age"], "weekday": data["weekday"], "subject": data["subject"]}
        if data.get("child"):
            chosen_child = next((c for c in children if c.pk == data["child"]), None)
    courses = _course_list(timezone.localdate(), **filters)
    if chosen_child is not None:
        # Ages count on each term's first day, so this filter runs per course.
        courses = [c for c in courses if c.accepts_age(chosen_child.age_on(c.term.starts_on))]
    staff = is_classes_staff(request.user)
    ctx = {
        "form": form,
        "courses": courses,
        "course_cards": _course_cards(courses),
        "chosen_child": chosen_child,
        "totals": stats.totals(),
        "is_teacher": staff or is_teacher(request.user),
        "is_staff": staff,
    }
    return render(request, "classes/index.html", ctx)


def course_detail(request, pk):
    course = get_object_or_404(
        Course.objects.published()
        .with_counts()
        .select_related("term", "institution", "teacher")
        .prefetch_related("slots"),
        pk=pk,
    )
    ctx = {
        "course": course,
        "sessions": list(course.sessions.all()),
        "hours": course.sessions.total_hours(),
        "taking_enrolments": course.taking_enrolments(timezone.now()),
        "not_yet_open": timezone.now() < course.enrol_opens_at,
        "my_enrolments": [],
    }
    if request.user.is_authenticated and request.user.household_id:
        ctx["my_enrolments"] = list(
            course.enrolments.active()
            .filter(child__household_id=request.user.household_id)
            .select_related("child")
        )
        ctx.update(
            _enrol_choices(request.user, course, exclude={e.child_id for e in ctx["my_enrolments"]})
        )
    return render(request, "classes/course_detail.html", ctx)


def _enrol_choices(user, course, *, exclude=()) -> dict:
    """Which of the household's children may be enrolled in `course`, and why the others may not
    (asked of `services.can_enrol` before the parent fills in anything): a fixed number of
    queries however many children and enrolments the household has."""
    children = list(my_children(user))
    facts = services.enrolment_facts(children)
    moment = timezone.now()
    eligible, refusals = [], []
    for child in children:
        reason = services.can_enrol(user, course, child, moment=moment, facts=facts)
        if reason is None:
            eligible.append(child)
        elif child.pk not in exclude:
            refusals.append({"child": child, "reason": reason})
    return {
        "children": children,
        "has_children": bool(children),
        "eligible_children": eligible,
        "refusals": refusals,
    }


def lottery_result(request, pk):
    """The published draw: seed, entries by anonymous number, the result. No names."""
    course = get_object_or_404(
        Course.objects.published().select_related("term"), pk=pk, mode=Course.Mode.LOTTERY
    )
    mine = {}
    if request.user.is_authenticated and request.user.household_id:
        mine = {
            e.pk: e.child.full_name
            for e in course.enrolments.filter(
                child__household_id=request.user.household_id
            ).select_related("child")
        }
    result = course.lottery_result or {}
    draws = list(course.draws.only("course_id", "number", "result", "reason", "drawn_at"))
    redraws = [
        {"draw": draw, "before": earlier.result}
        for earlier, draw in zip(draws, draws[1:], strict=False)
    ]
    ctx = {
        "course": course,
        "result": result,
        "mine": mine,
        "named": None,
        "redraws": redraws,
        "seed_matches": bool(result.get("seed"))
        and lottery.commitment(result["seed"]) == course.lottery_commitment,
    }
    if course.lottery_drawn_at and _teaches(request.user, course):
        ctx["named"] = _lottery_names(course, result)
    return render(request, "classes/lottery.html", ctx)


def _teaches(user, course) -> bool:
    """Classes staff, or the course's own teacher: they may see who won and who waits."""
    if is_classes_staff(user):
        return True
    return (
        user.is_authenticated
        and course.teacher_id is not None
        and (course.teacher.user_id == user.pk)
    )


def _lottery_names(course, result) -> dict:
    """The draw's places and waiting list as (position, entry number, child, household), for
    the staff who run the course; the public page shows only the anonymous numbers."""
    entries = {e.pk: e for e in course.enrolments.select_related("child__household", "child__user")}

    def rows(numbers):
        return [
            {"position": i, "entry": n, "enrolment": entries.get(n)}
            for i, n in enumerate(numbers or [], start=1)
        ]

    return {"won": rows(result.get("won")), "waiting": rows(result.get("waiting"))}


# Parents ---------------------------------------------------------------------------------------


@login_required
def enrol(request, pk):
    queued = request.method == "POST" and getattr(settings, "CLASSES_ENROL_QUEUE", True)
    refusal = None
    if queued:
        outcome = _request_enrolment(request, pk)
        if isinstance(outcome, HttpResponse):
            return outcome
        refusal = outcome
    course = get_object_or_404(
        Course.objects.published().with_counts().select_related("term").prefetch_related("slots"),
        pk=pk,
    )
    choices = _enrol_choices(request.user, course)
    children = choices["children"]
    # A parent is offered only the children the rules allow (the others with the reason); a
    # POST is judged by the service, which gives the exact reason for any child.
    form = EnrolForm(
        request.POST or None,
        children=children if request.method == "POST" else choices["eligible_children"],
        needs_photo_consent=course.needs_photo_consent,
    )
    if request.method == "POST" and form.is_valid():
        if queued:
            form.add_error(None, refusal)
        else:
            data = form.cleaned_data
            child = next(c for c in children if c.pk == data["child"])
            try:
                enrolment = services.enrol(
                    request.user,
                    course,
                    child,
                    photo_consent=data.get("photo_consent") == "yes",
                    pickup_people=data["pickup_people"],
                    volunteer=data["volunteer"],
                    volunteer_message=data["volunteer_message"],
                )
            except services.EnrolmentError as e:
                form.add_error(None, str(e))
            else:
                return _enrolled(request, enrolment, data["volunteer"])
    ctx = {"course": course, "form": form, **choices}
    return render(request, "classes/enrol.html", ctx)


def _request_enrolment(request, pk) -> HttpResponse | str | None:
    """The enrolment form's POST as the rush needs it: a few cheap queries and one INSERT.

    Returns the answer (the request's page, or my classes when it was decided at once), else
    the refusal to show on the form, or None when the form itself is invalid.
    """
    course = get_object_or_404(Course.objects.published().only("pk", "needs_photo_consent"), pk=pk)
    children = list(my_children(request.user))
    form = EnrolForm(
        request.POST, children=children, needs_photo_consent=course.needs_photo_consent
    )
    if not form.is_valid():
        return None
    data = form.cleaned_data
    child = next(c for c in children if c.pk == data["child"])
    try:
        accepted = services.request_enrolment(
            request.user,
            course,
            child,
            photo_consent=data.get("photo_consent") == "yes",
            pickup_people=data["pickup_people"],
            volunteer=data["volunteer"],
            volunteer_message=data["volunteer_message"],
        )
    except services.EnrolmentError as e:
        return str(e)
    # With the immediate task backend (development) it is decided already: answer as before.
    if not services.decided_at_once():
        return redirect("classes:request", pk=accepted.pk)
    decided = (
        EnrolmentRequest.objects.filter(pk=accepted.pk)
        .exclude(status=EnrolmentRequest.Status.QUEUED)
        .select_related("enrolment__child", "enrolment__course")
        .first()
    )
    if decided is None:
        return redirect("classes:request", pk=accepted.pk)
    if decided.status == EnrolmentRequest.Status.REFUSED:
        return decided.reason
    return _enrolled(request, decided.enrolment, data["volunteer"])


@login_required
def enrolment_request(request, pk):
    """A parent's enrolment request: queued (with its position; the page checks again by
    itself, without JavaScript), or its outcome: a place, the waiting list, or the refusal."""
    enrolment_request = get_object_or_404(
        EnrolmentRequest.objects.select_related("course", "child", "enrolment"),
        pk=pk,
        requested_by=request.user,
    )
    ctx = {
        "req": enrolment_request,
        "course": enrolment_request.course,
        "position": services.queue_position(enrolment_request),
        "refresh_seconds": REQUEST_REFRESH_SECONDS,
        "waiting_position": (
            services.waiting_position(enrolment_request.enrolment)
            if enrolment_request.enrolment_id
            else None
        ),
    }
    return render(request, "classes/request.html", ctx)


# How often a queued request's page reloads itself (a meta refresh: no script, allowed by the CSP).
REQUEST_REFRESH_SECONDS = 3


def _enrolled(request, enrolment, volunteered):
    messages.success(request, _enrolled_message(enrolment))
    if volunteered:
        messages.info(
            request,
            _("Thank you for offering to volunteer; the coordinator will be in touch."),
        )
    return redirect("classes:mine")


def _enrolled_message(enrolment):
    params = {"name": enrolment.child.full_name, "course": enrolment.course.title}
    if enrolment.status == Enrolment.Status.ENROLLED:
        return _("%(name)s has a place in %(course)s.") % params
    if enrolment.status == Enrolment.Status.WAITLISTED:
        return (
            _(
                "%(course)s is full; %(name)s is on the waiting list and you will be told when a "
                "place comes free."
            )
            % params
        )
    return _("%(name)s is in the lottery for %(course)s; you will be told the result.") % params


@login_required
@require_POST
def withdraw(request, pk):
    enrolment = get_my_enrolment(request, pk)
    try:
        services.withdraw(request.user, enrolment)
    except services.EnrolmentError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            _("%(name)s was withdrawn from %(course)s.")
            % {"name": enrolment.child.full_name, "course": enrolment.course.title},
        )
    return redirect("classes:mine")


def _my_sessions(enrolments, *, since, limit=None) -> list[tuple[ClassSession, Enrolment]]:
    """Sessions from `since` of the courses the children have places in, each with the child's
    enrolment (one pair per child and session), at most `limit` pairs.

    `enrolments`: the household's, of any status, loaded with their course and child.
    """
    by_course = defaultdict(list)
    for e in enrolments:
        if e.status == Enrolment.Status.ENROLLED:
            by_course[e.course_id].append(e)
    if not by_course:
        return []
    # Each session is at least one pair, so `limit` sessions are enough.
    sessions = ClassSession.objects.filter(course_id__in=by_course, date__gte=since).order_by(
        "date", "starts_at"
    )[:limit]
    pairs = []
    for session in sessions:
        mine = by_course[session.course_id]
        session.course = mine[0].course  # already loaded with the enrolment
        pairs.extend((session, e) for e in mine)
    return pairs[:limit]


@login_required
@resident_page("classes")
def my_classes(request):
    """My children's classes: timetable, places and waits, attendance, teachers' notes, notices.

    The current and coming terms' enrolments, newest term first; the earlier terms behind a
    link (`?past=1`), so the page and its work do not grow with the household's history. (A
    line per earlier term was one more grouped query on every view: 1.3 ms of about 12.)
    """
    user = request.user
    today = timezone.localdate()
    show_past = request.GET.get("past") == "1"
    mine = Enrolment.objects.filter(child__household_id=user.household_id or 0).exclude(
        status=Enrolment.Status.WITHDRAWN
    )
    shown = mine if show_past else mine.filter(course__term__ends_on__gte=today)
    enrolments = list(
        shown.select_related("child__user", "course__term", "course__teacher")
        .only(*MY_ENROLMENT_FIELDS)
        .order_by("-course__term__starts_on", "child__created_at", "course__title", "pk")
    )
    _attach_slots_and_marks(enrolments)
    # My notices change only with a notice to me or one read: kept for me apart from the rest.
    notices = personal("classes:notices", user.pk, (), lambda: _my_notices(user))
    # The timetable comes from the same enrolments (those with a place).
    sessions = _my_sessions(enrolments, since=today, limit=30)
    for session, _enrolment in sessions:
        # Formatted here as the `date` and `time` filters would: three filters a row cost more.
        day = session.date
        session.when = (
            f"{day:%m-%d} {WEEKDAYS_ABBR[day.weekday()]} "
            f"{session.starts_at:%H:%M}–{session.ends_at:%H:%M}"
        )
    ctx = {
        "enrolments": enrolments,
        "show_past": show_past,
        "sessions": sessions,
        "notices": notices,
        # A child with an enrolment is a child of the household: ask only when there is none.
        "has_children": bool(enrolments) or my_children(user).exists(),
        "calendar_url": _calendar_url(request, user),
        # Reversed once, not per card.
        "course_url": reverse("classes:course", args=[0]).removesuffix("0/"),
    }
    return render(request, "classes/my_classes.html", ctx)


def _my_notices(user) -> list:
    """My latest notices about the classes."""
    return list(
        Notice.objects.filter(recipient=user)
        .about(reverse("classes:index"))
        .only("text", "url", "created_at", "read_at")[:20]
    )


# What My children's classes and its timetable show of an enrolment, its child and course.
MY_ENROLMENT_FIELDS = (
    "status",
    "course_id",
    "child_id",
    "child__name",
    "child__user_id",
    "child__user__real_name",
    "child__user__mobile",
    "child__user__email",
    "child__user__username",
    "course__title",
    "course__place",
    "course__term_id",
    "course__term__name",
    "course__teacher_id",
    "course__teacher__name",
)


def _attach_slots_and_marks(enrolments) -> None:
    """Set `slots` (the course's timetable, as text) and `marks` (the child's attendance, newest
    first: date, label, note, the teacher's notes) on each enrolment: two queries of plain
    values, the labels looked up once."""
    if not enrolments:
        return
    slots = defaultdict(list)
    for slot in TimetableSlot.objects.filter(
        course_id__in={e.course_id for e in enrolments}
    ).order_by("weekday", "starts_at"):
        slots[slot.course_id].append(str(slot))
    labels = {value: str(label) for value, label in Attendance.Mark.choices}
    marks = defaultdict(list)
    for enrolment_id, day, mark, note, notes in (
        Attendance.objects.filter(enrolment_id__in=[e.pk for e in enrolments])
        .order_by("-session__date", "-pk")
        .values_list("enrolment_id", "session__date", "mark", "note", "session__notes")
    ):
        marks[enrolment_id].append(
            {
                "date": day.strftime("%m-%d"),
                "label": labels.get(mark, mark),
                "note": note,
                "notes": notes,
            }
        )
    for e in enrolments:
        e.slots = slots[e.course_id]
        e.marks = marks[e.pk]


def _calendar_url(request, user) -> str | None:
    """The address of the user's private calendar feed, if they made one."""
    token = CalendarLink.objects.filter(user=user).values_list("token", flat=True).first()
    if token is None:
        return None
    return request.build_absolute_uri(reverse("classes:calendar", args=[token]))


@login_required
@require_POST
def calendar_reset(request):
    """A new private calendar address (the first one, or one replacing an address that got out)."""
    had_link = CalendarLink.objects.filter(user=request.user).exists()
    services.reset_calendar_token(request.user)
    if had_link:
        messages.success(
            request,
            _("Your calendar link was reset. The old link no longer works; add the new one."),
        )
    else:
        messages.success(request, _("Your calendar link is ready: add it to your calendar app."))
    return redirect("classes:mine")


def calendar_feed(request, token):
    """The children's sessions as iCalendar; the private token stands in for a login."""
    link = (
        CalendarLink.objects.select_related("user")
        .filter(token=token[:64], user__is_active=True)
        .first()
    )
    user = link.user if link is not None else None
    if user is None or not user.household_id:
        raise Http404
    with translation.override(user.preferred_language()):
        return calendar_response(
            calendar.items_for(user), name=_("Children's classes"), filename="classes.ics"
        )


# Teachers and staff ----------------------------------------------------------------------------


@login_required
def teach(request):
    """The courses I teach (all courses for classes staff), with today's and next sessions."""
    courses = list(
        teaching_courses(request)
        .filter(term__ends_on__gte=timezone.localdate() - timedelta(days=30))
        .with_counts()
        .select_related("term", "teacher")
        .order_by("term__starts_on", "title")
    )
    today = timezone.localdate()
    sessions = list(
        ClassSession.objects.filter(
            course__in=[c.pk for c in courses],
            date__gte=today - timedelta(days=7),
            date__lte=today + timedelta(days=7),
        )
        .select_related("course")
        .order_by("date", "starts_at")
    )
    ctx = {
        "courses": courses,
        "sessions": sessions,
        "today": today,
        "is_staff": is_classes_staff(request.user),
    }
    return render(request, "classes/teach.html", ctx)


@login_required
def roster(request, pk):
    course = get_course_for_teaching(request, pk)
    enrolments = list(
        course.enrolments.active()
        .select_related("child", "child__user", "enrolled_by", "fee_payment")
        .order_by("status", "queued_at", "created_at", "id")
    )
    ctx = {
        "course": course,
        "enrolled": [e for e in enrolments if e.status == Enrolment.Status.ENROLLED],
        "waiting": [e for e in enrolments if e.status == Enrolment.Status.WAITLISTED],
        "applied": [e for e in enrolments if e.status == Enrolment.Status.APPLIED],
        "sessions": list(course.sessions.all()),
        "hours": course.sessions.total_hours(),
        "is_staff": is_classes_staff(request.user),
        "now": timezone.now(),
        "message_form": broadcasts.MessageForm(),
    }
    return render(request, "classes/roster.html", ctx)


@login_required
@require_POST
def message_parents(request, pk):
    """Write to the parents of a course's children: a preview (recipients per channel, the
    text's segments), then the worker sends it (portal.broadcasts)."""
    course = get_course_for_teaching(request, pk)
    return broadcasts.respond(
        request,
        source=broadcasts.FROM_CLASSES,
        title=course.title,
        recipients=services.course_parents(course),
        url=course.get_absolute_url(),
        back_url=reverse("classes:roster", args=[course.pk]),
    )


@login_required
def register(request, pk):
    """The attendance register of one session, made for a phone."""
    session = get_session_for_teaching(request, pk)
    enrolments = list(
        session.course.enrolments.enrolled()
        .select_related("child", "child__user")
        .order_by("child__name", "id")
    )
    marks = {a.enrolment_id: a for a in session.attendance.all()}
    if request.method == "POST":
        posted = {}
        for key, value in request.POST.items():
            if key.startswith("mark-"):
                try:
                    enrolment_id = int(key.removeprefix("mark-"))
                except ValueError:
                    continue
                posted[enrolment_id] = (value, request.POST.get(f"note-{enrolment_id}", "")[:200])
        missing = [e for e in enrolments if e.pk not in posted]
        if missing:
            messages.error(
                request,
                _("Mark every child: %(names)s.")
                % {"names": "、".join(e.child.full_name for e in missing)},
            )
        else:
            try:
                count = services.take_register(
                    session, posted, by=request.user, notes=request.POST.get("notes", "")
                )
            except services.RegisterError as e:
                messages.error(request, str(e))
            else:
                messages.success(
                    request, _("Register saved: %(count)s children marked.") % {"count": count}
                )
                return redirect("classes:register", pk=session.pk)
    rows = [
        {
            "enrolment": e,
            "mark": (marks[e.pk].mark if e.pk in marks else request.POST.get(f"mark-{e.pk}", "")),
            "note": (marks[e.pk].note if e.pk in marks else ""),
        }
        for e in enrolments
    ]
    ctx = {
        "session": session,
        "rows": rows,
        "mark_choices": Attendance.Mark.choices,
        "cancel_form": CancelSessionForm(),
        "move_form": MoveSessionForm.for_session(session),
        "today": timezone.localdate(),
    }
    return render(request, "classes/register.html", ctx)


@login_required
@require_POST
def session_cancel(request, pk):
    session = get_session_for_teaching(request, pk)
    form = CancelSessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the parents."))
        return redirect("classes:register", pk=session.pk)
    try:
        told = services.cancel_session(session, reason=form.cleaned_data["reason"])
    except services.RegisterError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, _("Session cancelled; %(count)s parents were told.") % {"count": told}
        )
    return redirect("classes:register", pk=session.pk)


@login_required
@require_POST
def session_move(request, pk):
    session = get_session_for_teaching(request, pk)
    form = MoveSessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the new date and times."))
        return redirect("classes:register", pk=session.pk)
    try:
        told = services.move_session(session, **form.cleaned_data)
    except services.RegisterError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, _("Session moved; %(count)s parents were told.") % {"count": told}
        )
    return redirect("classes:register", pk=session.pk)


@login_required
def enrol_for_parent(request, pk):
    """Staff enrol a child for a parent who phones in or comes to the office (same rules)."""
    require_role(request, roles.CLASSES_STAFF)
    course = get_object_or_404(Course.objects.select_related("term"), pk=pk)
    mobile = normalize_mobile(request.GET.get("mobile", ""))
    parent = User.objects.filter(mobile=mobile).first() if mobile else None
    children = list(my_children(parent)) if parent else []
    form = EnrolForm(
        request.POST or None, children=children, needs_photo_consent=course.needs_photo_consent
    )
    del form.fields["volunteer"], form.fields["volunteer_message"]  # the parent offers in person
    if request.method == "POST" and parent and form.is_valid():
        data = form.cleaned_data
        child = next(c for c in children if c.pk == data["child"])
        try:
            enrolment = services.enrol(
                parent,
                course,
                child,
                photo_consent=data.get("photo_consent") == "yes",
                pickup_people=data["pickup_people"],
            )
        except services.EnrolmentError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _enrolled_message(enrolment))
            return redirect("classes:roster", pk=course.pk)
    ctx = {"course": course, "mobile": mobile, "parent": parent, "form": form, "children": children}
    return render(request, "classes/enrol_for_parent.html", ctx)


@login_required
@require_POST
def fee_paid(request, pk):
    """Staff record a child's course fee; the fund's share is posted with it."""
    require_role(request, roles.CLASSES_STAFF)
    enrolment = get_object_or_404(Enrolment.objects.select_related("child"), pk=pk)
    try:
        payment = services.record_fee_payment(enrolment, by=request.user)
    except FundError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            _("Fee of %(amount)s recorded for %(name)s.")
            % {"amount": format_yuan(payment.amount), "name": enrolment.child.full_name},
        )
    return redirect("classes:roster", pk=enrolment.course_id)


@login_required
@require_POST
def lottery_draw(request, pk):
    require_role(request, roles.CLASSES_STAFF)
    course = get_object_or_404(Course, pk=pk)
    try:
        result = services.run_lottery(course, by=request.user)
    except services.EnrolmentError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            _("Lottery drawn with seed %(seed)s: %(won)s places given, %(waiting)s waiting.")
            % {
                "seed": result["seed"],
                "won": len(result["won"]),
                "waiting": len(result["waiting"]),
            },
        )
    return redirect("classes:lottery", pk=course.pk)


@login_required
@require_POST
def lottery_redraw(request, pk):
    """Staff draw a lottery again after a data error, saying why (published on the page)."""
    require_role(request, roles.CLASSES_STAFF)
    course = get_object_or_404(Course, pk=pk)
    form = RedrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A re-draw needs a reason; it is published with the new result."))
        return redirect("classes:roster", pk=course.pk)
    try:
        result = services.redraw_lottery(
            course, by=request.user, reason=form.cleaned_data["reason"]
        )
    except services.EnrolmentError as e:
        messages.error(request, str(e))
        return redirect("classes:roster", pk=course.pk)
    messages.success(
        request,
        _("Lottery drawn again: %(won)s places given, %(waiting)s waiting.")
        % {"won": len(result["won"]), "waiting": len(result["waiting"])},
    )
    return redirect("classes:lottery", pk=course.pk)


# Statistics ------------------------------------------------------------------------------------


@login_required
def statistics(request):
    require_role(request, roles.CLASSES_STAFF)
    ctx = {
        "totals": stats.totals(),
        "tables": [
            (_("By course"), "course", stats.rows("course")),
            (_("By partner institution"), "institution", stats.rows("institution")),
            (_("By term"), "term", stats.rows("term")),
        ],
    }
    return render(request, "classes/statistics.html", ctx)


def _stat_header(grouping):
    labels = {"course": _("Course"), "institution": _("Partner institution"), "term": _("Term")}
    return [
        labels[grouping],
        _("Sessions held"),
        _("Class hours"),
        _("Children reached"),
        _("Attendance rate (%)"),
    ]


@login_required
def statistics_export(request, grouping, fmt):
    require_role(request, roles.CLASSES_STAFF)
    if grouping not in stats.GROUPINGS or fmt not in ("csv", "xlsx"):
        raise Http404
    kinds = [exports.TEXT, exports.INT, exports.NUMBER, exports.INT, exports.PERCENT]
    columns = [exports.Column(h, k) for h, k in zip(_stat_header(grouping), kinds, strict=True)]
    data = [
        [
            r["name"],
            r["sessions"],
            r["hours"],
            r["children"],
            None if r["rate"] is None else exports.Percent(r["rate"] / 100),
        ]
        for r in stats.rows(grouping)
    ]
    # The page's all-time figures: a child in two courses is one child reached, not two.
    totals = stats.totals()
    sums = {1: totals["sessions"], 2: totals["hours"], 3: totals["children"]}
    titles = {
        "course": _("By course"),
        "institution": _("By partner institution"),
        "term": _("By term"),
    }
    table = exports.Table(titles[grouping], columns, data, totals=sums)
    heading = exports.heading(
        request, _("Class-hour statistics"), filters=[(_("Grouping"), titles[grouping])]
    )
    filename = f"class-hours-by-{grouping}-{timezone.localdate():%Y%m%d}"
    return exports.download(table, fmt, filename, heading)
