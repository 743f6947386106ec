"""Alliance helpers: partners with a contact, resources, needs in each state; a frozen clock."""

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from alliance import services
from alliance.models import Need, Resource
from portal import roles
from portal.models import Partner
from tests.factories import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
_n = itertools.count(1)


@pytest.fixture
def clock_start():
    return NOW


@pytest.fixture
def now(frozen_clock):
    return frozen_clock


def make_partner(name=None, *, contact=None, kind=Partner.Kind.FIRM, is_active=True) -> Partner:
    return Partner.objects.create(
        name=name or f"共建单位{next(_n)}",
        kind=kind,
        contact_name="联系人",
        contact_phone="13900001111",
        contact_user=contact,
        is_active=is_active,
    )


def make_resource(partner, *, kind=Resource.Kind.VENUE, title=None, **extra) -> Resource:
    return Resource.objects.create(
        partner=partner, kind=kind, title=title or f"资源{next(_n)}", **extra
    )


def make_need(author=None, *, title=None, state="new", by=None, **extra) -> Need:
    """A resident's need (author given) or a home-visit need, taken to `state` by `by`."""
    fields = {
        "kind": Need.Kind.NEED,
        "category": Need.Category.FACILITIES,
        "title": title or f"需求{next(_n)}",
        "description": "三号楼楼道需要扶手，王奶奶上下楼不方便。",
        **extra,
    }
    if author is not None:
        need = services.post_need(author, **fields)
    else:
        need = services.record_need(by, source=Need.Source.HOME_VISIT, **fields)
    if state in ("accepted", "in_project", "done"):
        need = services.accept(need, by=by, public_summary=f"公示：{need.title}")
    elif state == "declined":
        need = services.decline(need, by=by, reason="不在社区职责范围内")
    return need


@pytest.fixture
def staff(db):
    return make_user("赵联盟", role_list=[roles.ALLIANCE_STAFF])


@pytest.fixture
def contact(db):
    return make_user("钱联络", building="9", room="901")


@pytest.fixture
def partner(contact):
    return make_partner("公园路小学", contact=contact, kind=Partner.Kind.SCHOOL)


@pytest.fixture
def other_contact(db):
    return make_user("孙联络", building="9", room="902")


@pytest.fixture
def other_partner(other_contact):
    return make_partner("仁济医院", contact=other_contact, kind=Partner.Kind.HOSPITAL)


@pytest.fixture
def asker(db):
    return make_user("李居民", building="3", unit="2", room="501")


def day(y, m, d) -> date:
    return date(y, m, d)
