"""The monthly subsidy settlement: totals per funder, the subsidised meals, CSV and Excel.

Built on `values()` rows and database aggregates so 10,000 meals render and export quickly
(see canteen/benchmarks/settlement.py). Love meals are listed apart and never enter a funder's
claim for ordinary meals.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext as _

from canteen.models import (
    CanteenSettings,
    ClosedMonth,
    Funder,
    LoveMealDelivery,
    MealRecord,
    SubsidyLine,
    SubsidyRule,
)
from portal import exports
from portal.cache import cached
from portal.ledgers import ExactSum
from portal.lib.money import yuan
from portal.models import HouseholdMember

ZERO = Decimal("0.00")


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


# A closed month's ledger never changes (corrections settle in the current month): its totals
# are kept a day, under a key naming the closing itself. Not in the first minutes after the
# closing, while a meal recorded just before it may still be committing.
CLOSED_MONTH_SECONDS = 60 * 60 * 24
CLOSED_SETTLE = timedelta(minutes=5)


def cancelled_within(month: date, prefix: str = "") -> Q:
    """Records of `month` that cancel out inside it: a meal reversed in the same month, and that
    reversal. The claim lists neither (a meal and its reversal are no meal); a reversal settled
    in a later month (its meal's month was closed) stays, as that month's correction.
    `prefix` reaches the record from another model ("record__" from a subsidy line)."""
    return Q(**{f"{prefix}kind": MealRecord.Kind.MEAL, f"{prefix}reversed_by__month": month}) | Q(
        **{f"{prefix}kind": MealRecord.Kind.REVERSAL, f"{prefix}reverses__month": month}
    )


def _ledger_totals(month: date) -> dict:
    """The month's meal records and subsidy lines added up (two queries, plain values only)."""
    netted = cancelled_within(month)
    totals = MealRecord.objects.filter(month=month).aggregate(
        meals=Count("pk", filter=Q(kind=MealRecord.Kind.MEAL)),
        reversals=Count("pk", filter=Q(kind=MealRecord.Kind.REVERSAL)),
        subsidised=Count("pk", filter=Q(kind=MealRecord.Kind.MEAL, subsidy__gt=0) & ~netted),
        rows=Count("pk", filter=~Q(subsidy=0) & ~netted),
        price=ExactSum("price"),
        subsidy=ExactSum("subsidy"),
        paid=ExactSum("paid"),
    )
    totals["funders"] = list(
        SubsidyLine.objects.filter(month=month)
        .exclude(cancelled_within(month, "record__"))
        .values("funder")
        .annotate(lines=Count("pk"), amount=ExactSum("amount"))
        .order_by("funder")
    )
    return totals


def month_summary(month: date, closed: ClosedMonth | None = None) -> dict:
    """Counts and totals of the accounting month (three queries; two when `closed` is cached).

    `closed` is the month's ClosedMonth, if it is closed: its ledger totals are then cached.
    `rows` counts the records `subsidised_records` lists.
    """
    if closed is None or now() - closed.closed_at < CLOSED_SETTLE:
        totals = _ledger_totals(month)
    else:
        totals = cached(
            f"canteen:ledger:{month:%Y-%m}:{closed.pk}",
            (),
            lambda: _ledger_totals(month),
            timeout=CLOSED_MONTH_SECONDS,
        )
    labels = dict(Funder.choices)
    funders = [
        {
            "funder": row["funder"],
            "label": labels.get(row["funder"], row["funder"]),
            "lines": row["lines"],
            "amount": yuan(row["amount"] or ZERO),
        }
        for row in totals["funders"]
    ]
    love = LoveMealDelivery.objects.filter(day__gte=month, day__lt=_next_month(month))
    love_rows = list(love.order_by().values("portions", "value", "delivered_at"))
    return {
        "meals": totals["meals"] - totals["reversals"],
        "reversals": totals["reversals"],
        "subsidised": totals["subsidised"],
        "rows": totals["rows"],
        "price": yuan(totals["price"] or ZERO),
        "subsidy": yuan(totals["subsidy"] or ZERO),
        "paid": yuan(totals["paid"] or ZERO),
        "funders": funders,
        "love_meals": sum(r["portions"] for r in love_rows),
        "love_delivered": sum(r["portions"] for r in love_rows if r["delivered_at"]),
        "love_value": yuan(sum((r["value"] * r["portions"] for r in love_rows), ZERO)),
    }


def subsidised_records(month: date):
    """The month's meal records that carry a subsidy, as plain values: reversals of earlier
    months' meals included, meals reversed within the month left out with their reversal.

    Page them, then `with_lines` the page: a page of a large month renders quickly from these.
    """
    return (
        MealRecord.objects.filter(month=month)
        .exclude(subsidy=0)
        .exclude(cancelled_within(month))
        .order_by("day", "slot__order", "pk")
        .values("pk", "day", "slot__name", "person_name", "kind", "age", "price", "paid")
    )


def with_lines(rows) -> list[dict]:
    """The rows, each with its receipt's `url`, `kind_label` and `lines`: (amount, who pays)."""
    rows = list(rows)
    funders = {key: str(label) for key, label in Funder.choices}
    kinds = {key: str(label) for key, label in MealRecord.Kind.choices}
    lines = {}
    for record_id, funder, amount in (
        SubsidyLine.objects.filter(record_id__in=[r["pk"] for r in rows])
        .order_by("record_id", "pk")
        .values_list("record_id", "funder", "amount")
    ):
        lines.setdefault(record_id, []).append((amount, funders.get(funder, funder)))
    # One URL reversed, the others built from it: reversing each row's costs more than the row.
    receipt = reverse("canteen:receipt", args=[0]).removesuffix("0/")
    for row in rows:
        row["url"] = f"{receipt}{row['pk']}/"
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
        row["lines"] = lines.get(row["pk"], [])
    return rows


def _columns():
    return [
        exports.Column(_("Date"), exports.DATE),
        exports.Column(_("Meal")),
        exports.Column(_("Name")),
        exports.Column(_("Age on the day"), exports.INT),
        exports.Column(_("Price"), exports.MONEY, total=True),
        exports.Column(_("Subsidy rule")),
        exports.Column(_("Paid by")),
        exports.Column(_("Subsidy"), exports.MONEY, total=True),
        exports.Column(_("Amount paid"), exports.MONEY, total=True),
        exports.Column(_("Kind")),
        exports.Column(_("Reason")),
    ]


def settlement_rows(month: date, funder: str | None = None):
    """One row per subsidy line of the month (the claim format), filtered to one funder if given.

    The header is `_columns()`; the export helper adds the totals row.
    """
    # Labels resolved once, not per row (lazy translations are slow to force 10,000 times).
    labels = {key: str(label) for key, label in Funder.choices}
    kinds = {key: str(label) for key, label in MealRecord.Kind.choices}
    lines = SubsidyLine.objects.filter(month=month).exclude(cancelled_within(month, "record__"))
    if funder:
        lines = lines.filter(funder=funder)
    for row in lines.order_by("record__day", "record__slot__order", "record_id", "pk").values_list(
        "record__day",
        "record__slot__name",
        "record__person_name",
        "record__age",
        "record__price",
        "rule_name",
        "funder",
        "amount",
        "record__paid",
        "record__kind",
        "record__reason",
    ):
        day, slot, name, age, price, rule, fund, amount, paid, kind, reason = row
        yield [
            day,
            slot,
            name,
            age,
            price,
            rule,
            labels.get(fund, fund),
            amount,
            paid,
            kinds.get(kind, kind),
            reason,
        ]


def export(month: date, fmt: str, funder: str | None = None, by: str = "") -> tuple[bytes, str]:
    """The settlement as CSV (UTF-8 with BOM, so Excel opens Chinese correctly) or XLSX.

    The Excel file opens with a cover sheet (the title block, the page's totals, lines for the
    preparer's and reviewer's signatures and the committee's seal): one funder's file is the
    claim sent to that funder, with that funder's totals; the whole settlement's cover has each
    funder's totals, all funders together and the love meals.
    """
    filters = []
    cover = None
    table = exports.Table(_("Subsidy details"), _columns(), settlement_rows(month, funder))
    if funder:
        label = str(dict(Funder.choices).get(funder, funder))
        filters.append((_("Paid by"), label))
    if fmt == "xlsx":
        cover = exports.Cover(title=_("Cover"), figures=_cover_figures(month, funder))
    heading = exports.Heading(
        report=_("Canteen subsidy settlement") if not funder else _("Canteen subsidy claim"),
        period=exports.month_period(month),
        filters=filters,
        by=by,
    )
    return exports.render(table, fmt, heading, cover)


def _cover_figures(month: date, funder: str | None) -> list[tuple[str, object, str]]:
    """The cover's totals, the page's figures: one funder's claim, or the whole settlement (each
    funder's lines and amount, all funders together, and the love meals, which no funder's claim
    for ordinary meals includes)."""
    summary = month_summary(month)
    if funder:
        line = next(
            (f for f in summary["funders"] if f["funder"] == funder), {"lines": 0, "amount": ZERO}
        )
        return [
            (_("Subsidy lines"), line["lines"], exports.INT),
            (_("Subsidy claimed (yuan)"), line["amount"], exports.MONEY),
        ]
    figures: list[tuple[str, object, str]] = [
        (_("Meals served"), summary["meals"], exports.INT),
        (_("Subsidised meals"), summary["subsidised"], exports.INT),
        (_("Corrections"), summary["reversals"], exports.INT),
        (_("List price (yuan)"), summary["price"], exports.MONEY),
    ]
    for line in summary["funders"]:
        label = line["label"]
        figures.append(
            (_("%(funder)s: subsidy lines") % {"funder": label}, line["lines"], exports.INT)
        )
        figures.append(
            (_("%(funder)s: subsidy (yuan)") % {"funder": label}, line["amount"], exports.MONEY)
        )
    figures += [
        (_("Subsidy, all funders (yuan)"), summary["subsidy"], exports.MONEY),
        (_("Paid by residents (yuan)"), summary["paid"], exports.MONEY),
        (_("Love meals (portions, funded apart)"), summary["love_meals"], exports.INT),
    ]
    return figures


def meals_per_day_and_slot(month: date) -> list[dict]:
    """Meals served per day and slot in the month (net of reversals), for the kitchen's planning."""
    rows = (
        MealRecord.objects.filter(day__gte=month, day__lt=_next_month(month))
        .values("day", "slot__name", "slot__order")
        # Counting `kind` (not the id) lets the database answer from the index alone.
        .annotate(
            meals=Count("kind", filter=Q(kind=MealRecord.Kind.MEAL))
            - Count("kind", filter=Q(kind=MealRecord.Kind.REVERSAL))
        )
        .order_by("day", "slot__order")
    )
    return list(rows)


def check_on_list(today: date) -> list[dict]:
    """Welfare watch: regular elders who have not eaten at the canteen for a while.

    A regular had at least `regular_meals` meals in the 30 days before the absence window; they
    are listed when their last meal is `watch_after_days` or more days ago. Two queries plus one
    for the settings and one for the elder age, however many meals are recorded.
    """
    knobs = CanteenSettings.current()
    absent_since = today - timedelta(days=knobs.watch_after_days)
    window_start = absent_since - timedelta(days=30)
    # Elders as the subsidy rules define them; 60 (the usual age) if no rule goes by age.
    elder_age = SubsidyRule.objects.elder_age_on(today) or 60
    rows = (
        MealRecord.objects.filter(kind=MealRecord.Kind.MEAL, day__gte=window_start, day__lt=today)
        .values("member")
        .annotate(
            regular=Count("pk", filter=Q(day__lt=absent_since)),
            recent=Count("pk", filter=Q(day__gte=absent_since)),
            last=Max("day"),
        )
        .filter(regular__gte=knobs.regular_meals, recent=0)
    )
    by_member = {r["member"]: r for r in rows}
    members = HouseholdMember.objects.filter(pk__in=by_member).select_related("user", "household")
    result = []
    for member in members:
        age = member.age_on(today)
        if age is None or age < elder_age:
            continue
        last = by_member[member.pk]["last"]
        result.append({"member": member, "age": age, "last": last, "days": (today - last).days})
    result.sort(key=lambda r: (-r["days"], r["member"].full_name))
    return result
