"""Workflows of the party-building alliance: a resident's need from post to answer, partners'
claims, projects from pairing to outcome, ratings and home visits. Each runs in one transaction,
locks the rows it decides on and raises `AllianceError` with a translated message."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import AllianceSettings, HomeVisit, Need, Project, ProjectUpdate, Rating
from portal import roles
from portal.cache import changed as cache_changed
from portal.models import Household, HouseholdMember
from portal.notices import Kind, notify, notify_role
from volunteers import services as volunteer_services
from volunteers.models import Source as VolunteerSource

# What a resident is told when their need moves on (in their language, see portal.notices).
STATE_NOTICES = {
    Need.State.ACCEPTED: gettext_lazy("Your request “%(title)s” was accepted."),
    Need.State.IN_PROJECT: gettext_lazy(
        "Your request “%(title)s” is being met by the project “%(project)s”."
    ),
    Need.State.DONE: gettext_lazy("Your request “%(title)s” was met: the project is complete."),
    Need.State.DECLINED: gettext_lazy(
        "Your request “%(title)s” was not taken up. The reason: %(reason)s"
    ),
    Need.State.MERGED: gettext_lazy(
        "Your request “%(title)s” joined a similar request: “%(into)s”."
    ),
}

MAX_TITLE = Need._meta.get_field("title").max_length
MAX_TEXT = 2000


class AllianceError(Exception):
    """An alliance action that is refused; the message is translated and shown to the user."""


def _changed():
    cache_changed("alliance")


def _tell(need: Need, state: str, **params) -> None:
    """Tell the need's author (if any, and still active) that it moved on."""
    author = need.author
    if author is None or not author.is_active:
        return
    notify(
        author,
        Kind.OTHER,
        STATE_NOTICES[state],
        need.get_absolute_url(),
        params={"title": need.title, **params},
        key=f"alliance:need:{need.pk}:{state}",
    )


def _locked(need: Need) -> Need:
    return Need.objects.select_for_update(of=("self",)).select_related("author").get(pk=need.pk)


# Needs ----------------------------------------------------------------------------------------


@transaction.atomic
def post_need(
    author, *, kind, category, title, description, photo=None, urgency=Need.Urgency.NORMAL
) -> Need:
    """A resident's own need or micro-wish; their household and building are kept privately."""
    need = Need.objects.create(
        kind=kind,
        category=category,
        title=title.strip()[:MAX_TITLE],
        description=description.strip()[:MAX_TEXT],
        photo=photo or "",
        urgency=urgency,
        source=Need.Source.RESIDENT,
        author=author,
        household_id=author.household_id,
        building=author.building,
        received_at=timezone.now(),
    )
    # Waiting for alliance staff: in their inbox (the request's words stay on the staff page).
    notify_role(
        roles.ALLIANCE_STAFF,
        Kind.TO_DECIDE,
        gettext_lazy("A resident posted a request (%(kind)s) that waits for an answer."),
        reverse("alliance:manage-need", args=[need.pk]),
        params={"kind": Need.Kind(need.kind).label},
        exclude=author,
    )
    _changed()
    return need


@transaction.atomic
def record_need(
    by,
    *,
    source,
    category,
    title,
    description,
    kind=Need.Kind.NEED,
    urgency=Need.Urgency.NORMAL,
    household=None,
    building="",
    home_visit=None,
    received_at=None,
) -> Need:
    """A need staff write down: heard on a home visit or read in a questionnaire's answers."""
    if source == Need.Source.RESIDENT:
        raise AllianceError(_("A resident posts their own need; choose where this one came from."))
    need = Need.objects.create(
        kind=kind,
        category=category,
        title=title.strip()[:MAX_TITLE],
        description=description.strip()[:MAX_TEXT],
        urgency=urgency,
        source=source,
        household=household,
        building=building or (household.building if household else ""),
        home_visit=home_visit,
        received_at=received_at or timezone.now(),
    )
    _changed()
    return need


def _answer(need: Need, by, at: datetime, fields: list[str]) -> None:
    if need.answered_at is None:
        need.answered_at = max(at, need.received_at)
        need.answered_by = by
        fields += ["answered_at", "answered_by"]
    need.save(update_fields=fields)


@transaction.atomic
def accept(need: Need, *, by, public_summary: str = "", urgency: str = "") -> Need:
    """Take a new need up (with staff's public summary and urgency); the resident is told."""
    need = _locked(need)
    if need.state != Need.State.NEW:
        raise AllianceError(_("Only a new request can be accepted."))
    need.state = Need.State.ACCEPTED
    fields = ["state"]
    if public_summary.strip():
        need.public_summary = public_summary.strip()[:120]
        fields.append("public_summary")
    if urgency in Need.Urgency.values:
        need.urgency = urgency
        fields.append("urgency")
    _answer(need, by, timezone.now(), fields)
    _tell(need, Need.State.ACCEPTED)
    _changed()
    return need


@transaction.atomic
def decline(need: Need, *, by, reason: str) -> Need:
    """Turn a need down with the reason the resident reads (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise AllianceError(_("Say why: the resident reads the reason."))
    need = _locked(need)
    if not need.is_open:
        raise AllianceError(_("Only a request not yet in a project can be declined."))
    need.state = Need.State.DECLINED
    need.reason = reason[:1000]
    _answer(need, by, timezone.now(), ["state", "reason"])
    _tell(need, Need.State.DECLINED, reason=need.reason)
    _changed()
    return need


@transaction.atomic
def merge(need: Need, *, into: Need, by) -> Need:
    """Join a need to a similar one (which goes on): the merged one points to it."""
    if into.pk == need.pk:
        raise AllianceError(_("A request cannot be merged into itself."))
    # Lock both in id order, so two merges the other way round cannot deadlock.
    locked = {
        n.pk: n
        for n in Need.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(pk__in=[need.pk, into.pk])
        .order_by("pk")
    }
    need, into = locked[need.pk], locked[into.pk]
    if not need.is_open:
        raise AllianceError(_("Only a request not yet in a project can be merged."))
    if into.state in (Need.State.DECLINED, Need.State.MERGED):
        raise AllianceError(_("Merge into a request that goes on, not a declined or merged one."))
    need.state = Need.State.MERGED
    need.merged_into = into
    need.claimed_by = None
    need.claimed_at = None
    _answer(need, by, timezone.now(), ["state", "merged_into", "claimed_by", "claimed_at"])
    _tell(need, Need.State.MERGED, into=into.public_summary or into.title)
    _changed()
    return need


@transaction.atomic
def claim(need: Need, *, partner, user) -> Need:
    """A partner's contact claims an open need for their organisation: the first claim wins."""
    if partner.contact_user_id != user.pk or not partner.is_active:
        raise AllianceError(_("Only your organisation's contact person may claim for it."))
    need = _locked(need)  # two partners at the same second: the second waits here, then sees it
    if not need.is_open:
        raise AllianceError(_("This request is no longer open."))
    if need.claimed_by_id is not None:
        if need.claimed_by_id == partner.pk:
            raise AllianceError(_("Your organisation has already claimed this request."))
        raise AllianceError(_("Another organisation claimed this request first."))
    need.claimed_by = partner
    need.claimed_at = timezone.now()
    need.save(update_fields=["claimed_by", "claimed_at"])
    _changed()
    return need


# Projects -------------------------------------------------------------------------------------


@transaction.atomic
def create_project(
    by,
    *,
    title,
    plan,
    starts_on,
    needs,
    resources=(),
    owner=None,
    ends_on=None,
    budget=0,
) -> Project:
    """Pair accepted needs with resources into a project; the residents are told."""
    if not title.strip() or not plan.strip():
        raise AllianceError(_("A project needs a title and a plan."))
    if ends_on is not None and ends_on < starts_on:
        raise AllianceError(_("A project must end after it starts."))
    if budget < 0:
        raise AllianceError(_("A budget cannot be negative."))
    needs = list(
        Need.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(pk__in=[n.pk for n in needs])
        .order_by("pk")
    )
    if not needs:
        raise AllianceError(_("Choose at least one request the project meets."))
    if any(n.state != Need.State.ACCEPTED for n in needs):
        raise AllianceError(_("Only accepted requests can go into a project."))
    resources = list(resources)
    if owner is not None and not owner.is_active:
        raise AllianceError(_("The organisation running the project must be an active partner."))
    project = Project.objects.create(
        title=title.strip()[:100],
        plan=plan.strip()[:4000],
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        created_by=by,
    )
    project.resources.set(resources)
    for need in needs:
        need.state = Need.State.IN_PROJECT
        need.project = project
        need.save(update_fields=["state", "project"])
        _tell(need, Need.State.IN_PROJECT, project=project.title)
    _changed()
    return project


@transaction.atomic
def add_update(project: Project, *, by, text: str, photo=None) -> ProjectUpdate:
    """Progress on a project; a planned project is then under way."""
    text = (text or "").strip()
    if not text:
        raise AllianceError(_("Write what happened."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.state == Project.State.DONE:
        raise AllianceError(_("This project is complete."))
    update = ProjectUpdate.objects.create(
        project=project, text=text[:MAX_TEXT], photo=photo or "", created_by=by
    )
    if project.state == Project.State.PLANNED:
        project.state = Project.State.RUNNING
        project.save(update_fields=["state"])
    _changed()
    return update


@transaction.atomic
def close_project(project: Project, *, by, outcome: str, photo=None) -> Project:
    """Complete a project: only with its outcome written. Its needs are done; residents told."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise AllianceError(_("Write the project's outcome before completing it."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.state == Project.State.DONE:
        raise AllianceError(_("This project is complete."))
    at = timezone.now()
    if photo:
        ProjectUpdate.objects.create(
            project=project, text=outcome[:MAX_TEXT], photo=photo, created_by=by
        )
    project.state = Project.State.DONE
    project.outcome = outcome[:4000]
    project.closed_at = at
    project.save(update_fields=["state", "outcome", "closed_at"])
    for need in (
        Need.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(project=project, state=Need.State.IN_PROJECT)
        .order_by("pk")
    ):
        need.state = Need.State.DONE
        need.done_at = at
        need.save(update_fields=["state", "done_at"])
        _tell(need, Need.State.DONE)
    _changed()
    return project


def add_volunteer_post(project: Project, *, by, title, place, start, end, capacity, description=""):
    """Ask for volunteers for a project, through the volunteers module's own service."""
    if project.state == Project.State.DONE:
        raise AllianceError(_("This project is complete."))
    with transaction.atomic():
        try:
            post = volunteer_services.create_post(
                title=title,
                place=place,
                start=start,
                end=end,
                capacity=capacity,
                description=description,
                source=f"{VolunteerSource.ALLIANCE_PROJECT}{project.pk}",
                created_by=by,
            )
        except volunteer_services.VolunteerError as e:
            raise AllianceError(str(e)) from None
        project.volunteer_posts.add(post)
    _changed()
    return post


@transaction.atomic
def rate(project: Project, *, user, stars, comment: str = "") -> Rating:
    """A resident's rating of a completed project; rating again replaces their first one."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise AllianceError(_("Choose from 1 to 5 stars.")) from None
    if not 1 <= stars <= 5:
        raise AllianceError(_("Choose from 1 to 5 stars."))
    if not Project.objects.filter(pk=project.pk, state=Project.State.DONE).exists():
        raise AllianceError(_("Projects are rated once they are complete."))
    values = {
        "stars": stars,
        "comment": (comment or "").strip()[:1000],
        "created_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            rating, _created = Rating.objects.update_or_create(
                project=project, user=user, defaults=values
            )
    except IntegrityError:  # the same person rating twice at once: the other one is kept, updated
        rating = Rating.objects.get(project=project, user=user)
        Rating.objects.filter(pk=rating.pk).update(**values)
    _changed()
    return rating


# Home visits ----------------------------------------------------------------------------------


@transaction.atomic
def record_visit(by, *, household, visited_on, visitors=(), notes="", needs=()) -> HomeVisit:
    """A home visit; each need heard there (dicts of Need fields) goes on the needs list."""
    if visited_on > timezone.localdate():
        raise AllianceError(_("A visit cannot be recorded before it happens."))
    visit = HomeVisit.objects.create(
        household=household, visited_on=visited_on, notes=(notes or "")[:4000], recorded_by=by
    )
    visit.visitors.set(list(visitors) or [by])
    received = timezone.make_aware(datetime.combine(visited_on, datetime.min.time()))
    received = min(received, timezone.now())
    for fields in needs:
        record_need(
            by,
            source=Need.Source.HOME_VISIT,
            household=household,
            home_visit=visit,
            received_at=received,
            **fields,
        )
    _changed()
    return visit


def _years_before(day, years: int):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


ELDER_AGE = 60


def elders_alone_due_a_visit(today=None, *, months=None):
    """Households of one current member aged 60 or over, not visited for `months` months (the
    alliance setting): oldest visit (or none) first. One query."""
    today = today or timezone.localdate()
    months = months or AllianceSettings.current().visit_overdue_months
    born_by = _years_before(today, ELDER_AGE)
    since = today - timedelta(days=round(months * 30.44))
    members = HouseholdMember.objects.current().filter(household=OuterRef("pk"))
    elders = members.annotate(born=Coalesce("user__birth_date", "birth_date")).filter(
        born__lte=born_by
    )
    return (
        Household.objects.annotate(
            n_members=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            last_visit=Max("home_visits__visited_on"),
        )
        .filter(n_members=1)
        .filter(Exists(elders))
        .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=since))
        .order_by(F("last_visit").asc(nulls_first=True), "building", "unit", "room")
    )
