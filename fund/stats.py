"""The micro-fund's figures: the public overview (cached, no personal data) and the statement of
a period for its managers. Fixed query counts."""

from django.utils.translation import gettext as _

from fund.models import FundEntry
from portal.cache import cached


def fund_overview() -> dict:
    """What the fund's public page shows: totals, the last twelve months, the categories, the
    projects paid and the recent income.

    Cached: the aggregates read the whole ledger. No personal data: donors are named only if they
    agreed (`public_source`), proposers and approvers never.
    """
    return cached("fund:overview", ("fund",), _fund_overview)


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
