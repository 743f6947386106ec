"""The alliance's pages: the public board, residents' requests, staff's triage and projects,
home visits, and partners' view. Views authorise, validate, call one service, then redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance import services, stats
from alliance.access import VISIT_ROLES, is_alliance_staff, my_partners, require_partner
from alliance.forms import (
    AcceptForm,
    CloseForm,
    DeclineForm,
    MergeForm,
    NeedForm,
    ProjectForm,
    RatingForm,
    StaffNeedForm,
    UpdateForm,
    VisitForm,
    VolunteerPostForm,
)
from alliance.models import AllianceSettings, HomeVisit, Need, Project, Rating, Resource
from portal import exports, roles
from portal.access import require_role
from portal.cache import cached, public_page
from portal.lib import params
from portal.lib.charts import Bar, bar_chart
from portal.models import Household

# The public board ------------------------------------------------------------------------------


def _board_data(year: int, language: str) -> dict:
    figures = stats.figures(year)
    categories = stats.needs_by_category(year)
    spread = stats.stars_spread(year)
    return {
        "figures": figures,
        "needs": stats.board_needs(),
        "resources": stats.board_resources(),
        "projects": stats.board_projects(),
        "category_chart": bar_chart(
            [Bar(label, n) for label, n in categories if n],
            title=_("Requests received in %(year)s, by category") % {"year": year},
            empty_text=_("No requests yet this year."),
        ),
        "stars_chart": bar_chart(
            [Bar(_("%(n)s stars") % {"n": s}, n) for s, n in spread],
            title=_("Residents' ratings of completed projects in %(year)s") % {"year": year},
        ),
    }


@public_page("alliance")
def board(request):
    """The public board (公示栏): the three lists, anonymised, and the year's figures. The same
    for everyone: cached until the alliance's content changes."""
    year = timezone.localdate().year
    language = request.LANGUAGE_CODE
    ctx = cached(
        f"alliance:board:{year}:{language}",
        ("alliance", "portal"),
        lambda: _board_data(year, language),
    )
    user = request.user
    ctx = {
        **ctx,
        "year": year,
        "is_staff": is_alliance_staff(user),
        "is_partner": user.is_authenticated and bool(my_partners(user)),
    }
    return render(request, "alliance/board.html", ctx)


@public_page("alliance")
def project_detail(request, pk):
    project = get_object_or_404(stats.projects_with_progress(), pk=pk)
    from fund.models import FundEntry

    ctx = {
        "project": project,
        "spent": FundEntry.objects.for_purpose(project).totals()["spending"],
        "resources": list(project.resources.select_related("partner")),
        "comments": list(
            Rating.objects.filter(project=project)
            .exclude(comment="")
            .only("stars", "comment", "created_at")[:50]
        ),
        "rating_form": None,
        "my_rating": None,
    }
    user = request.user
    if user.is_authenticated and project.state == Project.State.DONE:
        ctx["my_rating"] = Rating.objects.filter(project=project, user=user).first()
        initial = (
            {"stars": ctx["my_rating"].stars, "comment": ctx["my_rating"].comment}
            if ctx["my_rating"]
            else None
        )
        ctx["rating_form"] = RatingForm(initial=initial)
    return render(request, "alliance/project.html", ctx)


@login_required
@require_POST
def rate(request, pk):
    project = get_object_or_404(Project, pk=pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from 1 to 5 stars."))
        return redirect(project)
    try:
        services.rate(
            project,
            user=request.user,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
        )
    except services.AllianceError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Thank you: your rating was saved."))
    return redirect(project)


# Residents ------------------------------------------------------------------------------------


@login_required
def ask(request):
    """Post a need or a micro-wish (no JavaScript needed: one form, a photo optional)."""
    form = NeedForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        need = services.post_need(
            request.user,
            kind=data["kind"],
            category=data["category"],
            title=data["title"],
            description=data["description"],
            photo=data["photo"],
        )
        messages.success(
            request, _("Thank you: we received your request. You are told when it is answered.")
        )
        return redirect(need)
    status = 400 if request.method == "POST" else 200
    return render(request, "alliance/ask.html", {"form": form}, status=status)


@login_required
def my_requests(request):
    needs = (
        Need.objects.filter(author=request.user)
        .select_related("merged_into", "project")
        .order_by("-received_at", "-pk")[:100]
    )
    return render(request, "alliance/my_requests.html", {"needs": needs})


@login_required
def need_detail(request, pk):
    """One of the resident's own requests (staff see any): its state, answer and project."""
    qs = Need.objects.select_related("merged_into", "project", "claimed_by")
    if not is_alliance_staff(request.user):
        qs = qs.filter(author=request.user)
    need = get_object_or_404(qs, pk=pk)
    return render(request, "alliance/need.html", {"need": need})


# Staff: triage ----------------------------------------------------------------------------------


STATE_CODES = {c for c, _label in Need.State.choices}


@login_required
def manage(request):
    """The needs list for staff, newest first, by state; with the counts of each state."""
    require_role(request, roles.ALLIANCE_STAFF)
    state = params.clean_text(request.GET.get("state"), 20) or Need.State.NEW
    if state not in STATE_CODES and state != "all":
        state = Need.State.NEW
    qs = Need.objects.select_related("author", "claimed_by", "project").order_by(
        "-received_at", "-pk"
    )
    if state != "all":
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(params.parse_int(request.GET.get("page"), 1) or 1)
    counts = dict(Need.objects.values("state").annotate(n=Count("pk")).values_list("state", "n"))
    states = [(code, label, counts.get(code, 0)) for code, label in Need.State.choices]
    ctx = {
        "page": page,
        "state": state,
        "states": states,
        "record_form": StaffNeedForm(),
        "year": timezone.localdate().year,
    }
    return render(request, "alliance/manage.html", ctx)


@login_required
def manage_need(request, pk):
    require_role(request, roles.ALLIANCE_STAFF)
    need = get_object_or_404(
        Need.objects.select_related(
            "author", "household", "merged_into", "project", "claimed_by", "home_visit"
        ),
        pk=pk,
    )
    ctx = {
        "need": need,
        "accept_form": AcceptForm(initial={"public_summary": need.public_summary}),
        "decline_form": DeclineForm(),
        "merge_form": MergeForm(),
    }
    return render(request, "alliance/manage_need.html", ctx)


@login_required
@require_POST
def need_answer(request, pk, action):
    require_role(request, roles.ALLIANCE_STAFF)
    need = get_object_or_404(Need, pk=pk)
    forms = {"accept": AcceptForm, "decline": DeclineForm, "merge": MergeForm}
    if action not in forms:
        raise Http404
    form = forms[action](request.POST)
    if not form.is_valid():
        ctx = {
            "need": need,
            "accept_form": form if action == "accept" else AcceptForm(),
            "decline_form": form if action == "decline" else DeclineForm(),
            "merge_form": form if action == "merge" else MergeForm(),
        }
        return render(request, "alliance/manage_need.html", ctx, status=400)
    data = form.cleaned_data
    try:
        if action == "accept":
            services.accept(
                need,
                by=request.user,
                public_summary=data["public_summary"],
                urgency=data.get("urgency") or "",
            )
            messages.success(request, _("Accepted: the resident was told."))
        elif action == "decline":
            services.decline(need, by=request.user, reason=data["reason"])
            messages.success(request, _("Declined: the resident reads the reason."))
        else:
            into = Need.objects.filter(pk=data["into"]).first()
            if into is None:
                raise services.AllianceError(_("There is no request with that number."))
            services.merge(need, into=into, by=request.user)
            messages.success(request, _("Merged: the resident was told which request it joined."))
    except services.AllianceError as e:
        messages.error(request, str(e))
    return redirect("alliance:manage-need", pk=need.pk)


@login_required
@require_POST
def need_record(request):
    """A need from a home visit or a questionnaire, written down by staff."""
    require_role(request, roles.ALLIANCE_STAFF)
    form = StaffNeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was not saved: check the fields below."))
        ctx = {
            "page": Paginator(Need.objects.none(), 30).get_page(1),
            "state": Need.State.NEW,
            "states": [],
            "record_form": form,
            "year": timezone.localdate().year,
        }
        return render(request, "alliance/manage.html", ctx, status=400)
    need = services.record_need(request.user, **form.cleaned_data)
    messages.success(request, _("The request is on the needs list."))
    return redirect("alliance:manage-need", pk=need.pk)


# Staff: projects ---------------------------------------------------------------------------------


@login_required
def projects(request):
    require_role(request, roles.ALLIANCE_STAFF)
    qs = stats.projects_with_progress().order_by("state", "-starts_on", "-pk")
    page = Paginator(qs, 30).get_page(params.parse_int(request.GET.get("page"), 1) or 1)
    return render(request, "alliance/projects.html", {"page": page})


@login_required
def project_new(request):
    require_role(request, roles.ALLIANCE_STAFF)
    wanted = params.parse_int(request.GET.get("need"))
    form = ProjectForm(request.POST or None, initial={"needs": [wanted] if wanted else []})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.create_project(
                request.user,
                title=data["title"],
                plan=data["plan"],
                owner=data["owner"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                budget=data["budget"],
                needs=data["needs"],
                resources=data["resources"],
            )
        except services.AllianceError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The project was created; the residents were told."))
            return redirect("alliance:project-manage", pk=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "alliance/project_new.html", {"form": form}, status=status)


def _project_manage_ctx(project, **forms):
    from fund.forms import FundExpenditureForm
    from fund.models import FundEntry

    return {
        "spending": list(
            FundEntry.objects.for_purpose(project)
            .select_related("proposed_by", "approved_by")
            .order_by("date", "pk")
        ),
        "spend_form": forms.get("spend")
        or FundExpenditureForm(
            initial={"date": timezone.localdate(), "category": FundEntry.Category.PROJECT},
            auto_id="spend_%s",
        ),
        "project": project,
        "needs": list(project.needs.only("pk", "title", "state", "public_summary")),
        "resources": list(project.resources.select_related("partner")),
        "posts": list(project.volunteer_posts.order_by("start")),
        # Four forms on one page: each its own element ids (the field names stay as posted).
        "update_form": forms.get("update") or UpdateForm(auto_id="update_%s"),
        "close_form": forms.get("close") or CloseForm(auto_id="close_%s"),
        "post_form": forms.get("post") or VolunteerPostForm(auto_id="post_%s"),
    }


@login_required
def project_manage(request, pk):
    require_role(request, roles.ALLIANCE_STAFF)
    project = get_object_or_404(stats.projects_with_progress(), pk=pk)
    return render(request, "alliance/project_manage.html", _project_manage_ctx(project))


@login_required
@require_POST
def project_action(request, pk, action):
    require_role(request, roles.ALLIANCE_STAFF)
    project = get_object_or_404(Project, pk=pk)
    from fund import services as fund_services
    from fund.forms import FundExpenditureForm

    forms = {
        "update": UpdateForm,
        "close": CloseForm,
        "post": VolunteerPostForm,
        "spend": FundExpenditureForm,
    }
    if action not in forms:
        raise Http404
    form = forms[action](request.POST, request.FILES, auto_id=f"{action}_%s")
    if not form.is_valid():
        project = stats.projects_with_progress().get(pk=pk)
        ctx = _project_manage_ctx(project, **{action: form})
        return render(request, "alliance/project_manage.html", ctx, status=400)
    data = form.cleaned_data
    try:
        if action == "update":
            services.add_update(project, by=request.user, text=data["text"], photo=data["photo"])
            messages.success(request, _("The progress was added."))
        elif action == "close":
            services.close_project(
                project, by=request.user, outcome=data["outcome"], photo=data["photo"]
            )
            messages.success(request, _("The project is complete; the residents were told."))
        elif action == "spend":
            # Through the fund's own service: someone other than the proposer approves it.
            try:
                fund_services.propose_spending(
                    by=request.user,
                    date=data["date"],
                    amount=data["amount"],
                    category=data["category"],
                    description=data["description"],
                    receipt=data["receipt"],
                    project=project,
                )
            except fund_services.FundError as e:
                raise services.AllianceError(str(e)) from None
            messages.success(request, _("The spending was proposed: a fund manager approves it."))
        else:
            services.add_volunteer_post(
                project,
                by=request.user,
                title=data["title"],
                place=data["place"],
                start=data["starts_at"],
                end=data["ends_at"],
                capacity=data["capacity"],
            )
            messages.success(request, _("Volunteers can now sign up for the task."))
    except services.AllianceError as e:
        messages.error(request, str(e))
    return redirect("alliance:project-manage", pk=project.pk)


# Staff: home visits ----------------------------------------------------------------------------


@login_required
def visits(request):
    """Recent home visits, elders living alone due a visit, and the form to record one."""
    require_role(request, *VISIT_ROLES)
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            household = Household.objects.filter(
                building=data["building"], unit=data["unit"], room=data["room"]
            ).first()
            if household is None:
                form.add_error(None, _("No household is registered at that address."))
            else:
                needs = []
                if data["need_title"]:
                    needs.append(
                        {
                            "category": data["need_category"],
                            "title": data["need_title"],
                            "description": data["need_description"] or data["need_title"],
                        }
                    )
                try:
                    services.record_visit(
                        request.user,
                        household=household,
                        visited_on=data["visited_on"],
                        notes=data["notes"],
                        needs=needs,
                    )
                except services.AllianceError as e:
                    form.add_error(None, str(e))
                else:
                    messages.success(request, _("The visit was recorded."))
                    return redirect("alliance:visits")
    settings_ = AllianceSettings.current()
    due = services.elders_alone_due_a_visit(months=settings_.visit_overdue_months)[:50]
    recent = (
        HomeVisit.objects.select_related("household", "recorded_by")
        .prefetch_related(
            Prefetch("needs", queryset=Need.objects.only("pk", "title", "home_visit_id"))
        )
        .order_by("-visited_on", "-pk")[:30]
    )
    from canteen.reports import check_on_list

    ctx = {
        "form": form,
        "due": list(due),
        "recent": list(recent),
        "months": settings_.visit_overdue_months,
        # Next to it, the canteen's welfare watch: regular elders who stopped coming to eat.
        "stopped_eating": check_on_list(timezone.localdate())[:50],
    }
    return render(request, "alliance/visits.html", ctx, status=status)


# Staff: the yearly figures ----------------------------------------------------------------------


@login_required
def figures_export(request, year, fmt):
    require_role(request, roles.ALLIANCE_STAFF)
    if fmt not in ("csv", "xlsx") or not 2000 <= year <= 2100:
        raise Http404
    f = stats.figures(year)
    figure_rows = [
        (_("Requests received"), f["received"]),
        (_("Requests accepted"), f["accepted"]),
        (_("Requests answered"), f["answered"]),
        (_("Requests met"), f["needs_done"]),
        (_("Median days to an answer"), f["median_days"]),
        (_("Projects completed"), f["projects_done"]),
        (_("Projects under way"), f["projects_running"]),
        (_("Partners active"), f["partners_active"]),
        (_("Ratings given"), f["ratings"]),
        (_("Average rating"), f["avg_stars"]),
        (_("Share of ratings of 4 or 5 stars"), f["satisfied_share"]),
    ]
    start, end = stats.year_bounds(year)
    needs = Need.objects.filter(received_at__gte=start, received_at__lt=end).order_by(
        "received_at", "pk"
    )
    need_rows = (
        (
            n.pk,
            str(stats.NEED_KIND.get(n.kind, n.kind)),
            str(stats.NEED_CATEGORY.get(n.category, n.category)),
            str(stats.NEED_SOURCE.get(n.source, n.source)),
            str(stats.NEED_URGENCY.get(n.urgency, n.urgency)),
            str(stats.NEED_STATE.get(n.state, n.state)),
            n.public_summary or n.title,
            timezone.localtime(n.received_at).date(),
            timezone.localtime(n.answered_at).date() if n.answered_at else None,
            n.days_to_answer,
        )
        for n in needs.only(
            "pk",
            "kind",
            "category",
            "source",
            "urgency",
            "state",
            "public_summary",
            "title",
            "received_at",
            "answered_at",
        ).iterator()
    )
    project_rows = (
        (
            p.pk,
            p.title,
            p.owner.name if p.owner else _("The community"),
            str(stats.PROJECT_STATE.get(p.state, p.state)),
            p.starts_on,
            timezone.localtime(p.closed_at).date() if p.closed_at else None,
            p.budget,
            p.n_needs,
            p.avg_stars,
            p.outcome,
        )
        for p in stats.projects_with_progress(Project.objects.filter(starts_on__year__lte=year))
        .prefetch_related(None)
        .order_by("starts_on", "pk")
    )
    tables = [
        exports.Table(
            _("Figures %(year)s") % {"year": year},
            [exports.Column(_("Figure")), exports.Column(_("Value"), exports.NUMBER)],
            figure_rows,
        ),
        exports.Table(
            _("Requests"),
            [
                exports.Column(_("Number"), exports.INT),
                exports.Column(_("Kind")),
                exports.Column(_("Category")),
                exports.Column(_("Source")),
                exports.Column(_("Urgency")),
                exports.Column(_("State")),
                exports.Column(_("Summary")),
                exports.Column(_("Received"), exports.DATE),
                exports.Column(_("Answered"), exports.DATE),
                exports.Column(_("Days to an answer"), exports.INT),
            ],
            need_rows,
        ),
        exports.Table(
            _("Projects"),
            [
                exports.Column(_("Number"), exports.INT),
                exports.Column(_("Title")),
                exports.Column(_("Run by")),
                exports.Column(_("State")),
                exports.Column(_("Starts on"), exports.DATE),
                exports.Column(_("Completed on"), exports.DATE),
                exports.Column(_("Budget (yuan)"), exports.MONEY),
                exports.Column(_("Requests met"), exports.INT),
                exports.Column(_("Average rating"), exports.NUMBER),
                exports.Column(_("Outcome")),
            ],
            project_rows,
        ),
    ]
    return exports.download(tables, fmt, f"alliance-figures-{year}")


# Partners ---------------------------------------------------------------------------------------


@login_required
def partner(request):
    """A partner's contact person: open needs (anonymised), their organisation's resources and
    projects, and what their organisation claimed."""
    partners = require_partner(request)
    ids = [p.pk for p in partners]
    shown = stats.buildings_large_enough()
    open_needs = (
        Need.objects.open()
        .select_related("claimed_by")
        .only(*stats._public_need_fields(), "claimed_by__name")
        .order_by("-received_at", "-pk")[:60]
    )
    ctx = {
        "partners": partners,
        "needs": stats.anonymise(open_needs, shown, with_claim=True),
        "mine": stats.anonymise(
            Need.objects.filter(claimed_by_id__in=ids)
            .select_related("claimed_by")
            .only(*stats._public_need_fields(), "claimed_by__name")
            .order_by("-claimed_at")[:60],
            shown,
            with_claim=True,
        ),
        "resources": list(
            Resource.objects.filter(partner_id__in=ids)
            .select_related("partner")
            .order_by("partner__name", "title")
        ),
        "projects": list(
            stats.projects_with_progress(
                Project.objects.filter(
                    Q(owner_id__in=ids)
                    | Q(
                        pk__in=Project.resources.through.objects.filter(
                            resource__partner_id__in=ids
                        ).values("project_id")
                    )
                )
            ).order_by("state", "-starts_on")[:30]
        ),
        "partner_ids": ids,
    }
    return render(request, "alliance/partner.html", ctx)


@login_required
@require_POST
def claim(request, pk):
    partners = require_partner(request)
    need = get_object_or_404(Need, pk=pk)
    chosen = params.parse_int(request.POST.get("partner"), partners[0].pk)
    partner_ = next((p for p in partners if p.pk == chosen), None)
    if partner_ is None:
        raise Http404
    try:
        services.claim(need, partner=partner_, user=request.user)
    except services.AllianceError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            _("Claimed for %(partner)s: the community will be in touch.") % {"partner": partner_},
        )
    return redirect("alliance:partner")
