"""What the public board and the yearly export show: the three lists, anonymised, and the
year's figures. Each function runs a fixed number of queries, however many rows there are."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from alliance.models import AllianceSettings, Need, Project, ProjectUpdate, Rating, Resource
from portal.models import Household, Partner

BOARD_NEEDS = 40
BOARD_PROJECTS = 30
BOARD_RESOURCES = 60

NEED_CATEGORY = dict(Need.Category.choices)
NEED_STATE = dict(Need.State.choices)
NEED_KIND = dict(Need.Kind.choices)
NEED_URGENCY = dict(Need.Urgency.choices)
NEED_SOURCE = dict(Need.Source.choices)
RESOURCE_KIND = dict(Resource.Kind.choices)
PROJECT_STATE = dict(Project.State.choices)


@dataclass(frozen=True)
class PublicNeed:
    """A need as the public and partners see it: no author, no household, no address, and the
    building only where enough households live for nobody to tell which one asked."""

    pk: int
    kind: str
    category: str
    summary: str
    urgency: str
    urgency_code: str
    state: str
    state_code: str
    received_on: date
    building: str
    claimed: bool
    claimed_by_name: str


def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date(year, 1, 1), time.min, tz),
        datetime.combine(date(year + 1, 1, 1), time.min, tz),
    )


def buildings_large_enough(min_households: int | None = None) -> set[str]:
    """Buildings with at least N households (the alliance setting): one grouped query."""
    n = min_households or AllianceSettings.current().board_min_households
    return set(
        Household.objects.exclude(building="")
        .values("building")
        .annotate(n=Count("pk"))
        .filter(n__gte=n)
        .values_list("building", flat=True)
    )


def anonymise(needs, shown_buildings: set[str], *, with_claim=False) -> list[PublicNeed]:
    """PublicNeeds from needs (with `claimed_by` selected when `with_claim`)."""
    rows = []
    for need in needs:
        category = str(NEED_CATEGORY.get(need.category, need.category))
        rows.append(
            PublicNeed(
                pk=need.pk,
                kind=str(NEED_KIND.get(need.kind, need.kind)),
                category=category,
                # The resident's own words may name people or homes: only staff's summary.
                summary=need.public_summary or category,
                urgency=str(NEED_URGENCY.get(need.urgency, need.urgency)),
                urgency_code=need.urgency,
                state=str(NEED_STATE.get(need.state, need.state)),
                state_code=need.state,
                received_on=timezone.localtime(need.received_at).date(),
                building=need.building if need.building in shown_buildings else "",
                claimed=need.claimed_by_id is not None,
                claimed_by_name=need.claimed_by.name if with_claim and need.claimed_by else "",
            )
        )
    return rows


def _public_need_fields():
    # Only what anonymise() reads: the author, household and description never leave the
    # database for a public page.
    return [
        "pk",
        "kind",
        "category",
        "public_summary",
        "urgency",
        "state",
        "received_at",
        "building",
        "claimed_by_id",
    ]


def board_needs(limit: int = BOARD_NEEDS) -> list[PublicNeed]:
    needs = Need.objects.on_board().only(*_public_need_fields()).order_by("-received_at", "-pk")
    return anonymise(needs[:limit], buildings_large_enough())


def board_resources(limit: int = BOARD_RESOURCES) -> list[Resource]:
    return list(
        Resource.objects.current()
        .filter(partner__is_active=True)
        .select_related("partner")
        .only(
            "kind",
            "title",
            "quantity",
            "unit",
            "hours",
            "valid_until",
            "conditions",
            "partner__name",
            "partner__kind",
        )
        .order_by("kind", "partner__name", "title")[:limit]
    )


def projects_with_progress(qs=None):
    """Projects with their owner, the number of needs they meet, their latest updates, their
    rating: one query for the projects, one for the updates."""
    qs = Project.objects.all() if qs is None else qs
    return (
        qs.select_related("owner")
        .annotate(
            n_needs=Count("needs", distinct=True),
            avg_stars=Avg("ratings__stars"),
            n_ratings=Count("ratings", distinct=True),
        )
        .prefetch_related(
            Prefetch("updates", queryset=ProjectUpdate.objects.order_by("-created_at", "-pk"))
        )
    )


def board_projects(limit: int = BOARD_PROJECTS) -> list[Project]:
    return list(projects_with_progress().order_by("state", "-starts_on", "-pk")[:limit])


def figures(year: int) -> dict:
    """The year's figures: needs received, accepted and answered, the median days to an
    answer, projects done, partners active, residents' satisfaction. Four queries."""
    start, end = year_bounds(year)
    received = Need.objects.filter(received_at__gte=start, received_at__lt=end)
    counts = received.aggregate(
        received=Count("pk"),
        accepted=Count(
            "pk",
            filter=Q(state__in=[Need.State.ACCEPTED, Need.State.IN_PROJECT, Need.State.DONE]),
        ),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        done=Count("pk", filter=Q(state=Need.State.DONE)),
    )
    waits = [
        (answered - got).total_seconds() / 86400
        for got, answered in received.filter(answered_at__isnull=False).values_list(
            "received_at", "answered_at"
        )
    ]
    projects = Project.objects.aggregate(
        done=Count(
            "pk", filter=Q(state=Project.State.DONE, closed_at__gte=start, closed_at__lt=end)
        ),
        running=Count("pk", filter=~Q(state=Project.State.DONE)),
    )
    active_partners = (
        Partner.objects.filter(is_active=True)
        .filter(
            Exists(Resource.objects.filter(partner=OuterRef("pk"), is_active=True))
            | Exists(
                Project.objects.filter(owner=OuterRef("pk")).filter(
                    Q(closed_at__isnull=True) | Q(closed_at__gte=start)
                )
            )
        )
        .count()
    )
    ratings = Rating.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        n=Count("pk"), avg=Avg("stars"), satisfied=Count("pk", filter=Q(stars__gte=4))
    )
    return {
        "year": year,
        "received": counts["received"],
        "accepted": counts["accepted"],
        "answered": counts["answered"],
        "needs_done": counts["done"],
        "median_days": round(statistics.median(waits), 1) if waits else None,
        "projects_done": projects["done"],
        "projects_running": projects["running"],
        "partners_active": active_partners,
        "ratings": ratings["n"],
        "avg_stars": round(ratings["avg"], 1) if ratings["avg"] is not None else None,
        "satisfied_share": (ratings["satisfied"] / ratings["n"]) if ratings["n"] else None,
    }


def needs_by_category(year: int) -> list[tuple[str, int]]:
    """(category label, needs received in the year), in the choices' order, all categories."""
    start, end = year_bounds(year)
    found = dict(
        Need.objects.filter(received_at__gte=start, received_at__lt=end)
        .values("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    return [(str(label), found.get(code, 0)) for code, label in Need.Category.choices]


def stars_spread(year: int) -> list[tuple[int, int]]:
    """(stars, ratings given in the year) for 5 down to 1."""
    start, end = year_bounds(year)
    found = dict(
        Rating.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("stars")
        .annotate(n=Count("pk"))
        .values_list("stars", "n")
    )
    return [(stars, found.get(stars, 0)) for stars in range(5, 0, -1)]
