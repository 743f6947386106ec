"""What each module holds about a person, in one place: a member leaving a household, a
resident's copy of their own data, and the deletion of an account.

Each module contributes a `<app>.privacy` module with any of:
- `member_left(member, *, by) -> int`: give up the member's future places (bookings,
  registrations, enrolments); history stays.
- `export(user, members) -> list[Table]`: every row the module holds about the user and the
  given household members (one query per table, whatever the amount of data).
- `forget(user, members, tally)`: on account deletion, delete what the community need not keep
  (future places, notices, applications) and leave the accounting records (meals, subsidies,
  fund entries, hours, attendance) as they are; count both in `tally`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from portal import modules


def hooks(name: str):
    """The modules' functions called `name`, in the modules' order (modules without one skipped)."""
    found = []
    for app, module in modules.parts("privacy"):
        func = getattr(module, name, None)
        if func is not None:
            found.append((app, func))
    return found


# ---------------------------------------------------------------- the export


@dataclass
class Table:
    """One kind of record in a resident's export: a stable key (JSON), a title and columns."""

    key: str
    title: str
    columns: list  # [(name, label, choices or None)]
    rows: list = field(default_factory=list)  # [{name: raw value}]

    def as_json(self) -> list[dict]:
        return self.rows

    def header(self) -> list[str]:
        return [str(label) for _name, label, _choices in self.columns]

    def display_rows(self) -> list[list[str]]:
        """The rows as text, for the readable page: choices by label, times local."""
        return [
            [_display(row[name], choices) for name, _label, choices in self.columns]
            for row in self.rows
        ]


def _display(value, choices) -> str:
    if value is None or value == "":
        return ""
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def table(key: str, title, queryset, columns) -> Table:
    """A Table from a queryset. `columns` are field names of the model, or (dotted path, label)
    pairs for a related object's attribute; a field with choices is shown by its label."""
    model = queryset.model
    cols = []
    for column in columns:
        if isinstance(column, str):
            f = model._meta.get_field(column)
            choices = dict(f.choices) if f.choices else None
            cols.append((column, f.verbose_name, choices, column))
        else:
            path, label = column
            cols.append((path.replace(".", "_"), label, None, path))
    rows = []
    for obj in queryset:
        row = {}
        for name, _label, _choices, path in cols:
            value = obj
            for part in path.split("."):
                value = getattr(value, part) if value is not None else None
            if isinstance(value, Decimal):
                value = str(value)
            row[name] = value
        rows.append(row)
    return Table(key, str(title), [(n, label, ch) for n, label, ch, _p in cols], rows)


def members_of(user) -> list:
    """The household members whose data is the user's to see: their household's (those who left
    included: their records stay with the household) and their own."""
    from django.db.models import Q

    from portal.models import HouseholdMember

    q = Q(user=user)
    if user.household_id:
        q |= Q(household_id=user.household_id)
    return list(HouseholdMember.objects.filter(q).select_related("user").order_by("created_at"))


def collect(user) -> list[Table]:
    """Everything the portal holds about the user and their household, module by module."""
    from allauth.account.models import EmailAddress

    from portal.models import ConsentChange, Delivery, Notice, User

    members = members_of(user)
    tables = [
        table(
            "account",
            _("Account"),
            User.objects.filter(pk=user.pk),
            [
                "real_name",
                "mobile",
                "email",
                "birth_date",
                "building",
                "unit",
                "room",
                "date_joined",
                "last_login",
                "privacy_consented_at",
                "language",
                "large_text",
            ],
        ),
        Table(
            "roles",
            _("Roles"),
            [("role", _("role"), None)],
            [{"role": group.name} for group in user.groups.all()],
        ),
        table(
            "email_addresses",
            _("Email addresses"),
            EmailAddress.objects.filter(user=user).order_by("pk"),
            ["email", "verified", "primary"],
        ),
        table(
            "consents",
            _("Consents given and withdrawn"),
            ConsentChange.objects.filter(user=user),
            ["consent", "given", "at"],
        ),
        Table(
            "household_members",
            _("Household members"),
            [
                ("name", _("name"), None),
                ("relation", _("relation"), None),
                ("birth_date", _("birth date"), None),
                ("has_account", _("has an account"), None),
                ("left_on", _("left the household on"), None),
            ],
            [
                {
                    "name": m.full_name,
                    "relation": m.get_relation_display(),
                    "birth_date": m.dob,
                    "has_account": m.user_id is not None,
                    "left_on": m.left_on,
                }
                for m in members
            ],
        ),
    ]
    tables.append(
        table(
            "notices",
            _("My messages"),
            Notice.objects.filter(recipient=user).order_by("created_at"),
            ["kind", "text", "url", "created_at", "read_at"],
        )
    )
    tables.append(
        table(
            "deliveries",
            _("Texts and mails sent to me"),
            Delivery.objects.filter(user=user).order_by("created_at"),
            ["channel", "kind", "to", "text", "state", "created_at", "sent_at"],
        )
    )
    for _app, export in hooks("export"):
        tables.extend(export(user, members))
    return tables


def as_json(user, tables: list[Table]) -> dict:
    return {
        "generated_at": timezone.now(),
        "account_id": user.pk,
        "tables": {t.key: t.as_json() for t in tables},
    }


# ---------------------------------------------------------------- deleting an account


class Tally:
    """What an account deletion removed and kept, by model ("app_label.model" → rows)."""

    def __init__(self):
        self.removed: dict[str, int] = {}
        self.kept: dict[str, int] = {}

    @staticmethod
    def _label(model) -> str:
        return model._meta.label_lower

    def remove(self, queryset) -> int:
        """Delete the rows of `queryset` (signals sent: caches go stale) and count them."""
        _total, per_model = queryset.delete()
        for name, n in per_model.items():
            if n:
                self.removed[name.lower()] = self.removed.get(name.lower(), 0) + n
        return per_model.get(queryset.model._meta.label, 0)

    def count_removed(self, model, n: int) -> None:
        if n:
            label = self._label(model)
            self.removed[label] = self.removed.get(label, 0) + n

    def keep(self, model, n: int) -> None:
        if n:
            label = self._label(model)
            self.kept[label] = self.kept.get(label, 0) + n


def describe(counts: dict) -> list[tuple[str, int]]:
    """("app_label.model" → n) as (the model's translated plural name, n), for the staff log."""
    from django.apps import apps

    result = []
    for label, n in sorted(counts.items()):
        try:
            name = str(apps.get_model(label)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            name = label
        result.append((name, n))
    return result
