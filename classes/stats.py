"""Figures. For everyone (cached, no personal data): the classroom's all-time totals and the
micro-fund's public overview. For staff: class-hour statistics (hours delivered, children reached
and attendance rates by course, institution or term) and the micro-fund statement of a period.
Fixed query counts."""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from classes.models import Attendance, ClassSession, FundEntry
from portal.cache import cached

# Grouping → (path from a session to the group's key, paths to its label's parts).
GROUPINGS = {
    "course": ("course_id", ("course__title", "course__term__name")),
    "institution": ("course__institution_id", ("course__institution__name",)),
    "term": ("course__term_id", ("course__term__name",)),
}

ATTENDED = Q(mark__in=Attendance.ATTENDED)


def totals() -> dict:
    """All-time figures for the public classroom page (no personal data).

    Cached: counting the children reached reads nearly every attendance mark, which no index
    makes cheap, and the figures change only when a register is taken.
    """
    return cached("classes:totals", ("classes",), _totals)


def _totals() -> dict:
    hours = ClassSession.objects.total_hours().quantize(Decimal("0.01"))
    held = ClassSession.objects.held().count()
    children = Attendance.objects.filter(ATTENDED).values("enrolment__child_id").distinct().count()
    return {"hours": hours, "sessions": held, "children": children}


def fund_overview() -> dict:
    """What the fund's public page shows: totals, the last twelve months, the categories, the
    projects paid and the recent income.

    Cached: the aggregates read the whole ledger. No personal data: donors are named only if they
    agreed (`public_source`), proposers and approvers never.
    """
    return cached("classes:fund-overview", ("classes",), _fund_overview)


def _fund_overview() -> dict:
    return {
        **FundEntry.objects.totals(),
        "by_month": list(FundEntry.objects.by_month()),
        "by_category": FundEntry.objects.by_category(),
        "projects": list(
            FundEntry.objects.filter(
                kind=FundEntry.Kind.EXPENDITURE,
                status=FundEntry.Status.PAID,
                reverses__isnull=True,
                reversed_by__isnull=True,
            )
            .order_by("-date", "-id")
            .values("date", "description", "amount")[:20]
        ),
        # Plain rows: a donor who did not agree to be named is not even kept in the cache.
        "recent_income": [
            {
                "date": e.date,
                "public_source": e.public_source,
                "amount": e.amount,
                "is_reversal": e.is_reversal,
                "corrects": e.reverses.date if e.reverses_id else None,
            }
            for e in FundEntry.objects.filter(
                kind=FundEntry.Kind.INCOME, status=FundEntry.Status.POSTED
            )
            .select_related("reverses")
            .only(
                "date",
                "description",
                "donor_name",
                "donor_is_public",
                "amount",
                "reverses__date",
            )
            .order_by("-date", "-id")[:10]
        ],
    }


def rows(grouping: str) -> list[dict]:
    """One row per course, institution or term: sessions held, hours, children, attendance %."""
    key, labels = GROUPINGS[grouping]
    sessions = (
        ClassSession.objects.held()
        .values(key, *labels)
        .annotate(sessions=Count("id"), hours=Sum("hours"))
        .order_by(*labels)
    )
    attendance = {
        row[f"session__{key}"]: row
        for row in Attendance.objects.filter(session__status=ClassSession.Status.HELD)
        .values(f"session__{key}")
        .annotate(
            marks=Count("id"),
            attended=Count("id", filter=ATTENDED),
            children=Count("enrolment__child", filter=ATTENDED, distinct=True),
        )
        .order_by()
    }
    result = []
    for row in sessions:
        att = attendance.get(row[key], {})
        marks = att.get("marks", 0)
        rate = (
            (Decimal(att.get("attended", 0)) * 100 / marks).quantize(Decimal("0.1"))
            if marks
            else None
        )
        result.append(
            {
                "name": " · ".join(row[label] for label in labels if row[label]) or "—",
                "sessions": row["sessions"],
                "hours": (row["hours"] or Decimal(0)).quantize(Decimal("0.01")),
                "children": att.get("children", 0),
                "rate": rate,
            }
        )
    return result


def fund_statement(start, end) -> tuple[list, list[list]]:
    """The ledger of a period for staff: opening balance, every entry (donors named), closing."""
    opening = FundEntry.objects.filter(date__lt=start).balance()
    entries = (
        FundEntry.objects.filter(date__range=(start, end))
        .select_related("proposed_by", "approved_by")
        .order_by("date", "id")
    )
    header = [
        _("Date"),
        _("Kind"),
        _("Category"),
        _("Source or purpose"),
        _("Status"),
        _("Amount (yuan)"),
        _("Balance (yuan)"),
        _("Recorded or proposed by"),
        _("Approved by"),
        _("Reason for the correction"),
    ]
    data = [["", "", "", _("Opening balance"), "", "", opening, "", "", ""]]
    balance = opening
    for e in entries:
        signed = e.amount if e.kind == FundEntry.Kind.INCOME else -e.amount
        if e.counts:
            balance += signed
        data.append(
            [
                e.date,
                e.get_kind_display(),
                e.get_category_display(),
                e.public_source if not e.donor_name else f"{e.description} · {e.donor_name}",
                e.get_status_display(),
                signed,
                balance,
                e.proposed_by.display_name,
                e.approved_by.display_name if e.approved_by else "",
                e.reason,
            ]
        )
    data.append(["", "", "", _("Closing balance"), "", "", balance, "", "", ""])
    return header, data
