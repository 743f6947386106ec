"""Flea-market stalls: residents apply, staff approve or decline, the public list hides who."""

import pytest
from django.urls import reverse

from events import services
from events.models import Activity, StallApplication
from portal.models import Notice
from tests.events.helpers import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(festival):
    return make_activity(
        festival,
        title="跳蚤市场",
        kind=Activity.Kind.MARKET,
        needs_registration=False,
        stall_count=2,
    )


def test_a_resident_applies_for_a_stall(client, resident, market):
    client.force_login(resident)

    response = client.post(
        reverse("events:stall-apply", args=[market.pk]), {"goods": "旧书", "needs_table": "on"}
    )

    assert response.status_code == 302
    app = StallApplication.objects.get()
    assert (app.applicant, app.goods, app.needs_table, app.status) == (
        resident,
        "旧书",
        True,
        "pending",
    )


def test_a_second_open_application_is_refused(client, resident, market):
    services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)
    client.force_login(resident)

    response = client.post(reverse("events:stall-apply", args=[market.pk]), {"goods": "玩具"})

    assert response.status_code == 200
    assert "already applied" in response.content.decode()
    assert StallApplication.objects.count() == 1


def test_an_empty_application_is_refused(client, resident, market):
    client.force_login(resident)

    response = client.post(reverse("events:stall-apply", args=[market.pk]), {"goods": ""})

    assert response.status_code == 200
    assert not StallApplication.objects.exists()


def test_only_markets_take_stall_applications(client, resident, activity):
    client.force_login(resident)

    assert client.get(reverse("events:stall-apply", args=[activity.pk])).status_code == 404


def test_staff_approve_with_the_lowest_free_number_and_the_resident_is_told(
    client, events_staff, resident, elder, market
):
    first = services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)
    second = services.apply_for_stall(market, user=elder, goods="毛衣", needs_table=True)
    client.force_login(events_staff)

    client.post(reverse("events:stall-decide", args=[second.pk]), {"decision": "approve"})
    client.post(reverse("events:stall-decide", args=[first.pk]), {"decision": "approve"})

    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.stall_number, first.stall_number) == (1, 2)
    assert second.decided_by == events_staff
    assert "1" in Notice.objects.get(recipient=elder).text


def test_approving_beyond_the_stall_count_is_refused(events_staff, resident, elder, parent, market):
    apps = [
        services.apply_for_stall(market, user=u, goods="物品", needs_table=False)
        for u in (resident, elder, parent)
    ]
    for app in apps[:2]:
        services.decide_stall(app, approve=True, reason="", by=events_staff)

    with pytest.raises(services.EventError, match="All 2 stalls"):
        services.decide_stall(apps[2], approve=True, reason="", by=events_staff)
    apps[2].refresh_from_db()
    assert apps[2].status == "pending"


def test_declining_needs_a_reason(client, events_staff, resident, market):
    app = services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)
    client.force_login(events_staff)

    response = client.post(
        reverse("events:stall-decide", args=[app.pk]),
        {"decision": "decline", "reason": ""},
        follow=True,
    )

    assert "Give a reason" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "pending"

    client.post(
        reverse("events:stall-decide", args=[app.pk]),
        {"decision": "decline", "reason": "摊位已满"},
    )
    app.refresh_from_db()
    assert (app.status, app.decision_reason) == ("declined", "摊位已满")
    assert "摊位已满" in Notice.objects.get(recipient=resident).text


def test_a_decided_application_cannot_be_decided_again(events_staff, resident, market):
    app = services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)
    services.decide_stall(app, approve=False, reason="重复", by=events_staff)

    with pytest.raises(services.EventError, match="already been decided"):
        services.decide_stall(app, approve=True, reason="", by=events_staff)


def test_residents_cannot_decide(client, resident, market):
    app = services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)
    client.force_login(resident)

    response = client.post(reverse("events:stall-decide", args=[app.pk]), {"decision": "approve"})

    assert response.status_code == 403
    app.refresh_from_db()
    assert app.status == "pending"
    assert client.get(reverse("events:stall-review", args=[market.pk])).status_code == 403


def test_the_public_stall_list_shows_numbers_and_goods_but_nobody(
    client, events_staff, resident, festival, market
):
    app = services.apply_for_stall(market, user=resident, goods="旧书与连环画", needs_table=False)
    services.decide_stall(app, approve=True, reason="", by=events_staff)

    body = client.get(reverse("events:stalls", args=[festival.pk])).content.decode()

    assert "旧书与连环画" in body and "No. 1" in body
    assert "王居民" not in body and resident.mobile[-4:] not in body


def test_the_staff_review_page_shows_applicants(client, events_staff, resident, market):
    services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)
    client.force_login(events_staff)

    body = client.get(reverse("events:stall-review", args=[market.pk])).content.decode()

    assert "王居民" in body and resident.masked_mobile in body


def test_an_applicant_withdraws_and_the_stall_number_is_free_again(
    client, events_staff, resident, elder, market
):
    app = services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)
    services.decide_stall(app, approve=True, reason="", by=events_staff)
    client.force_login(resident)

    response = client.post(reverse("events:stall-withdraw", args=[app.pk]))

    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.stall_number) == ("withdrawn", None)
    other = services.apply_for_stall(market, user=elder, goods="毛衣", needs_table=False)
    assert services.decide_stall(other, approve=True, reason="", by=events_staff).stall_number == 1


def test_nobody_withdraws_someone_elses_application(client, resident, elder, market):
    app = services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)
    client.force_login(elder)

    assert client.post(reverse("events:stall-withdraw", args=[app.pk])).status_code == 404
    assert client.get(reverse("events:stall-withdraw", args=[app.pk])).status_code == 405
    app.refresh_from_db()
    assert app.status == "pending"


def test_a_stall_application_waits_in_the_events_staff_s_inbox(resident, events_staff, market):
    services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)
    [notice] = Notice.objects.filter(recipient=events_staff, kind=Notice.Kind.TO_DECIDE)
    assert "跳蚤市场" in notice.text and resident.display_name in notice.text
    assert notice.url == f"/events/staff/activity/{market.pk}/stalls/"
    assert not Notice.objects.filter(recipient=resident, kind=Notice.Kind.TO_DECIDE).exists()
