"""Which residents a member of staff may see: the people their work involves, and which fields.

Community admins and superusers see the whole register. Every other role sees the people its
work touches, as each module declares in its own `people.py` (canteen staff: diners; events
staff: people registered; classes staff and teachers: enrolled children and their parents; the
volunteer coordinator: volunteers; a team leader: their team), and anyone sees themselves.

A scope is a filter made of subqueries, never a list of ids: a page showing it runs one query
however many people it covers (the admin's changelists rely on this).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.module_loading import autodiscover_modules
from django.utils.timezone import localdate

from portal import roles
from portal.models import Household, HouseholdMember, User


@dataclass(frozen=True)
class Reach:
    """The people one kind of work involves, as querysets of ids (`.values("pk")` or the like).

    `member_fields` and `user_fields` name the extra details the work needs beyond a name, a
    masked mobile and an address: `email`, `birth_date`, or `elder_birth_date` (a birth date
    shown only for people of the elders' subsidy age, for the canteen).
    """

    members: Iterable[QuerySet] = ()
    users: Iterable[QuerySet] = ()
    member_fields: frozenset[str] = frozenset()
    user_fields: frozenset[str] = frozenset()


@dataclass
class Scope:
    """The union of the reaches of every role a person holds (themselves always included)."""

    viewer_id: int
    members: list[QuerySet] = field(default_factory=list)
    users: list[QuerySet] = field(default_factory=list)
    member_fields: set[str] = field(default_factory=set)
    user_fields: set[str] = field(default_factory=set)

    def users_q(self) -> Q:
        """A filter on User: accounts in scope, directly or as a household member in scope."""
        q = Q(pk=self.viewer_id)
        for ids in self.users:
            q |= Q(pk__in=ids)
        for ids in self.members:
            q |= Q(member__in=ids)
        return q

    def members_q(self) -> Q:
        """A filter on HouseholdMember: members in scope, directly or through their account."""
        q = Q(user_id=self.viewer_id)
        for ids in self.members:
            q |= Q(pk__in=ids)
        for ids in self.users:
            q |= Q(user_id__in=ids)
        return q

    def households_q(self) -> Q:
        """A filter on Household: households with at least one member in scope."""
        return Q(pk__in=HouseholdMember.objects.filter(self.members_q()).values("household_id"))


Applies = Callable[[User], bool]
_registry: list[tuple[Applies, Callable[[User], Reach]]] = []
_discovered = False


def reach(role_or_test: str | Applies):
    """Register a function `(viewer) -> Reach` for a role (a group name) or a test on the user.

    Used by each module's `people.py`, which is imported the first time a scope is asked for.
    """

    if isinstance(role_or_test, str):
        role = role_or_test

        def applies(user):
            return not user.is_superuser and user.has_role(role)

    else:
        applies = role_or_test

    def register(fn):
        _registry.append((applies, fn))
        return fn

    return register


def sees_everyone(user) -> bool:
    """Community admins and superusers keep the whole register."""
    return user.is_authenticated and (user.is_superuser or user.has_role(roles.COMMUNITY_ADMIN))


def scope_for(user) -> Scope | None:
    """The people `user` may see, or None for everyone. Kept on the user object for the request."""
    global _discovered
    if sees_everyone(user):
        return None
    cached = getattr(user, "_people_scope", None)
    if cached is not None:
        return cached
    if not _discovered:
        autodiscover_modules("people")
        _discovered = True
    scope = Scope(viewer_id=user.pk)
    if user.is_authenticated:
        for applies, fn in _registry:
            if applies(user):
                found = fn(user)
                scope.members.extend(found.members)
                scope.users.extend(found.users)
                scope.member_fields |= set(found.member_fields)
                scope.user_fields |= set(found.user_fields)
    user._people_scope = scope
    return scope


def elder_born_by() -> date:
    """The latest birth date of someone of the elders' subsidy age today (the age the canteen's
    subsidy rules start at); with no such rule, nobody is (the earliest date)."""
    from canteen.models import SubsidyRule

    today = localdate()
    years = SubsidyRule.objects.elder_age_on(today)
    if years is None:
        return date.min
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def visible_users(viewer, qs: QuerySet | None = None) -> QuerySet:
    qs = User.objects.all() if qs is None else qs
    scope = scope_for(viewer)
    return qs if scope is None else qs.filter(scope.users_q())


def visible_members(viewer, qs: QuerySet | None = None) -> QuerySet:
    qs = HouseholdMember.objects.all() if qs is None else qs
    scope = scope_for(viewer)
    return qs if scope is None else qs.filter(scope.members_q())


def visible_households(viewer, qs: QuerySet | None = None) -> QuerySet:
    qs = Household.objects.all() if qs is None else qs
    scope = scope_for(viewer)
    return qs if scope is None else qs.filter(scope.households_q())


def mask_phone(number: str) -> str:
    """A phone number as lists show it: 138****0009, 028****0001 (short numbers: ****).

    Mobiles of accounts have `User.masked_mobile`; this masks any other number on a list (a
    partner's contact phone).
    """
    digits = (number or "").strip()
    if not digits:
        return ""
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"
