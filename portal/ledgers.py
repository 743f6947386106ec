"""Append-only ledgers: rows that are written once and corrected only by new rows.

The hours ledger and certificates, the meal ledger, its subsidy lines and closed months, the
micro-fund, fee payments and lottery draws are accounted for outside the portal (certificates,
the government claim, the public fund and lottery pages), so nothing may rewrite them. Two layers
enforce it:

- in PostgreSQL, triggers (`append_only_triggers`, django-pgtrigger's `Protect`) refuse every
  UPDATE and DELETE of a ledger row, whoever sends it: the ORM, `QuerySet.update()`, raw SQL, a
  shell. A model may allow a few forward-only changes through a condition (the fund's proposed →
  approved → paid);
- in Python, on every database (the SQLite demo included), `AppendOnlyModel` refuses `save()` of
  an existing row and `delete()`, and `AppendOnlyQuerySet` refuses `update()`, `delete()` and
  `bulk_update()`, with `AppendOnlyError`.

The triggers are row-level UPDATE/DELETE triggers, so TRUNCATE is not refused: `flush` (between
transactional tests, the bench's `--wipe`) empties the tables with TRUNCATE on PostgreSQL, and
migrations only add columns and constraints (no row is rewritten). A future data migration that
must touch ledger rows runs inside `pgtrigger.ignore(...)` naming the trigger, which is visible in
review; the application never does. That session variable, like dropping a trigger as the
tables' owner, is a deliberate act: the triggers stop code, bugs and shells that mean no harm,
and make a rewrite something nobody does by accident.
"""

import pgtrigger
from django.db import models
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from portal.lib.money import yuan

APPEND_ONLY = "append_only"


class AppendOnlyError(Exception):
    """A ledger row was about to be changed or deleted; corrections are new rows."""

    def __init__(self, model, action: str):
        self.model, self.action = model, action
        super().__init__(model._meta.label, action)

    def __str__(self):
        # Rendered when shown, in the language active then.
        message = {
            CHANGED: _(
                "%(ledger)s are append-only: rows are never changed; record a correcting "
                "entry instead."
            ),
            DELETED: _(
                "%(ledger)s are append-only: rows are never deleted; record a correcting "
                "entry instead."
            ),
        }[self.action]
        return str(message % {"ledger": self.model._meta.verbose_name_plural})


CHANGED, DELETED = "changed", "deleted"


def append_only_triggers(*, update_condition: str | None = None) -> list:
    """The PostgreSQL triggers of a ledger: DELETE refused; UPDATE refused (or refused unless
    `update_condition`, SQL over OLD and NEW, describes an allowed forward-only change)."""
    if update_condition is None:
        return [pgtrigger.Protect(name=APPEND_ONLY, operation=pgtrigger.Update | pgtrigger.Delete)]
    return [
        pgtrigger.Protect(name=APPEND_ONLY, operation=pgtrigger.Delete),
        pgtrigger.Protect(
            name="forward_only",
            operation=pgtrigger.Update,
            condition=pgtrigger.Condition(f"NOT ({update_condition})"),
        ),
    ]


class AppendOnlyQuerySet(models.QuerySet):
    """A ledger's queryset: reads and inserts only."""

    def update(self, **kwargs):
        raise AppendOnlyError(self.model, CHANGED)

    def delete(self):
        raise AppendOnlyError(self.model, DELETED)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(self.model, CHANGED)

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError(self.model, CHANGED)


class AppendOnlyModel(models.Model):
    """A ledger row: saved once. `change_allowed` may let a few forward-only changes through."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and not self._change_allowed():
            raise AppendOnlyError(type(self), CHANGED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(type(self), DELETED)

    def _change_allowed(self) -> bool:
        names = [f.attname for f in self._meta.concrete_fields]
        old = type(self)._base_manager.filter(pk=self.pk).values(*names).first()
        if old is None:
            return False
        new = {name: getattr(self, name) for name in names}
        return self.change_allowed(old, new)

    def change_allowed(self, old: dict, new: dict) -> bool:
        """Whether the row may go from `old` to `new` (column values by attname). Never, unless a
        ledger with a workflow says otherwise, mirroring its trigger's condition."""
        return False


def _to_cents(value, expression, connection):
    return None if value is None else yuan(value)


class ExactSum(models.Func):
    """SUM of a two-place column (yuan, hours), exact on every database.

    SQLite adds DECIMAL columns as floats and Django returns the float's digits unrounded
    (21135.3299999999 for 21135.33). This adds whole hundredths instead — integers, exact in a
    float up to 2**53 — and returns a Decimal with two places, on PostgreSQL too. NULL (no rows)
    stays None, as with `Sum`.
    """

    template = "%(expressions)s / 100.0"
    output_field = models.DecimalField(max_digits=18, decimal_places=2)

    def __init__(self, field: str, *, filter=None):
        super().__init__(models.Sum(Round(models.F(field) * 100), filter=filter))

    def get_db_converters(self, connection):
        return [*super().get_db_converters(connection), _to_cents]
