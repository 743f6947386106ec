"""Pages of the events module: programme, registration, my tickets, stalls, and staff pages."""

from bisect import bisect_right
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.timezone import localdate, localtime, now
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import calendar as event_calendar
from events import services
from events.access import (
    get_my_registration,
    get_staff_activity,
    get_visible_activity,
    get_visible_event,
    is_events_staff,
)
from events.figures import event_figures
from events.forms import (
    ProgrammeFilterForm,
    RegistrationForm,
    StallApplicationForm,
    StallDecisionForm,
    TicketCodeForm,
    VolunteerPostForm,
    WalkInForm,
)
from events.models import Activity, Event, Registration, StallApplication
from portal import broadcasts, exports, roles
from portal.access import require_role
from portal.cache import cached, public_page
from portal.calendars import calendar_response
from portal.lib import params
from portal.lib.qr import qr_svg
from portal.models import Household, HouseholdMember, Notice
from portal.notices import mark_all_read
from portal.questions import display_answer

# ---------------------------------------------------------------- helpers


def _members_queryset():
    """Members still in their household (those who left keep their history, not a picker)."""
    return HouseholdMember.objects.current().select_related("user").order_by("created_at", "id")


# ---------------------------------------------------------------- public pages
# Anonymous visitors get these from the page cache (portal.cache.public_page): nothing on them
# may depend on who asks except for logged-in residents, and they carry no CSRF token.


@public_page("events")
def index(request):
    events = list(Event.objects.visible_to(request.user).order_by("-starts_on", "id"))
    today = localdate()
    ctx = {
        "upcoming": [e for e in events if e.ends_on >= today][::-1],
        "past": [e for e in events if e.ends_on < today],
        "is_staff": is_events_staff(request.user),
    }
    return render(request, "events/index.html", ctx)


def _programme_outline(event) -> dict:
    """What the programme needs of the whole event, whatever the filters.

    Its tracks, whether it has a flea market, and every moment at which an activity's
    registration opens or closes, in order (what the listing shows changes only then).
    Cached until the events module's content changes.
    """

    def compute():
        moments, has_market = set(), False
        for kind, needs_registration, opens, closes, starts in event.activities.values_list(
            "kind",
            "needs_registration",
            "registration_opens_at",
            "registration_closes_at",
            "starts_at",
        ):
            has_market = has_market or kind == Activity.Kind.MARKET
            if needs_registration:
                if opens:
                    moments.add(opens)
                moments.add(closes or starts)
        return {
            "tracks": list(event.tracks.all()),
            "has_market": has_market,
            "changes": sorted(moments),
        }

    return cached(f"events:outline:{event.pk}", ("events",), compute)


def _programme_listing(event, filters: dict, form, at) -> str:
    """The filter bar and the activities, day by day, as HTML: the same for everyone."""
    activities = event.activities.with_counts().select_related("track")
    if "day" in filters:
        activities = activities.on_day(date.fromisoformat(filters["day"]))
    if "track" in filters:
        activities = activities.filter(track_id=filters["track"])
    if "audience" in filters:
        activities = activities.for_audience(filters["audience"])
    days = {}
    count = 0
    for a in activities.order_by("starts_at", "id"):
        a.state = a.registration_state(at)
        days.setdefault(a.day, []).append(a)
        count += 1
    ctx = {"fields": form.fields, "filters": filters, "days": sorted(days.items()), "count": count}
    return render_to_string("events/_programme_listing.html", ctx)


@public_page("events", params=["day", "track", "audience"])
def programme(request, pk):
    """The festival's programme. Anonymous visitors get it from the page cache; for residents
    the listing (identical for everyone) comes from the cache, keyed by the filters and by the
    next moment a registration opens or closes, so a listing is never shown past such a moment.
    """
    event = get_visible_event(request, pk)
    outline = _programme_outline(event)
    form = ProgrammeFilterForm(request.GET or None, event=event, tracks=outline["tracks"])
    filters = form.filters()
    at = now()
    changes = outline["changes"]
    following = bisect_right(changes, at)
    next_change = changes[following].timestamp() if following < len(changes) else "-"
    key = "events:programme:{}:{}:{}:{}:{}:{}".format(
        event.pk,
        get_language(),
        filters.get("day", ""),
        filters.get("track", ""),
        filters.get("audience", ""),
        next_change,
    )
    ctx = {
        "event": event,
        "tracks": outline["tracks"],
        "has_market": outline["has_market"],
        "listing": cached(key, ("events",), lambda: _programme_listing(event, filters, form, at)),
        "is_staff": is_events_staff(request.user),
    }
    return render(request, "events/programme.html", ctx)


@public_page("events", params=["day"])
def timetable(request, pk):
    """One day at a time, hour by hour: the phone-sized view of the programme."""
    event = get_visible_event(request, pk)
    days = event.days
    wanted = request.GET.get("day", "")
    day = next((d for d in days if d.isoformat() == wanted), None)
    if day is None:
        today = localdate()
        day = today if today in days else days[0]
    activities = list(
        event.activities.with_counts().select_related("track").on_day(day).order_by("starts_at")
    )
    slots, at = {}, now()
    for a in activities:
        a.state = a.registration_state(at)
        slots.setdefault(localtime(a.starts_at).strftime("%H:00"), []).append(a)
    ctx = {"event": event, "days": days, "day": day, "slots": sorted(slots.items())}
    return render(request, "events/timetable.html", ctx)


@public_page("events")
def activity_detail(request, pk):
    activity = get_visible_activity(request, pk, Activity.objects.with_counts())
    at = now()
    mine, positions = [], {}
    if request.user.is_authenticated and request.user.household_id:
        mine = list(
            Registration.objects.active()
            .of_household(request.user.household_id)
            .filter(activity=activity)
            .select_related("member__user")
        )
        positions = services.waiting_positions([activity.pk])
    for reg in mine:
        reg.position = positions.get(reg.booking_id)
    state = activity.registration_state(at)
    refusals, may_register = [], True
    if state == "open" and request.user.is_authenticated and request.user.household_id:
        # Refusals before effort: the button only if someone of the household may come.
        registered = {reg.member_id for reg in mine}
        members = [
            m for m in services.members_for_registration(request.user) if m.pk not in registered
        ]
        reasons = [(m, services.can_register(activity, m)) for m in members]
        may_register = any(reason is None for _m, reason in reasons)
        if not may_register:  # else the form says who may come
            refusals = [reason for _m, reason in reasons]
    ctx = {
        "activity": activity,
        "event": activity.event,
        "state": state,
        "may_register": may_register,
        "refusals": refusals,
        "questions": list(activity.questions.all()),
        "mine": mine,
        "stalls_open": activity.kind == Activity.Kind.MARKET and at < activity.starts_at,
    }
    return render(request, "events/activity_detail.html", ctx)


def activity_calendar_file(request, pk):
    activity = get_visible_activity(request, pk)
    url = request.build_absolute_uri(activity.get_absolute_url())
    return calendar_response(
        [event_calendar.activity_item(activity, url=url)],
        name=activity.title,
        filename=f"activity-{activity.pk}.ics",
        private=False,
        attachment=True,
    )


@public_page("events")
def stall_list(request, pk):
    """Approved stalls of an event's markets: numbers and goods, never who runs them."""
    event = get_visible_event(request, pk)
    stalls = list(
        StallApplication.objects.filter(
            activity__event=event, status=StallApplication.Status.APPROVED
        )
        .select_related("activity")
        .only("stall_number", "goods", "needs_table", "activity__title", "activity__place")
        .order_by("activity__starts_at", "activity_id", "stall_number")
    )
    return render(request, "events/stall_list.html", {"event": event, "stalls": stalls})


# ---------------------------------------------------------------- residents


@login_required
def register(request, pk):
    activity = get_visible_activity(request, pk, Activity.objects.with_counts())
    questions = list(activity.questions.all())
    members = services.members_for_registration(request.user)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        activity=activity,
        members=members,
        questions=questions,
    )
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.register(
                activity,
                user=request.user,
                members=form.chosen_members(),
                answers=form.answers(),
            )
        except services.EventError as e:
            form.add_error(None, str(e))
        else:
            regs = list(booking.registrations.all())
            if regs[0].status == Registration.Status.CONFIRMED:
                messages.success(
                    request,
                    _("Registered for “%(activity)s”. Your tickets are below.")
                    % {"activity": activity.title},
                )
            else:
                position = services.waiting_positions([activity.pk]).get(booking.pk)
                messages.info(
                    request,
                    _(
                        "The activity is full: you are number %(position)s on the waiting list. "
                        "We will tell you when places open up."
                    )
                    % {"position": position},
                )
            return redirect("events:my")
    ctx = {
        "activity": activity,
        "event": activity.event,
        "form": form,
        "state": activity.registration_state(now()),
    }
    return render(request, "events/register.html", ctx)


@login_required
def my_registrations(request):
    at = now()
    regs = []
    if request.user.household_id:
        regs = list(
            Registration.objects.active()
            .of_household(request.user.household_id)
            .select_related("activity__event", "activity__track", "member__user")
            .order_by("activity__starts_at", "booking_id", "id")
        )
    positions = services.waiting_positions({r.activity_id for r in regs})
    for reg in regs:
        reg.position = positions.get(reg.booking_id)
        reg.cancellable = reg.can_cancel(at)
    notices = list(
        Notice.objects.filter(recipient=request.user).about(reverse("events:index"))[:10]
    )
    stalls = list(
        StallApplication.objects.filter(applicant=request.user).select_related("activity")
    )
    ctx = {
        "upcoming": [r for r in regs if r.activity.ends_at >= at],
        "past": [r for r in regs if r.activity.ends_at < at],
        "notices": notices,
        "has_unread": any(n.read_at is None for n in notices),
        "stalls": stalls,
    }
    return render(request, "events/my_registrations.html", ctx)


@login_required
@require_POST
def notices_read(request):
    """Mark the events' notices read (a POST: opening My registrations changes nothing)."""
    mark_all_read(request.user, about=reverse("events:index"))
    return redirect("events:my")


@login_required
def ticket(request, token):
    reg = get_my_registration(request, token=token)
    url = request.build_absolute_uri(reverse("events:staff-ticket", args=[reg.ticket_token]))
    # the SVG is built from the URL alone (our own absolute URL with a url-safe token)
    qr = qr_svg(url, label=_("QR code of the ticket"), scalable=True)
    ctx = {"reg": reg, "activity": reg.activity, "qr": qr}
    if request.GET.get("download"):
        # A self-contained page (inline SVG and styles) to keep on the phone without a connection.
        response = render(request, "events/ticket_download.html", ctx)
        response["Content-Disposition"] = f'attachment; filename="ticket-{reg.ticket_code}.html"'
        # Its own policy (the portal's allows no inline style): styles inside it, nothing else.
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
        )
        return response
    return render(request, "events/ticket.html", ctx)


@login_required
@require_POST
def cancel(request, pk):
    reg = get_my_registration(request, pk=pk)
    try:
        services.cancel_registration(reg, by=request.user)
    except services.EventError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            _("%(name)s's place at “%(activity)s” is cancelled.")
            % {"name": reg.person_name, "activity": reg.activity.title},
        )
    return redirect("events:my")


@login_required
def stall_apply(request, pk):
    activity = get_visible_activity(request, pk)
    if activity.kind != Activity.Kind.MARKET:
        raise Http404
    form = StallApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply_for_stall(activity, user=request.user, **form.cleaned_data)
        except services.EventError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Thank you: we will tell you when staff have decided."))
            return redirect("events:my")
    return render(request, "events/stall_apply.html", {"activity": activity, "form": form})


@login_required
@require_POST
def stall_withdraw(request, pk):
    application = get_object_or_404(StallApplication, pk=pk, applicant=request.user)
    try:
        services.withdraw_stall(application, user=request.user)
    except services.EventError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Your stall application was withdrawn."))
    return redirect("events:my")


# ---------------------------------------------------------------- staff


@login_required
def staff_home(request):
    require_role(request, roles.EVENTS_STAFF)
    events = list(
        Event.objects.prefetch_related(
            Prefetch(
                "activities",
                queryset=Activity.objects.with_counts()
                .annotate(
                    checked_in=Count(
                        "registrations", filter=Q(registrations__checked_in_at__isnull=False)
                    ),
                    pending_stalls=Count(
                        "stall_applications",
                        filter=Q(stall_applications__status=StallApplication.Status.PENDING),
                        distinct=True,
                    ),
                )
                .order_by("starts_at", "id"),
            )
        ).order_by("-starts_on")[:6]
    )
    ctx = {"events": events, "volunteers_available": _volunteers_available()}
    return render(request, "events/staff/home.html", ctx)


def _volunteers_available() -> bool:
    """Whether the volunteers module offers posts (it is optional for this one)."""
    from importlib.util import find_spec

    return find_spec("volunteers.services") is not None


def _check_in_ctx(activity, **extra):
    counts = Registration.objects.filter(activity=activity).aggregate(
        confirmed=Count("id", filter=Q(status=Registration.Status.CONFIRMED)),
        waiting=Count("id", filter=Q(status=Registration.Status.WAITING)),
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        walk_ins=Count("id", filter=Q(member__isnull=True)),
    )
    places_left = (
        max(activity.capacity - counts["confirmed"], 0) if activity.needs_registration else None
    )
    ctx = {
        "activity": activity,
        "counts": counts,
        "places_left": places_left,
        "not_open_yet": services.check_in_refusal(activity, now()),
    }
    ctx.update(extra)
    return ctx


@login_required
def check_in_page(request, pk):
    """The gate on a phone: type a ticket code, or search by name, and check people in."""
    activity = get_staff_activity(request, pk)
    code_form = TicketCodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and code_form.is_valid():
        try:
            reg = services.check_in(
                by=request.user, code=code_form.cleaned_data["code"], activity=activity
            )
        except services.EventError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("Checked in: %(name)s.") % {"name": reg.person_name})
        return redirect("events:check-in", pk=activity.pk)
    q = request.GET.get("q", "").strip()
    results = []
    if q:
        code = services.normalize_code(q)
        results = list(
            Registration.objects.filter(activity=activity)
            .filter(
                Q(member__name__icontains=q)
                | Q(member__user__real_name__icontains=q)
                | Q(walk_in_name__icontains=q)
                | (Q(ticket_code=code) if code else Q(pk__in=[]))
            )
            .select_related("member__user", "booking__household")
            .order_by("status", "id")[:30]
        )
    ctx = _check_in_ctx(
        activity, code_form=code_form, walk_in_form=WalkInForm(), q=q, results=results
    )
    return render(request, "events/staff/check_in.html", ctx)


@login_required
@require_POST
def check_in_registration(request, pk):
    """The "check in" button next to a search result."""
    require_role(request, roles.EVENTS_STAFF)
    reg = get_object_or_404(Registration.objects.select_related("activity"), pk=pk)
    try:
        services.check_in(by=request.user, token=reg.ticket_token, activity=reg.activity)
    except services.EventError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Checked in: %(name)s.") % {"name": reg.person_name})
    return redirect("events:check-in", pk=reg.activity_id)


@login_required
def staff_ticket(request, token):
    """Where the ticket's QR code leads: staff see the ticket and check it in with one tap."""
    require_role(request, roles.EVENTS_STAFF)
    reg = (
        Registration.objects.select_related("activity__event", "member__user")
        .filter(ticket_token=token)
        .first()
    )
    if request.method == "POST":
        try:
            reg = services.check_in(by=request.user, token=token)
        except services.EventError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("Checked in: %(name)s.") % {"name": reg.person_name})
        return redirect("events:staff-ticket", token=token)
    if reg is None:
        ctx = {"reg": None}
        return render(request, "events/staff/ticket.html", ctx, status=404)
    return render(request, "events/staff/ticket.html", _check_in_ctx(reg.activity, reg=reg))


@login_required
@require_POST
def walk_in(request, pk):
    activity = get_staff_activity(request, pk)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the walk-in's name."))
        return redirect("events:check-in", pk=activity.pk)
    try:
        reg = services.record_walk_in(activity, name=form.cleaned_data["name"], by=request.user)
    except services.EventError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Walk-in recorded: %(name)s.") % {"name": reg.person_name})
    return redirect("events:check-in", pk=activity.pk)


def _attendees(activity):
    return list(
        Registration.objects.filter(activity=activity)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("member__user", "booking__household", "booking__booked_by")
        .order_by("status", "booking_id", "id")
    )


def _attendee_rows(activity, questions, regs):
    """Header and rows shared by the page and the exports."""
    header = [
        _("Name"),
        _("Age"),
        _("Relation"),
        _("Household"),
        _("Booked by"),
        _("Mobile"),
        _("Status"),
        _("Ticket code"),
        _("Checked in"),
    ] + [q.label for q in questions]
    day = activity.day
    rows = []
    for r in regs:
        m = r.member
        answers = []
        for q in questions:
            answers.append(display_answer(q, r.answers.get(str(q.pk), "")))
        booked_by = r.booking.booked_by
        rows.append(
            [
                r.person_name,
                (m.age_on(day) if m else "") or "",
                m.get_relation_display() if m else _("walk-in"),
                str(r.booking.household) if r.booking.household_id else "",
                booked_by.display_name if booked_by and m else "",
                # Masked: the list is for the gate and the figures, not for calling.
                booked_by.masked_mobile if booked_by and m else "",
                r.get_status_display(),
                r.ticket_code,
                localtime(r.checked_in_at).strftime("%Y-%m-%d %H:%M") if r.checked_in_at else "",
            ]
            + answers
        )
    return header, rows


@login_required
def attendees(request, pk):
    activity = get_staff_activity(request, pk)
    questions = list(activity.questions.all())
    header, rows = _attendee_rows(activity, questions, _attendees(activity))
    fmt = request.GET.get("format")
    filename = f"attendees-{activity.pk}-{slugify(activity.title, allow_unicode=False) or 'list'}"
    if fmt in exports.FORMATS:
        columns = [
            exports.Column(h, exports.INT if i == 1 else exports.TEXT) for i, h in enumerate(header)
        ]
        heading = exports.heading(
            request,
            _("Attendees"),
            period=f"{activity.day:%Y-%m-%d}",
            filters=[(_("Activity"), activity.title)],
        )
        table = exports.Table(_("Attendees"), columns, rows)
        return exports.download(table, fmt, filename, heading)
    ctx = {
        "activity": activity,
        "header": header,
        "rows": rows,
        "message_form": broadcasts.MessageForm(),
    }
    return render(request, "events/staff/attendees.html", ctx)


def _household_holder(household):
    """The household's account holder who receives tickets and notices (the oldest account)."""
    return household.users.order_by("date_joined", "id").first()


@login_required
def staff_register(request, pk):
    """Register a resident who phones in or comes to the office: find the household, then tick."""
    activity = get_staff_activity(request, pk, Activity.objects.with_counts())
    q = request.GET.get("q", "").strip()
    households = []
    if q:
        found = (
            HouseholdMember.objects.current()
            .filter(
                Q(name__icontains=q) | Q(user__real_name__icontains=q) | Q(user__mobile__contains=q)
            )
            .values("household_id")
        )
        households = list(
            Household.objects.filter(pk__in=found)
            .prefetch_related(Prefetch("members", queryset=_members_queryset()))
            .order_by("building", "unit", "room", "id")[:10]
        )
    household = None
    household_id = params.parse_int(request.GET.get("household"))
    if household_id is not None:
        household = get_object_or_404(Household, pk=household_id)
    form = None
    if household is not None:
        holder = _household_holder(household)
        members = list(_members_queryset().filter(household=household))
        form = RegistrationForm(
            request.POST if request.method == "POST" else None,
            activity=activity,
            members=members,
            questions=list(activity.questions.all()),
        )
        if request.method == "POST" and form.is_valid():
            if holder is None:
                form.add_error(None, _("This household has no account to send the tickets to."))
            else:
                try:
                    booking = services.register(
                        activity,
                        user=holder,
                        members=form.chosen_members(),
                        answers=form.answers(),
                        entered_by=request.user,
                    )
                except services.EventError as e:
                    form.add_error(None, str(e))
                else:
                    messages.success(
                        request,
                        _(
                            "Registered %(count)s people (%(status)s); "
                            "the tickets are in %(name)s's account."
                        )
                        % {
                            "count": booking.registrations.count(),
                            "status": booking.registrations.first().get_status_display(),
                            "name": holder.display_name,
                        },
                    )
                    return redirect("events:attendees", pk=activity.pk)
    ctx = {
        "activity": activity,
        "q": q,
        "households": households,
        "household": household,
        "form": form,
    }
    return render(request, "events/staff/register.html", ctx)


@login_required
@require_POST
def message_attendees(request, pk):
    activity = get_staff_activity(request, pk)
    # A preview (recipients per channel, text segments), then the worker sends it.
    return broadcasts.respond(
        request,
        source=broadcasts.FROM_EVENTS,
        title=activity.title,
        recipients=services.registered_users(activity),
        url=activity.get_absolute_url(),
        back_url=reverse("events:attendees", args=[activity.pk]),
    )


@login_required
def stall_review(request, pk):
    activity = get_staff_activity(request, pk)
    applications = list(
        activity.stall_applications.select_related("applicant", "decided_by").order_by(
            "status", "created_at", "id"
        )
    )
    ctx = {"activity": activity, "applications": applications, "form": StallDecisionForm()}
    return render(request, "events/staff/stalls.html", ctx)


@login_required
@require_POST
def stall_decide(request, pk):
    require_role(request, roles.EVENTS_STAFF)
    application = get_object_or_404(StallApplication.objects.select_related("activity"), pk=pk)
    form = StallDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("events:stall-review", pk=application.activity_id)
    try:
        app = services.decide_stall(
            application,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except services.EventError as e:
        messages.error(request, str(e))
    else:
        if app.status == StallApplication.Status.APPROVED:
            messages.success(
                request, _("Approved: stall number %(number)s.") % {"number": app.stall_number}
            )
        else:
            messages.success(request, _("Declined; the resident has been told why."))
    return redirect("events:stall-review", pk=application.activity_id)


@login_required
@require_POST
def volunteer_post(request, pk):
    activity = get_staff_activity(request, pk)
    form = VolunteerPostForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter how many volunteers the stall needs."))
        return redirect("events:staff")
    try:
        services.create_volunteer_post(
            activity, capacity=form.cleaned_data["capacity"], by=request.user
        )
    except services.EventError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            _("A volunteer post for “%(activity)s” was created.") % {"activity": activity.title},
        )
    return redirect("events:staff")


def _figures_table(data) -> list[exports.Table]:
    """The after-event figures per track and activity, the totals and the reach."""
    rows = []
    for track in data["tracks"]:
        for line in track.activities:
            rows.append([track.label, line.label, *_figure_numbers(line)])
    columns = [
        exports.Column(_("Track")),
        exports.Column(_("Activity")),
        exports.Column(_("Registered"), exports.INT, total=True),
        exports.Column(pgettext("people at an activity", "Attended"), exports.INT, total=True),
        exports.Column(_("Walk-ins"), exports.INT, total=True),
        exports.Column(_("No-shows"), exports.INT, total=True),
        exports.Column(_("No-show rate"), exports.PERCENT),
    ]
    # The page's total rate (not a sum): the helper adds the counts up, this is the rate.
    total = _figure_numbers(data["total"])
    figures = exports.Table(_("Figures"), columns, rows, totals={6: total[-1]})
    reach = exports.Table(
        _("Reach"),
        [exports.Column(_("Figure")), exports.Column(_("People"), exports.INT)],
        [
            [_("Households reached"), data["households_reached"]],
            [_("Residents reached for the first time"), data["new_people"]],
        ],
    )
    return [figures, reach]


def _figure_numbers(line) -> list:
    rate = line.no_show_rate
    rate = None if rate is None else exports.Percent(Decimal(str(rate)) / 100)
    return [line.registered, line.attended, line.walk_ins, line.no_shows, rate]


@login_required
def figures(request, pk):
    require_role(request, roles.EVENTS_STAFF)
    event = get_object_or_404(Event, pk=pk)
    data = event_figures(event)
    fmt = request.GET.get("format")
    if fmt in exports.FORMATS:
        heading = exports.heading(request, _("Figures"), filters=[(_("Event"), event.title)])
        return exports.download(_figures_table(data), fmt, f"figures-{event.pk}", heading)
    return render(request, "events/staff/figures.html", {"event": event, **data})
