"""Alliance test helpers: the frozen moment, `make_partner`, `make_resource`, `make_need`, `day`."""

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

from alliance import services
from alliance.models import Need, Resource
from portal.models import Partner

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
_n = itertools.count(1)


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


def day(y, m, d) -> date:
    return date(y, m, d)
