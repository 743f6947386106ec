"""The coordinator's yearly report: hours, attendance, no-shows, new volunteers, output."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.http import HttpResponse
from django.utils.timezone import now
from django.utils.translation import gettext as _

from portal import exports
from volunteers.models import HoursEntry, Post, Signup, Team, VolunteerProfile

MONTHS = list(range(1, 13))


def build(year: int) -> dict:
    """Every table of the report as headers + rows of plain values (a fixed number of queries)."""
    teams = list(Team.objects.order_by("sort_order", "name"))
    names = {t.pk: t.name for t in teams}
    no_team = _("Other modules / no team")

    hours = defaultdict(dict)
    for team_id, month, total in (
        HoursEntry.objects.filter(served_on__year=year)
        .annotate(month=ExtractMonth("served_on"))
        .values("team", "month")
        .annotate(total=Sum("hours"))
        .values_list("team", "month", "total")
    ):
        hours[team_id][month] = total
    hours_rows = []
    for team_id in [t.pk for t in teams] + [None]:
        months = [hours[team_id].get(m, Decimal("0")) for m in MONTHS]
        if team_id is None and not any(months):
            continue
        hours_rows.append([names.get(team_id, no_team), *months, sum(months, Decimal("0"))])

    attendance = {
        row["post__team"]: row
        for row in Signup.objects.filter(
            post__start__year=year, post__start__lt=now(), status=Signup.Status.CONFIRMED
        )
        .values("post__team")
        .annotate(
            places=Count("id"),
            attended=Count("id", filter=Q(attendance=Signup.Attendance.ATTENDED)),
            no_shows=Count("id", filter=Q(attendance=Signup.Attendance.NO_SHOW)),
        )
    }
    attendance_rows = []
    for team_id in [t.pk for t in teams] + [None]:
        row = attendance.get(team_id)
        if row is None:
            if team_id is None:
                continue
            row = {"places": 0, "attended": 0, "no_shows": 0}
        rate = exports.Percent(Decimal(row["attended"]) / row["places"]) if row["places"] else None
        attendance_rows.append(
            [names.get(team_id, no_team), row["places"], row["attended"], row["no_shows"], rate]
        )

    output = {
        row["team"]: row
        for row in Post.objects.filter(start__year=year)
        .values("team")
        .annotate(
            posts=Count("id"),
            residents=Sum("residents_served"),
            repaired=Sum("items_repaired"),
            meals=Sum("meals_delivered"),
        )
    }
    output_rows = []
    for team_id in [t.pk for t in teams] + [None]:
        row = output.get(team_id)
        if row is None:
            continue
        output_rows.append(
            [
                names.get(team_id, no_team),
                row["posts"],
                row["residents"] or 0,
                row["repaired"] or 0,
                row["meals"] or 0,
            ]
        )

    new = dict(
        VolunteerProfile.objects.filter(created_at__year=year)
        .annotate(month=ExtractMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    month_labels = [_("Month %(month)s") % {"month": m} for m in MONTHS]
    places = sum(r[1] for r in attendance_rows)
    attended = sum(r[2] for r in attendance_rows)
    tables = [
        {
            "key": "hours",
            "title": _("Hours per team and month"),
            "columns": [
                exports.Column(_("Team")),
                *(exports.Column(label, exports.NUMBER, total=True) for label in month_labels),
                exports.Column(_("Total"), exports.NUMBER, total=True),
            ],
            "rows": hours_rows,
        },
        {
            "key": "attendance",
            "title": _("Attendance and no-shows"),
            "columns": [
                exports.Column(_("Team")),
                exports.Column(_("Places taken"), exports.INT, total=True),
                exports.Column(_("Attended"), exports.INT, total=True),
                exports.Column(_("No-shows"), exports.INT, total=True),
                exports.Column(_("Attendance rate"), exports.PERCENT),
            ],
            "rows": attendance_rows,
            # The year's rate over all teams (not a sum of rates).
            "given": {4: exports.Percent(Decimal(attended) / places)} if places else None,
        },
        {
            "key": "output",
            "title": _("Service output"),
            "columns": [
                exports.Column(_("Team")),
                exports.Column(_("Posts"), exports.INT, total=True),
                exports.Column(_("Residents served"), exports.INT, total=True),
                exports.Column(_("Items repaired"), exports.INT, total=True),
                exports.Column(_("Meals delivered"), exports.INT, total=True),
            ],
            "rows": output_rows,
        },
        {
            # One row, whose last column is already the year's total.
            "key": "new",
            "title": _("New volunteers"),
            "columns": [
                *(exports.Column(label, exports.INT) for label in month_labels),
                exports.Column(_("Total"), exports.INT),
            ],
            "rows": [[*(new.get(m, 0) for m in MONTHS), sum(new.values())]],
        },
    ]
    for table in tables:
        table["headers"] = [c.header for c in table["columns"]]
        table["totals"] = (
            exports.totals_row(table["columns"], table["rows"], table.get("given"))
            if table["rows"]
            else None
        )
    return {"year": year, "tables": tables}


def download(data: dict, fmt: str, filename: str, heading=None) -> HttpResponse:
    """The report as CSV (one block per table) or Excel (one sheet per table), each table with
    the totals row the page shows."""
    tables = [
        exports.Table(table["title"], table["columns"], table["rows"], table.get("given"))
        for table in data["tables"]
    ]
    return exports.download(tables, fmt, filename, heading)
