"""Volunteer pages: thin views that authorise, validate, call one service and redirect."""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localdate, localtime, now
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import broadcasts, exports, roles
from portal.access import require_role
from portal.cache import cached, personal, public_page, resident_page
from portal.calendars import calendar_response
from portal.calling_off import CallOffForm
from portal.lib import params
from portal.lib.qr import qr_svg
from portal.models import Community, Notice
from portal.notices import mark_all_read
from volunteers import access, reports, services
from volunteers import calendar as volunteer_calendar
from volunteers.forms import (
    ApplyForm,
    CopyPostsForm,
    CorrectionDecisionForm,
    CorrectionForm,
    DecisionForm,
    GenerateYearForm,
    OutcomeForm,
    PoolDecisionForm,
    PostForm,
    ReportForm,
)
from volunteers.lib import star_progress
from volunteers.models import (
    Certificate,
    CorrectionRequest,
    HoursEntry,
    Membership,
    Post,
    ServiceDay,
    Signup,
    Team,
    VolunteerProfile,
    VolunteerSettings,
)


def _error(request, exc) -> None:
    messages.error(request, str(exc))


# --- volunteers' pages ----------------------------------------------------------------------
# Pages marked @public_page are served to anonymous visitors from the page cache: they show
# nothing private, and carry no CSRF token for them (a log-in link instead of a form). Those
# showing people's names also depend on "people" (accounts), so a name changed shows at once.


@public_page("volunteers")
def index(request):
    today = localdate()
    next_day = ServiceDay.objects.filter(date__gte=today).first()
    ctx = {
        "next_day": next_day,
        "next_day_posts": (
            list(Post.objects.filter(service_day=next_day).with_taken().select_related("team"))
            if next_day
            else []
        ),
        "is_leader": access.is_leader(request.user),
        "is_coordinator": access.is_coordinator(request.user),
        "my_next": None,
        "notices": [],
    }
    if request.user.is_authenticated:
        ctx["my_next"] = (
            Signup.objects.active()
            .filter(volunteer=request.user, post__end__gt=now())
            .select_related("post")
            .order_by("post__start")
            .first()
        )
        ctx["notices"] = list(_my_notices(request.user).unread()[:5])
    return render(request, "volunteers/index.html", ctx)


def _year_bounds(year=None):
    year = year or localdate().year
    return date(year, 1, 1), date(year, 12, 31)


@public_page("volunteers", "people")  # shows the leader's and members' names
def team_list(request):
    first, last = _year_bounds()
    teams = (
        Team.objects.select_related("leader")
        .annotate(
            member_count=Count(
                "memberships",
                filter=Q(memberships__status=Membership.Status.APPROVED),
                distinct=True,
            ),
        )
        .order_by("sort_order", "name")
    )
    hours = dict(
        HoursEntry.objects.filter(served_on__range=(first, last), team__isnull=False)
        .values("team")
        .annotate(total=Sum("hours"))
        .values_list("team", "total")
    )
    mine = services.member_team_ids(request.user)
    rows = [
        {"team": t, "hours": hours.get(t.pk, Decimal("0")), "mine": t.pk in mine} for t in teams
    ]
    return render(request, "volunteers/team_list.html", {"rows": rows})


@public_page("volunteers", "people")  # shows the leader's and members' names
def team_detail(request, slug):
    team = get_object_or_404(Team.objects.select_related("leader"), slug=slug)
    first, last = _year_bounds()
    members = list(
        Membership.objects.approved()
        .filter(team=team)
        .select_related("user__volunteer_profile")
        .order_by("created_at")
    )
    leaderboard = list(
        HoursEntry.objects.filter(team=team, served_on__range=(first, last))
        .values("volunteer")
        .annotate(total=Sum("hours"))
        .filter(total__gt=0)
        .order_by("-total")[:10]
    )
    profiles = {
        p.user_id: p
        for p in VolunteerProfile.objects.filter(
            user_id__in=[row["volunteer"] for row in leaderboard]
        ).select_related("user")
    }
    for row in leaderboard:
        profile = profiles.get(row["volunteer"])
        row["name"] = profile.public_name if profile else _("A volunteer")
    my_application = None
    if request.user.is_authenticated:
        my_application = (
            Membership.objects.filter(
                team=team,
                user=request.user,
                status__in=[Membership.Status.PENDING, Membership.Status.APPROVED],
            )
            .order_by("-created_at")
            .first()
        )
    ctx = {
        "team": team,
        "members": members,
        "hidden_members": sum(
            1
            for m in members
            if not getattr(m.user, "volunteer_profile", None)
            or not m.user.volunteer_profile.show_name_publicly
        ),
        "year_hours": HoursEntry.objects.filter(team=team, served_on__range=(first, last)).total(),
        "leaderboard": leaderboard,
        "upcoming": list(
            Post.objects.filter(team=team, end__gt=now()).with_taken().order_by("start")[:6]
        ),
        "history": list(Post.objects.filter(team=team, end__lte=now()).order_by("-start")[:10]),
        "my_application": my_application,
        "form": ApplyForm(),
        "can_manage": services.can_manage_team(request.user, team),
    }
    return render(request, "volunteers/team_detail.html", ctx)


@login_required
@require_POST
def team_apply(request, slug):
    team = get_object_or_404(Team, slug=slug)
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            services.apply_to_team(request.user, team, message=form.cleaned_data["message"])
        except services.MembershipError as e:
            _error(request, e)
        else:
            messages.success(
                request,
                _("Your application to %(team)s was sent. The leader will answer soon.")
                % {"team": team.name},
            )
    return redirect(team)


@login_required
@require_POST
def team_leave(request, slug):
    team = get_object_or_404(Team, slug=slug)
    try:
        services.leave_team(request.user, team)
    except services.MembershipError as e:
        _error(request, e)
    else:
        messages.success(request, _("You left %(team)s.") % {"team": team.name})
    return redirect(team)


@public_page("volunteers", params=["year"])
def calendar_view(request):
    form = ReportForm(request.GET)
    year = form.cleaned_data["year"] if form.is_valid() else localdate().year
    days = list(
        ServiceDay.objects.filter(date__year=year)
        .annotate(
            post_count=Count("posts", distinct=True),
            places=Sum("posts__capacity"),
        )
        .order_by("date")
    )
    taken = dict(
        Signup.objects.holding_place()
        .filter(post__service_day__date__year=year)
        .values("post__service_day")
        .annotate(n=Count("id"))
        .values_list("post__service_day", "n")
    )
    for day in days:
        day.taken = taken.get(day.pk, 0)
        day.free = max((day.places or 0) - day.taken, 0)
    community = Community.current()
    ctx = {
        "year": year,
        "days": days,
        "today": localdate(),
        "day_of_month": community.service_day_of_month,
        "previous_year": year - 1,
        "next_year": year + 1,
    }
    return render(request, "volunteers/calendar.html", ctx)


# Where "You are signed up" goes in a cached day listing (filled in per volunteer): written by
# _post_row.html when `mine_slot` is set.
_MINE_SLOT = re.compile(r"<!--mine:(\d+)-->")


def _day_listing(day_date: date) -> dict | None:
    """A day's posts as HTML, the same for everyone; None when there is nothing on that day.

    Cached until the volunteers module's content changes. Each post's row carries a slot where
    `day_detail` puts the viewer's own "You are signed up".
    """

    def compute():
        service_day = ServiceDay.objects.filter(date=day_date).first()
        posts = Post.objects.with_taken().select_related("team").order_by("start", "title")
        if service_day:
            posts = posts.filter(service_day=service_day)
        else:
            posts = posts.filter(start__date=day_date)
        posts = list(posts)
        if not posts and service_day is None:
            return None
        html = render_to_string(
            "volunteers/_day_posts.html",
            {"service_day": service_day, "posts": posts, "mine_slot": True},
        )
        # [html, post id, html, post id, …, html]: the slots cut out
        parts = _MINE_SLOT.split(html)
        return {"service_day": service_day, "post_ids": [p.pk for p in posts], "parts": parts}

    return cached(
        f"volunteers:day:{day_date.isoformat()}:{get_language()}", ("volunteers",), compute
    )


@public_page("volunteers")
@resident_page("volunteers")
def day_detail(request, day):
    try:
        day_date = params.parse_date(day)
    except params.BadParameter:
        raise Http404 from None
    listing = _day_listing(day_date)
    if listing is None:
        raise Http404
    mine = _my_active_post_ids(request.user, listing["post_ids"])
    parts = listing["parts"]
    html = [parts[0]]
    if mine:
        signed_up = format_html(
            '<div class="small text-success mt-1">✓ {}</div>', _("You are signed up")
        )
    for pk, after in zip(parts[1::2], parts[2::2], strict=True):
        if int(pk) in mine:
            html.append(signed_up)
        html.append(after)
    ctx = {
        "service_day": listing["service_day"],
        "day": day_date,
        # our own template's output, cut at the slots, and our own escaped markup
        "listing": mark_safe("".join(html)),
    }
    return render(request, "volunteers/day_detail.html", ctx)


def _my_active_post_ids(user, post_ids) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Signup.objects.active()
        .filter(volunteer=user, post_id__in=post_ids)
        .values_list("post", flat=True)
    )


@login_required
def posts_for_me(request):
    """Posts I can take: open for sign-up, not full, my team's or open teams', no clash."""
    at = now()
    rules = VolunteerSettings.current()
    team_ids = services.member_team_ids(request.user)
    candidates = list(
        Post.objects.filter(services.open_or_member_q(team_ids))
        .filter(
            start__gt=at + timedelta(hours=rules.signup_closes_hours),
            start__lte=at + timedelta(days=rules.signup_opens_days),
        )
        .with_taken()
        .select_related("team")
        .order_by("start")[:200]
    )
    mine = services.my_active_signups(request.user, after=at)
    skill = (request.GET.get("skill") or "").strip()
    posts = []
    for post in candidates:
        if post.taken >= post.capacity:
            continue
        # the services' own rules, asked with what is loaded once for the whole list
        if services.can_sign_up(
            request.user, post, at=at, rules=rules, member_team_ids=team_ids, mine=mine
        ):
            continue
        if skill and skill not in post.skills:
            continue
        posts.append(post)
    all_skills = sorted({s for p in candidates for s in p.skill_list})
    ctx = {"posts": posts[:50], "skill": skill, "skills": all_skills}
    return render(request, "volunteers/posts_for_me.html", ctx)


@public_page("volunteers")
def post_detail(request, pk):
    post = get_object_or_404(
        Post.objects.with_taken().select_related("team__leader", "service_day"), pk=pk
    )
    my_signup = None
    refusal = None
    if request.user.is_authenticated:
        my_signup = Signup.objects.active().filter(post=post, volunteer=request.user).first()
        if my_signup is None:
            refusal = services.can_sign_up(request.user, post)
    ctx = {
        "post": post,
        "free": max(post.capacity - post.taken, 0),
        "my_signup": my_signup,
        "refusal": refusal,
        "can_manage": services.can_manage_team(request.user, post.team),
    }
    return render(request, "volunteers/post_detail.html", ctx)


@login_required
@require_POST
def post_signup(request, pk):
    post = get_object_or_404(Post, pk=pk)
    waitlist = request.POST.get("waitlist") == "1"
    try:
        signup = services.sign_up(post, request.user, waitlist=waitlist)
    except services.SignupError as e:
        _error(request, e)
        return redirect(post)
    if signup.status == Signup.Status.WAITLISTED:
        messages.info(
            request, _("You are on the waiting list; we will tell you if a place frees up.")
        )
    elif signup.status == Signup.Status.PENDING:
        messages.info(request, _("Your sign-up waits for the leader's approval."))
    else:
        messages.success(
            request,
            _("You are signed up for %(title)s on %(time)s. See you there!")
            % {"title": post.title, "time": localtime(post.start).strftime("%m-%d %H:%M")},
        )
    return redirect("volunteers:my-schedule")


@login_required
@require_POST
def signup_cancel(request, pk):
    signup = access.get_my_signup(request, pk)
    try:
        services.cancel_signup(signup, by=request.user)
    except services.SignupError as e:
        _error(request, e)
        return redirect(signup.post)
    messages.success(request, _("Your sign-up was cancelled."))
    return redirect("volunteers:my-schedule")


@login_required
@resident_page("volunteers", "canteen")
def my_schedule(request):
    signups = list(
        Signup.objects.active()
        .filter(volunteer=request.user, post__end__gt=now())
        .select_related("post__team__leader")
        .order_by("post__start")
    )
    profile = services.profile_for_display(request.user)
    feed_url = ""
    if profile.pk:  # a calendar link exists once the volunteer record does
        feed_url = request.build_absolute_uri(
            reverse("volunteers:calendar-feed", args=[profile.calendar_token])
        )
    # My notices change only with a notice to me or one read: kept for me apart from the rest,
    # which any write in the module makes stale.
    notices, has_unread = personal(
        "volunteers:notices", request.user.pk, (), lambda: _notices_shown(request.user)
    )
    ctx = {
        "signups": signups,
        "profile": profile,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
        "notices": notices,
        "has_unread": has_unread,
        "cutoff_hours": VolunteerSettings.current().cancel_cutoff_hours,
    }
    return render(request, "volunteers/my_schedule.html", ctx)


NOTICES_SHOWN = 10


def _my_notices(user):
    """The user's notices about volunteering (those linking to this module's pages)."""
    return Notice.objects.filter(recipient=user).about(reverse("volunteers:index"))


def _notices_shown(user) -> tuple[list, bool]:
    """My latest notices about volunteering, and whether any of mine is unread."""
    notices = list(_my_notices(user)[:NOTICES_SHOWN])
    return notices, _has_unread(user, notices)


def _has_unread(user, latest: list) -> bool:
    """Whether any of the user's notices is unread, given the latest ones (newest first)."""
    if any(n.read_at is None for n in latest):
        return True
    if len(latest) < NOTICES_SHOWN:  # these are all there are
        return False
    return _my_notices(user).unread().exists()


@login_required
@require_POST
def notices_read(request):
    mark_all_read(request.user, about=reverse("volunteers:index"))
    return redirect("volunteers:my-schedule")


@login_required
@require_POST
def calendar_reset(request):
    """A new private calendar link (the first one, or one replacing a link that got out)."""
    had_link = VolunteerProfile.objects.filter(user=request.user).exists()
    services.reset_calendar_token(request.user)
    if had_link:
        messages.success(
            request,
            _("Your calendar link was reset. The old link no longer works; add the new one."),
        )
    else:
        messages.success(request, _("Your calendar link is ready: add it to your calendar app."))
    return redirect("volunteers:my-schedule")


@login_required
@require_POST
def name_visibility(request):
    show = request.POST.get("show") == "1"
    services.set_name_visibility(request.user, show)
    messages.success(request, _("Your choice was saved."))
    return redirect("volunteers:my-hours")


def calendar_feed(request, token):
    """The private iCalendar feed: the token in the URL is the only key, so no login."""
    profile = get_object_or_404(
        VolunteerProfile.objects.select_related("user"), calendar_token=token[:64]
    )
    with translation.override(profile.user.preferred_language()):
        return calendar_response(
            volunteer_calendar.items_for(profile.user),
            name=_("My volunteer posts"),
            filename="volunteer.ics",
        )


@login_required
def checkin(request, token):
    """The page a post's QR code opens: confirm with one tap (POST) to check in or out."""
    try:
        post = services.post_from_checkin_token(token)
    except services.AttendanceError as e:
        return render(request, "volunteers/checkin.html", {"error": str(e)}, status=404)
    if request.method == "POST":
        try:
            direction, _signup = services.scan_checkin(token, request.user)
        except services.AttendanceError as e:
            _error(request, e)
            return redirect("volunteers:checkin", token=token)
        if direction == "in":
            messages.success(request, _("Checked in. Thank you for serving!"))
        else:
            messages.success(request, _("Checked out. Your leader will confirm your hours."))
        return redirect("volunteers:my-schedule")
    signup = Signup.objects.active().filter(post=post, volunteer=request.user).first()
    ctx = {"post": post, "signup": signup, "token": token}
    return render(request, "volunteers/checkin.html", ctx)


SERVED_PER_PAGE = 20


@login_required
@resident_page("volunteers")
def my_hours(request):
    """My hours: totals from the ledger (summed in the database), and the posts I served,
    newest first, a page at a time."""
    user = request.user
    year = localdate().year
    per_month = HoursEntry.objects.filter(volunteer=user).per_month_of(year)
    total = sum(per_month.values(), Decimal("0"))
    counts = Signup.objects.filter(volunteer=user).aggregate(
        served=Count("pk", filter=Q(hours_confirmed_at__isnull=False)),
        awaiting=Count(
            "pk", filter=Q(checked_in_at__isnull=False, hours_confirmed_at__isnull=True)
        ),
    )
    # Plain values, not model rows: the list shows three columns and two sums of each.
    served = (
        Signup.objects.filter(volunteer=user, hours_confirmed_at__isnull=False)
        .values("pk", "post__title", "post__start")
        .annotate(
            credited=Subquery(
                HoursEntry.objects.filter(signup=OuterRef("pk"))
                .values("signup")
                .annotate(total=Sum("hours"))
                .values("total")
            ),
            correction_pending=Exists(
                CorrectionRequest.objects.filter(
                    signup=OuterRef("pk"), status=CorrectionRequest.Status.PENDING
                )
            ),
        )
        .order_by("-post__start", "-pk")
    )
    paginator = Paginator(served, SERVED_PER_PAGE)
    paginator.count = counts["served"]  # counted above, with the ones awaiting confirmation
    page = paginator.get_page(request.GET.get("page"))
    # What each row shows, made here: a date filter, a translated "h" and two localized numbers
    # per row cost more in the template than the page's queries.
    hours_unit = _("%(h)s h")
    for row in page:
        row["day"] = localtime(row["post__start"]).date().isoformat()  # as `date:"Y-m-d"` would
        row["hours_text"] = hours_unit % {"h": floatformat(row["credited"], -1)}
        row["correct_query"] = f"?page={page.number}&correct={row['pk']}#correct"
    rules = VolunteerSettings.current()
    levels = rules.star_levels()
    correcting = request.GET.get("correct", "")
    status_labels = dict(CorrectionRequest.Status.choices)  # looked up once, not per row
    corrections = list(
        CorrectionRequest.objects.filter(signup__volunteer=user)
        .values("signup__post__title", "hours", "status", "decision_reason")
        .order_by("-created_at")[:10]
    )
    for c in corrections:
        c["status_label"] = status_labels.get(c["status"], c["status"])
    ctx = {
        "total": total,
        "year": year,
        "months": [{"month": m, "hours": per_month.get(m, Decimal("0"))} for m in range(1, 13)],
        "page": page,
        "progress": star_progress(total, levels),
        "levels": levels,
        "awaiting": counts["awaiting"],
        "certificates": list(
            Certificate.objects.filter(volunteer=user).only("number", "issued_at", "hours")[:10]
        ),
        "corrections": corrections,
        "profile": services.profile_for_display(user),
        "correction_fields": CorrectionForm.base_fields,
        # the one post whose correction form is open (a link per post opens it, no script)
        "correcting": int(correcting) if correcting.isdigit() else None,
    }
    return render(request, "volunteers/my_hours.html", ctx)


@login_required
@require_POST
def correction_request(request, pk):
    signup = access.get_my_signup(request, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("volunteers:my-hours")
    try:
        services.request_correction(signup, user=request.user, **form.cleaned_data)
    except services.HoursError as e:
        _error(request, e)
    else:
        messages.success(request, _("Your request was sent to the leader."))
    return redirect("volunteers:my-hours")


@login_required
@require_POST
def certificate_issue(request):
    try:
        certificate = services.issue_certificate(request.user)
    except services.HoursError as e:
        _error(request, e)
        return redirect("volunteers:my-hours")
    messages.success(request, _("Your certificate was issued."))
    return redirect(certificate)


@login_required
def certificate_detail(request, number):
    certificate = access.get_certificate_for_viewer(request, number)
    verify_url = request.build_absolute_uri(
        reverse("volunteers:verify") + "?code=" + certificate.verification_code
    )
    ctx = {
        "certificate": certificate,
        "verify_url": verify_url,
        "qr_svg": qr_svg(verify_url, label=_("QR code to verify the certificate"), scale=3),
    }
    return render(request, "volunteers/certificate.html", ctx)


def verify(request):
    """Anyone can check a certificate's code; only the certificate's own facts are shown."""
    code = (request.GET.get("code") or "").strip().upper().replace(" ", "")[:20]
    certificate = None
    if code:
        certificate = Certificate.objects.filter(verification_code=code).first()
    ctx = {"code": code, "certificate": certificate, "checked": bool(code)}
    return render(request, "volunteers/verify.html", ctx)


# --- leaders' pages -------------------------------------------------------------------------


@login_required
def lead_home(request):
    teams = list(access.led_teams(request.user).select_related("leader"))
    if not teams and not access.is_coordinator(request.user):
        raise Http404
    if len(teams) == 1 and not access.is_coordinator(request.user):
        return redirect("volunteers:lead-team", slug=teams[0].slug)
    pending = dict(
        Membership.objects.pending()
        .filter(team__in=teams)
        .values("team")
        .annotate(n=Count("id"))
        .values_list("team", "n")
    )
    rows = [{"team": t, "pending": pending.get(t.pk, 0)} for t in teams]
    return render(request, "volunteers/lead_home.html", {"rows": rows})


@login_required
def lead_team(request, slug):
    team = access.get_team_for_leader(request, slug)
    at = now()
    members = list(
        Membership.objects.approved()
        .filter(team=team)
        .select_related("user__volunteer_profile")
        .order_by("user__real_name")
    )
    ctx = {
        "team": team,
        "applications": list(Membership.objects.pending().filter(team=team).select_related("user")),
        "members": members,
        "held": [
            m
            for m in members
            if getattr(m.user, "volunteer_profile", None)
            and m.user.volunteer_profile.needs_approval
        ],
        "upcoming": list(
            Post.objects.filter(team=team, end__gt=at - timedelta(days=31))
            .with_taken()
            .order_by("start")[:40]
        ),
        "pending_signups": list(
            Signup.objects.filter(post__team=team, status=Signup.Status.PENDING)
            .select_related("post", "volunteer")
            .order_by("post__start")
        ),
        "corrections": list(
            CorrectionRequest.objects.filter(
                signup__post__team=team, status=CorrectionRequest.Status.PENDING
            ).select_related("signup__post", "signup__volunteer")
        ),
        "unconfirmed": list(
            Signup.objects.filter(
                Q(attendance=Signup.Attendance.UNKNOWN)
                | Q(checked_in_at__isnull=False, hours_confirmed_at__isnull=True),
                post__team=team,
                status=Signup.Status.CONFIRMED,
                post__start__lt=at,
            )
            .select_related("post", "volunteer")
            .order_by("-post__start")[:50]
        ),
        "message_form": broadcasts.MessageForm(),
    }
    # One form per row, each with its own element ids.
    for m in ctx["applications"]:
        m.form = DecisionForm(auto_id=f"application{m.pk}_%s")
    for c in ctx["corrections"]:
        c.form = CorrectionDecisionForm(auto_id=f"correction{c.pk}_%s")
    return render(request, "volunteers/lead_team.html", ctx)


@login_required
@require_POST
def membership_decide(request, pk):
    membership = access.get_membership_for_leader(request, pk)
    form = PoolDecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        try:
            services.decide_membership(
                membership,
                by=request.user,
                approve=approve,
                message=form.cleaned_data["message"],
                team=form.cleaned_data.get("team"),
            )
        except services.MembershipError as e:
            _error(request, e)
        else:
            if approve:
                messages.success(request, _("%(name)s was approved.") % {"name": membership.user})
            else:
                messages.success(request, _("The application was declined."))
    if membership.team_id:
        return redirect("volunteers:lead-team", slug=membership.team.slug)
    return redirect("volunteers:coordinator")


@login_required
@require_POST
def member_remove(request, pk):
    membership = access.get_membership_for_leader(request, pk)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise services.MembershipError(_("Please give a reason."))
        services.remove_member(membership, by=request.user, reason=form.cleaned_data["message"])
    except services.MembershipError as e:
        _error(request, e)
    else:
        messages.success(request, _("%(name)s was taken off the team.") % {"name": membership.user})
    return redirect("volunteers:lead-team", slug=membership.team.slug)


@login_required
@require_POST
def team_message(request, slug):
    team = access.get_team_for_leader(request, slug)
    members = Membership.objects.approved().filter(team=team).select_related("user")
    # A preview (recipients per channel, text segments), then the worker sends it.
    return broadcasts.respond(
        request,
        source=broadcasts.FROM_VOLUNTEERS,
        title=str(team),
        recipients=[m.user for m in members],
        url=team.get_absolute_url(),
        back_url=reverse("volunteers:lead-team", args=[team.slug]),
    )


@login_required
def team_post_new(request, slug):
    team = access.get_team_for_leader(request, slug)
    form = PostForm(request.POST or None, initial={"capacity": 4})
    if request.method == "POST" and form.is_valid():
        try:
            post = services.create_post(team=team, created_by=request.user, **form.post_fields())
        except services.PostError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The post was created."))
            return redirect("volunteers:roster", pk=post.pk)
    ctx = {"team": team, "form": form, "post": None}
    return render(request, "volunteers/post_edit.html", ctx)


@login_required
@require_POST
def clear_hold(request, slug, pk):
    team = access.get_team_for_leader(request, slug)
    profile = get_object_or_404(
        VolunteerProfile,
        pk=pk,
        user__volunteer_memberships__team=team,
        user__volunteer_memberships__status=Membership.Status.APPROVED,
    )
    services.clear_no_shows(profile, by=request.user)
    messages.success(request, _("%(name)s can sign up freely again.") % {"name": profile.user})
    return redirect("volunteers:lead-team", slug=team.slug)


@login_required
def roster(request, pk):
    post = access.get_post_for_leader(request, pk)
    signups = list(
        Signup.objects.filter(post=post, status__in=Signup.ACTIVE)
        .select_related("volunteer")
        .annotate(credited=Sum("hours_entries__hours"))
        .order_by("status", "seat", "created_at")
    )
    checkin_url = request.build_absolute_uri(post.checkin_url)
    rules = VolunteerSettings.current()
    moment = now()
    today = localtime(moment).date()
    for s in signups:
        s.post = post  # the roster's own post: no query per row
        # What a confirmation would credit, shown on its button; and whether it may be undone.
        s.to_credit = (
            services.hours_for(s, rules)[0]
            if s.checked_in_at and not s.hours_confirmed_at
            else None
        )
        s.undoable = bool(s.hours_confirmed_at) and localtime(s.hours_confirmed_at).date() == today
    ctx = {
        "post": post,
        "signups": signups,
        "places": [s for s in signups if s.holds_place],
        "waiting": [s for s in signups if s.status == Signup.Status.WAITLISTED],
        "checkin_url": checkin_url,
        "qr_svg": qr_svg(checkin_url, label=_("Check-in QR code"), scale=5),
        "outcome_form": OutcomeForm(
            initial={
                "residents_served": post.residents_served,
                "items_repaired": post.items_repaired,
                "meals_delivered": post.meals_delivered,
                "note": post.outcome_note,
            }
        ),
        "message_form": broadcasts.MessageForm(),
        "addable": _addable_members(post, signups),
        "started": post.start <= moment,
        "ended": post.end <= moment,
        "walk_ins": _walk_ins_open(post, rules),
        "print": request.GET.get("print") == "1",
        "blank_rows": range(max(post.capacity - len(signups), 0) + 3),
        "can_edit": post.end > now() and not post.is_called_off,
    }
    return render(request, "volunteers/roster.html", ctx)


def _addable_members(post, signups):
    """Team members not yet on the post, for the leader to sign up on their behalf."""
    if post.team_id is None or post.end <= now():
        return []
    on_post = {s.volunteer_id for s in signups}
    return [
        m.user
        for m in Membership.objects.approved()
        .filter(team_id=post.team_id)
        .select_related("user")
        .order_by("user__real_name")
        if m.user_id not in on_post
    ]


@login_required
@require_POST
def roster_add(request, pk):
    """The leader signs up a member who has no smartphone; the usual rules apply."""
    post = access.get_post_for_leader(request, pk)
    member = (
        Membership.objects.approved()
        .filter(team_id=post.team_id, user_id=params.parse_int(request.POST.get("user")))
        .select_related("user")
        .first()
    )
    if post.team_id is None or member is None:
        messages.error(request, _("Choose a member of the team."))
        return redirect("volunteers:roster", pk=post.pk)
    try:
        if _walk_ins_open(post):
            services.add_walk_in(post, member.user, by=request.user)
            done = _("%(name)s was added and checked in.")
        else:
            services.sign_up(post, member.user, waitlist=request.POST.get("waitlist") == "1")
            done = _("%(name)s was signed up.")
    except services.SignupError as e:
        _error(request, e)
    else:
        messages.success(request, done % {"name": member.user.display_name})
    return redirect("volunteers:roster", pk=post.pk)


def _walk_ins_open(post, rules=None) -> bool:
    """From check-in opening to the end, the leader adds members who turn up as walk-ins."""
    rules = rules or VolunteerSettings.current()
    return now() >= post.start - timedelta(minutes=rules.checkin_window_minutes)


@login_required
def post_edit(request, pk):
    post = access.get_post_for_leader(request, pk)
    local_start, local_end = localtime(post.start), localtime(post.end)
    initial = {
        "title": post.title,
        "place": post.place,
        "day": local_start.date(),
        "start_time": local_start.time(),
        "end_time": local_end.time(),
        "capacity": post.capacity,
        "skills": post.skills,
        "description": post.description,
    }
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_post(post, by=request.user, **form.post_fields())
        except services.PostError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The post was saved."))
            return redirect("volunteers:roster", pk=post.pk)
    return render(request, "volunteers/post_edit.html", {"post": post, "form": form})


@login_required
def post_call_off(request, pk):
    """The leader calls a post off (rain, the venue lost): asks why, then every volunteer booked
    is told (the GET changes nothing)."""
    post = access.get_post_for_leader(request, pk)
    if post.is_called_off:
        return redirect("volunteers:roster", pk=post.pk)
    form = CallOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            told = services.call_off_post(post, by=request.user, reason=form.cleaned_data["reason"])
        except services.VolunteerError as e:
            form.add_error(None, str(e))
        else:
            messages.success(
                request,
                ngettext(
                    "The post is called off; %(count)d volunteer was told.",
                    "The post is called off; %(count)d volunteers were told.",
                    told,
                )
                % {"count": told},
            )
            return redirect("volunteers:roster", pk=post.pk)
    ctx = {"post": post, "form": form, "booked": services.places_to_call_off(post).count()}
    return render(request, "volunteers/post_call_off.html", ctx)


_ROSTER_ACTIONS = {
    "in": (services.check_in, gettext_lazy("%(name)s checked in.")),
    "out": (services.check_out, gettext_lazy("%(name)s checked out.")),
    "confirm": (services.confirm_hours, gettext_lazy("Hours confirmed for %(name)s.")),
    "undo_out": (services.undo_check_out, gettext_lazy("The check-out of %(name)s was undone.")),
    "undo_confirm": (
        services.undo_confirmation,
        gettext_lazy("The confirmation for %(name)s was undone; confirm again when ready."),
    ),
    "no_show": (services.mark_no_show, gettext_lazy("%(name)s recorded as a no-show.")),
    "cancel": (services.cancel_signup, gettext_lazy("The place of %(name)s was cancelled.")),
}


@login_required
@require_POST
def roster_action(request, pk):
    """The leader taps a volunteer in or out, confirms hours or records a no-show."""
    signup = access.get_signup_for_leader(request, pk)
    action = _ROSTER_ACTIONS.get(request.POST.get("action"))
    if action is None:
        return HttpResponse(status=400)
    service, message = action
    try:
        service(signup, by=request.user)
    except services.VolunteerError as e:
        _error(request, e)
    else:
        messages.success(request, str(message) % {"name": signup.volunteer})
    return redirect("volunteers:roster", pk=signup.post_id)


@login_required
@require_POST
def signup_decide(request, pk):
    signup = access.get_signup_for_leader(request, pk)
    try:
        services.decide_signup(
            signup, by=request.user, approve=request.POST.get("decision") == "approve"
        )
    except services.SignupError as e:
        _error(request, e)
    else:
        messages.success(request, _("The sign-up was answered."))
    if request.POST.get("back") == "roster" or signup.post.team_id is None:
        return redirect("volunteers:roster", pk=signup.post_id)
    return redirect("volunteers:lead-team", slug=signup.post.team.slug)


@login_required
@require_POST
def post_outcome(request, pk):
    post = access.get_post_for_leader(request, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        services.record_outcome(
            post,
            residents_served=c["residents_served"],
            items_repaired=c["items_repaired"],
            meals_delivered=c["meals_delivered"],
            note=c["note"],
        )
        messages.success(request, _("What the post achieved was saved."))
    else:
        messages.error(request, _("Enter whole numbers of 0 or more."))
    return redirect("volunteers:roster", pk=post.pk)


@login_required
@require_POST
def post_message(request, pk):
    post = access.get_post_for_leader(request, pk)
    signups = Signup.objects.holding_place().filter(post=post).select_related("volunteer")
    # A preview (recipients per channel, text segments), then the worker sends it.
    return broadcasts.respond(
        request,
        source=broadcasts.FROM_VOLUNTEERS,
        title=str(post),
        recipients=[s.volunteer for s in signups],
        url=reverse("volunteers:my-schedule"),
        back_url=reverse("volunteers:roster", args=[post.pk]),
    )


@login_required
@require_POST
def correction_decide(request, pk):
    correction = access.get_correction_for_leader(request, pk)
    form = CorrectionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason for your decision."))
    else:
        try:
            services.decide_correction(
                correction,
                by=request.user,
                approve=request.POST.get("decision") == "approve",
                reason=form.cleaned_data["reason"],
            )
        except services.HoursError as e:
            _error(request, e)
        else:
            messages.success(request, _("The correction request was answered."))
    team = correction.signup.post.team
    if team:
        return redirect("volunteers:lead-team", slug=team.slug)
    return redirect("volunteers:coordinator")


# --- coordinator's pages --------------------------------------------------------------------


@login_required
def coordinator(request):
    require_role(request, roles.VOLUNTEER_COORDINATOR)
    today = localdate()
    ctx = {
        "offers": list(
            Membership.objects.pending().filter(team__isnull=True).select_related("user")
        ),
        "teamless_posts": list(
            Post.objects.filter(team__isnull=True, end__gt=now())
            .with_taken()
            .order_by("start")[:30]
        ),
        "days": list(ServiceDay.objects.filter(date__gte=today).order_by("date")[:3]),
        "generate_form": GenerateYearForm(),
        "copy_form": CopyPostsForm(),
    }
    # One form per row, each with its own element ids.
    for m in ctx["offers"]:
        m.form = PoolDecisionForm(auto_id=f"offer{m.pk}_%s")
    for day in ctx["days"]:
        day.form = broadcasts.MessageForm(auto_id=f"day{day.pk}_%s")
    return render(request, "volunteers/coordinator.html", ctx)


@login_required
@require_POST
def generate_year(request):
    require_role(request, roles.VOLUNTEER_COORDINATOR)
    form = GenerateYearForm(request.POST)
    if form.is_valid():
        try:
            result = services.generate_service_days(form.cleaned_data["year"], by=request.user)
        except services.PostError as e:
            _error(request, e)
        else:
            messages.success(
                request,
                _("%(days)s service days and %(posts)s posts were created.") % result,
            )
    else:
        messages.error(request, " ".join(form.errors.get("year", [])))
    return redirect("volunteers:coordinator")


@login_required
@require_POST
def copy_posts(request):
    require_role(request, roles.VOLUNTEER_COORDINATOR)
    form = CopyPostsForm(request.POST)
    if form.is_valid():
        source = ServiceDay.objects.filter(date=form.cleaned_data["source"]).first()
        target = ServiceDay.objects.filter(date=form.cleaned_data["target"]).first()
        if source is None or target is None:
            messages.error(request, _("Both dates must be service days."))
        else:
            count = services.copy_posts(source, target, by=request.user)
            messages.success(request, _("%(count)s posts were copied.") % {"count": count})
    else:
        messages.error(request, _("Choose both dates."))
    return redirect("volunteers:coordinator")


@login_required
@require_POST
def day_message(request, day):
    require_role(request, roles.VOLUNTEER_COORDINATOR)
    try:
        day_date = params.parse_date(day)
    except params.BadParameter:
        raise Http404 from None
    service_day = get_object_or_404(ServiceDay, date=day_date)
    signups = (
        Signup.objects.holding_place()
        .filter(post__service_day=service_day)
        .select_related("volunteer")
    )
    # A preview (recipients per channel, text segments), then the worker sends it.
    return broadcasts.respond(
        request,
        source=broadcasts.FROM_VOLUNTEERS,
        title=_("Volunteers of the service day %(date)s") % {"date": day_date.isoformat()},
        recipients=[s.volunteer for s in signups],
        url=reverse("volunteers:my-schedule"),
        back_url=reverse("volunteers:coordinator"),
    )


@login_required
def report(request):
    require_role(request, roles.VOLUNTEER_COORDINATOR)
    form = ReportForm(request.GET or {"year": localdate().year})
    year = form.cleaned_data["year"] if form.is_valid() else localdate().year
    data = reports.build(year)
    fmt = request.GET.get("format")
    if fmt in exports.FORMATS:
        heading = exports.heading(request, _("Volunteer report"), period=exports.year_period(year))
        return reports.download(data, fmt, f"volunteers-{year}", heading)
    return render(request, "volunteers/report.html", {"data": data, "year": year, "form": form})
