"""The micro-fund's part in a person's own data (portal.privacy).

Residents appear in the ledger only as free-text donors (never linked to an account); accounts
appear as whoever recorded, proposed or approved an entry (staff). Those entries are the
community's accounts: they stay as they are when an account is deleted (the account itself is
anonymised by the portal), and are counted as kept.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from fund.models import FundEntry
from portal.privacy import table


def _by(user):
    return FundEntry.objects.filter(Q(proposed_by=user) | Q(approved_by=user))


def export(user, members) -> list:
    return [
        table(
            "fund_entries_recorded",
            _("Micro-fund entries you recorded, proposed or approved"),
            _by(user).order_by("created_at", "pk"),
            ["date", "kind", "category", "amount", "description", "status", "created_at"],
        )
    ]


def forget(user, members, tally) -> None:
    """Nothing goes: the ledger is append-only and points at the anonymised account."""
    tally.keep(FundEntry, _by(user).count())
