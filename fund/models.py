"""The community micro-fund (微基金): an append-only ledger of income and spending.

The fund is the community's, not one module's: the classroom posts its share of course fees into
it, the party-building alliance's projects spend from it. Income is posted; spending moves
proposed → approved (never by its proposer) → paid, or proposed → rejected. Corrections are
reversing entries (portal.ledgers).
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.fields import ImageField
from portal.ledgers import AppendOnlyModel, AppendOnlyQuerySet, ExactSum, append_only_triggers
from portal.validators import validate_image_file


class FundEntryQuerySet(AppendOnlyQuerySet):
    def counted(self):
        """Entries that move the balance: posted income and paid spending (and their reversals)."""
        return self.filter(status__in=[FundEntry.Status.POSTED, FundEntry.Status.PAID])

    def totals(self) -> dict:
        """Income, spending and the balance of the counted entries (used by the public page)."""
        totals = self.counted().aggregate(
            income=ExactSum("amount", filter=Q(kind=FundEntry.Kind.INCOME)),
            spending=ExactSum("amount", filter=Q(kind=FundEntry.Kind.EXPENDITURE)),
        )
        income = totals["income"] or Decimal("0.00")
        spending = totals["spending"] or Decimal("0.00")
        return {"income": income, "spending": spending, "balance": income - spending}

    def balance(self) -> Decimal:
        return self.totals()["balance"]

    def by_month(self, months=12):
        """Counted income and spending per month, newest first.

        A correction counts in the month of the entry it corrects (a November correction of a
        September donation lowers September), so no month shows negative income; the ledger
        itself keeps the correction on its own date.
        """
        return (
            self.counted()
            .annotate(month=TruncMonth(Coalesce("reverses__date", "date")))
            .values("month")
            .annotate(
                income=ExactSum("amount", filter=Q(kind=FundEntry.Kind.INCOME)),
                spending=ExactSum("amount", filter=Q(kind=FundEntry.Kind.EXPENDITURE)),
            )
            .order_by("-month")[:months]
        )

    def for_purpose(self, obj):
        """The entries for one purpose (an alliance project): `propose_spending(project=...)`."""
        return self.filter(purpose_type=ContentType.objects.get_for_model(obj), purpose_id=obj.pk)

    def by_category(self) -> list[dict]:
        """Counted totals per kind and category, with the category's label."""
        labels = dict(FundEntry.Category.choices)
        rows = self.counted().values("kind", "category").annotate(total=ExactSum("amount"))
        return [
            {**row, "label": labels.get(row["category"], row["category"])}
            for row in rows.order_by("kind", "-total")
        ]


# The micro-fund's spending moves proposed → approved (never by its proposer) → paid, or
# proposed → rejected, on its own row: the status is what residents read on the fund page, and
# each step stamps who and when in columns of its own. Rather than split the row, the ledger
# allows exactly these forward steps and nothing else: what was entered (amount, purpose, date,
# proposer, …) never changes, a step never goes back, and a stamp once set stays. The same rule
# is the PostgreSQL trigger's condition (below) and `FundEntry.change_allowed` (every database).
FUND_FROZEN_COLUMNS = (
    "id",
    "kind",
    "category",
    "date",
    "amount",
    "description",
    "donor_name",
    "donor_is_public",
    "proposed_by_id",
    "reverses_id",
    "reason",
    "source_payment_id",
    "purpose_type_id",
    "purpose_id",
    "created_at",
)
FUND_FORWARD_STEPS_SQL = " AND ".join(
    [f"OLD.{column} IS NOT DISTINCT FROM NEW.{column}" for column in FUND_FROZEN_COLUMNS]
    + [
        "("
        # approved: by someone (the four-eyes CHECK names who may), when; not yet paid
        "(OLD.status = 'proposed' AND NEW.status = 'approved'"
        " AND OLD.approved_by_id IS NULL AND NEW.approved_by_id IS NOT NULL"
        " AND OLD.approved_at IS NULL AND NEW.approved_at IS NOT NULL"
        " AND NEW.paid_at IS NULL AND OLD.receipt = NEW.receipt)"
        # rejected: nothing else changes
        " OR (OLD.status = 'proposed' AND NEW.status = 'rejected'"
        " AND NEW.approved_by_id IS NULL AND NEW.approved_at IS NULL"
        " AND NEW.paid_at IS NULL AND OLD.receipt = NEW.receipt)"
        # paid: when; a receipt may be attached if there was none
        " OR (OLD.status = 'approved' AND NEW.status = 'paid'"
        " AND OLD.approved_by_id = NEW.approved_by_id AND OLD.approved_at = NEW.approved_at"
        " AND OLD.paid_at IS NULL AND NEW.paid_at IS NOT NULL"
        " AND (OLD.receipt = NEW.receipt OR OLD.receipt = ''))"
        ")"
    ]
)


def _file_name(value) -> str:
    return getattr(value, "name", value) or ""


class FundEntry(AppendOnlyModel):
    """A line of the micro-fund ledger. Append-only: a mistake is corrected by a reversing entry.

    Amounts are positive; a reversal carries the negated amount of the entry it reverses, with the
    same kind and category, so totals by kind and category stay right. Spending's status moves
    forward only (FUND_FORWARD_STEPS_SQL).
    """

    class Kind(models.TextChoices):
        INCOME = "income", _("income")
        EXPENDITURE = "expenditure", _("expenditure")

    class Category(models.TextChoices):
        CLASSROOM = "classroom", _("classroom's share of proceeds")
        DONATION = "donation", _("donation")
        PARTNER = "partner", _("partner contribution")
        PROJECT = "project", _("public-welfare project")
        SUPPLIES = "supplies", _("materials and supplies")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        POSTED = "posted", _("posted")
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        PAID = "paid", pgettext_lazy("fund entry status", "paid")
        REJECTED = "rejected", _("rejected")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    description = models.CharField(_("source or purpose"), max_length=200)
    donor_name = models.CharField(
        _("donor"),
        max_length=100,
        blank=True,
        help_text=_("Staff only; shown publicly only if they agree."),
    )
    donor_is_public = models.BooleanField(_("donor agrees to be named"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    receipt = ImageField(
        _("receipt"), upload_to="fund/%Y/", blank=True, validators=[validate_image_file]
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded or proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    source_payment = models.OneToOneField(
        "classes.FeePayment",
        verbose_name=_("from fee payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_entry",
    )
    # What the entry is for, from another module (an alliance project): fund.services.
    purpose_type = models.ForeignKey(
        ContentType,
        verbose_name=_("purpose (kind)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose_id = models.PositiveBigIntegerField(_("purpose (number)"), null=True, blank=True)
    purpose = GenericForeignKey("purpose_type", "purpose_id")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = FundEntryQuerySet.as_manager()

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("micro-fund entry")
        verbose_name_plural = _("micro-fund ledger")
        ordering = ["-date", "-id"]
        constraints = [
            # Ordinary entries are positive; only a reversal is negative, and it needs a reason.
            models.CheckConstraint(
                condition=(
                    Q(reverses__isnull=True, amount__gt=0)
                    | (Q(reverses__isnull=False, amount__lt=0) & ~Q(reason=""))
                ),
                name="fund_amount_sign",
            ),
            # Four-eyes rule: whoever proposed spending cannot approve it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
                name="fund_four_eyes",
            ),
            # A purpose is a kind and a number, or nothing.
            models.CheckConstraint(
                condition=Q(purpose_type__isnull=True, purpose_id__isnull=True)
                | Q(purpose_type__isnull=False, purpose_id__isnull=False),
                name="fund_purpose_whole",
            ),
        ]
        # rows are never deleted; spending only takes its forward steps (portal.ledgers)
        triggers = append_only_triggers(update_condition=FUND_FORWARD_STEPS_SQL)
        indexes = [
            # the public page: totals by month and category
            models.Index(fields=["kind", "status", "date"], name="fund_kind_status_date"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.amount} {self.description}"

    def change_allowed(self, old: dict, new: dict) -> bool:
        """The forward steps of FUND_FORWARD_STEPS_SQL, for the models on every database."""
        if any(old[column] != new[column] for column in FUND_FROZEN_COLUMNS):
            return False
        receipt_kept = _file_name(old["receipt"]) == _file_name(new["receipt"])
        step = (old["status"], new["status"])
        if step == (self.Status.PROPOSED, self.Status.APPROVED):
            return (
                old["approved_by_id"] is None
                and new["approved_by_id"] is not None
                and old["approved_at"] is None
                and new["approved_at"] is not None
                and new["paid_at"] is None
                and receipt_kept
            )
        if step == (self.Status.PROPOSED, self.Status.REJECTED):
            return (
                new["approved_by_id"] is None
                and new["approved_at"] is None
                and new["paid_at"] is None
                and receipt_kept
            )
        if step == (self.Status.APPROVED, self.Status.PAID):
            return (
                old["approved_by_id"] == new["approved_by_id"]
                and old["approved_at"] == new["approved_at"]
                and old["paid_at"] is None
                and new["paid_at"] is not None
                and (receipt_kept or not _file_name(old["receipt"]))
            )
        return False

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def counts(self) -> bool:
        return self.status in (self.Status.POSTED, self.Status.PAID)

    @property
    def public_source(self) -> str:
        """What the public page shows: the description, and a donor's name only with consent."""
        if self.donor_name and self.donor_is_public:
            return f"{self.description} · {self.donor_name}"
        return self.description
