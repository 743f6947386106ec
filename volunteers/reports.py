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
    month_totals = [sum((r[i + 1] for r in hours_rows), Decimal("0")) for i in range(12)]
    hours_rows.append([_("Total"), *month_totals, sum(month_totals, Decimal("0"))])

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
        rate = f"{row['attended'] * 100 // row['places']}%" if row["places"] else "—"
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
    return {
        "year": year,
        "tables": [
            {
                "key": "hours",
                "title": _("Hours per team and month"),
                "headers": [_("Team"), *month_labels, _("Total")],
                "rows": hours_rows,
            },
            {
                "key": "attendance",
                "title": _("Attendance and no-shows"),
                "headers": [
                    _("Team"),
                    _("Places taken"),
                    _("Attended"),
                    _("No-shows"),
                    _("Attendance rate"),
                ],
                "rows": attendance_rows,
            },
            {
                "key": "output",
                "title": _("Service output"),
                "headers": [
                    _("Team"),
                    _("Posts"),
                    _("Residents served"),
                    _("Items repaired"),
                    _("Meals delivered"),
                ],
                "rows": output_rows,
            },
            {
                "key": "new",
                "title": _("New volunteers"),
                "headers": [*month_labels, _("Total")],
                "rows": [[*(new.get(m, 0) for m in MONTHS), sum(new.values())]],
            },
        ],
    }


def download(data: dict, fmt: str, filename: str) -> HttpResponse:
    """The report as CSV (one block per table) or Excel (one sheet per table)."""
    tables = [
        exports.Table(table["title"], table["headers"], table["rows"]) for table in data["tables"]
    ]
    return exports.download(tables, fmt, filename)
