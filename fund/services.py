"""Workflows of the community micro-fund. Each moves money, so each runs in one transaction and
raises `FundError` with a translated message; the views show it.

The API other modules use (the classroom, the party-building alliance):

- `record_income(*, by, date, amount, category, description, donor_name="",
  donor_is_public=False, receipt=None, source_payment=None, purpose=None) -> FundEntry`:
  posted income. The classroom posts its share of a course fee with `category=CLASSROOM` and
  `source_payment=` the `classes.FeePayment` (`classes.services.record_fee_payment`).
- `propose_spending(*, by, date, amount, category, description, receipt=None, project=None)
  -> FundEntry`: spending waiting for approval by a fund manager other than `by` (the four-eyes
  rule); managers are told in their inbox. `project` is any saved model instance the spending
  is for (an `alliance.Project`): it is recorded as the entry's `purpose` (a generic link:
  `purpose_type`, `purpose_id`), frozen with the entry like its amount. Read a project's
  spending with `FundEntry.objects.for_purpose(project)`; never delete what a ledger row points
  at (the entries stay, the link then dangles).
- `approve_expenditure`, `reject_expenditure`, `pay_expenditure(entry, *, by)`: the forward
  steps; `reverse_entry(entry, *, by, reason)`: a correcting entry.
- `spending_to_approve(user) -> int`: spending someone else proposed, for a manager's home page.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fund.access import MANAGER_ROLES, manages_fund
from fund.models import FundEntry
from portal.lib.money import yuan
from portal.notices import Kind, notify_role


class FundError(Exception):
    """A fund action that is refused; the message is translated and shown to the user."""


def _positive(amount):
    value = yuan(amount)
    if value <= 0:
        raise FundError(_("Enter an amount above zero."))
    return value


def _purpose(obj) -> dict:
    """The generic link to what an entry is for (an alliance project), or none."""
    if obj is None:
        return {}
    if obj.pk is None:
        raise ValueError("the purpose of a fund entry must be saved first")
    return {"purpose_type": ContentType.objects.get_for_model(obj), "purpose_id": obj.pk}


@transaction.atomic
def record_income(
    *,
    by,
    date,
    amount,
    category,
    description,
    donor_name="",
    donor_is_public=False,
    receipt=None,
    source_payment=None,
    purpose=None,
) -> FundEntry:
    """Post income to the fund (a share of proceeds, a donation, a partner's contribution).

    `source_payment`: the classroom's fee payment this share comes from; `purpose`: what the
    income is given for (an alliance project), if anything."""
    if category not in (
        FundEntry.Category.CLASSROOM,
        FundEntry.Category.DONATION,
        FundEntry.Category.PARTNER,
        FundEntry.Category.OTHER,
    ):
        raise FundError(_("Choose an income category."))
    return FundEntry.objects.create(
        kind=FundEntry.Kind.INCOME,
        category=category,
        date=date,
        amount=_positive(amount),
        description=description.strip(),
        donor_name=donor_name.strip(),
        donor_is_public=donor_is_public,
        status=FundEntry.Status.POSTED,
        proposed_by=by,
        receipt=receipt or "",
        source_payment=source_payment,
        **_purpose(purpose),
    )


@transaction.atomic
def propose_spending(
    *, by, date, amount, category, description, receipt=None, project=None
) -> FundEntry:
    """Propose spending; it moves the balance only once approved by someone else and paid.

    `by`: a fund manager or alliance staff (the views check `fund.access.may_propose`).
    `category`: `FundEntry.Category.PROJECT`, `SUPPLIES` or `OTHER`. `project`: a saved model
    instance the spending is for (an `alliance.Project`), kept as the entry's `purpose`. The fund
    managers other than `by` are told in their inbox; one of them approves or rejects it.
    """
    if category not in (
        FundEntry.Category.PROJECT,
        FundEntry.Category.SUPPLIES,
        FundEntry.Category.OTHER,
    ):
        raise FundError(_("Choose a spending category."))
    entry = FundEntry.objects.create(
        kind=FundEntry.Kind.EXPENDITURE,
        category=category,
        date=date,
        amount=_positive(amount),
        description=description.strip(),
        status=FundEntry.Status.PROPOSED,
        proposed_by=by,
        receipt=receipt or "",
        **_purpose(project),
    )
    # Waiting for someone else's approval (never the proposer's): the other fund managers.
    for role in MANAGER_ROLES:
        notify_role(
            role,
            Kind.TO_DECIDE,
            gettext_lazy(
                "%(name)s proposed spending ¥%(amount)s from the micro-fund (%(description)s); "
                "it waits for your approval."
            ),
            reverse("fund:manage"),
            params={
                "name": by.display_name,
                "amount": f"{entry.amount:.2f}",
                "description": entry.description[:60],
            },
            exclude=by,
        )
    return entry


# The name the fund pages used when the fund was the classroom's.
propose_expenditure = propose_spending


def spending_to_approve(user) -> int:
    """Spending someone else proposed, waiting for this fund manager (one query; 0 for others)."""
    if not manages_fund(user):
        return 0
    return (
        FundEntry.objects.filter(status=FundEntry.Status.PROPOSED).exclude(proposed_by=user).count()
    )


def _locked_expenditure(entry: FundEntry) -> FundEntry:
    entry = FundEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.kind != FundEntry.Kind.EXPENDITURE or entry.is_reversal:
        raise FundError(_("Only proposed spending goes through approval."))
    return entry


@transaction.atomic
def approve_expenditure(entry: FundEntry, *, by) -> FundEntry:
    entry = _locked_expenditure(entry)
    if entry.status != FundEntry.Status.PROPOSED:
        raise FundError(_("Only proposed spending can be approved."))
    if entry.proposed_by_id == by.pk:
        raise FundError(_("Whoever proposed spending cannot approve it; ask a colleague."))
    entry.status, entry.approved_by, entry.approved_at = (
        FundEntry.Status.APPROVED,
        by,
        timezone.now(),
    )
    entry.save(update_fields=["status", "approved_by", "approved_at"])
    return entry


@transaction.atomic
def reject_expenditure(entry: FundEntry, *, by) -> FundEntry:
    entry = _locked_expenditure(entry)
    if entry.status != FundEntry.Status.PROPOSED:
        raise FundError(_("Only proposed spending can be rejected."))
    if entry.proposed_by_id == by.pk:
        raise FundError(_("Whoever proposed spending cannot decide on it; ask a colleague."))
    entry.status = FundEntry.Status.REJECTED
    entry._history_user = by  # the step's history names who took it, in a request or not
    entry.save(update_fields=["status"])
    return entry


@transaction.atomic
def pay_expenditure(entry: FundEntry, *, by, receipt=None) -> FundEntry:
    """Record that approved spending was paid; only now does it leave the balance."""
    entry = _locked_expenditure(entry)
    if entry.status != FundEntry.Status.APPROVED:
        raise FundError(_("Only approved spending can be paid."))
    entry.status, entry.paid_at = FundEntry.Status.PAID, timezone.now()
    entry._history_user = by  # the step's history names who took it, in a request or not
    fields = ["status", "paid_at"]
    if receipt:
        entry.receipt = receipt
        fields.append("receipt")
    entry.save(update_fields=fields)
    return entry


@transaction.atomic
def reverse_entry(entry: FundEntry, *, by, reason: str) -> FundEntry:
    """Correct a posted or paid entry with a new entry of the opposite amount and a reason."""
    entry = FundEntry.objects.select_for_update().get(pk=entry.pk)
    if not reason.strip():
        raise FundError(_("Give the reason for the correction."))
    if entry.is_reversal:
        raise FundError(_("A correction cannot itself be reversed; post a new entry instead."))
    if not entry.counts:
        raise FundError(_("Only posted income or paid spending can be reversed."))
    if FundEntry.objects.filter(reverses=entry).exists():
        raise FundError(_("This entry was already reversed."))
    return FundEntry.objects.create(
        kind=entry.kind,
        category=entry.category,
        date=timezone.localdate(),
        amount=-entry.amount,
        description=entry.description,
        status=entry.status,
        proposed_by=by,
        reverses=entry,
        reason=reason.strip(),
    )
