"""Figures. For everyone (cached, no personal data): the classroom's all-time totals. For staff:
class-hour statistics (hours delivered, children reached and attendance rates by course,
institution or term). Fixed query counts. (The micro-fund's figures are in `fund.stats`.)"""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from classes.models import Attendance, ClassSession
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
