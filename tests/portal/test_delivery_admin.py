"""Staff read the outbox in the admin, filter failures and resend them."""

import pytest
from django.urls import reverse

from portal import sms
from portal.models import Delivery
from tests.factories import make_user

CHANGELIST = reverse("admin:portal_delivery_changelist")


def make_delivery(user, state, n, **kwargs):
    return Delivery.objects.create(
        user=user,
        channel="sms",
        kind="reminder",
        to=user.mobile,
        text=f"提醒 {n}",
        state=state,
        key=f"k{n}",
        last_error="isv.BUSINESS_LIMIT_CONTROL: 触发流控" if state == "failed" else "",
        **kwargs,
    )


@pytest.fixture
def outbox_rows(db):
    person = make_user("孙收件", mobile_verified=True)
    rows = [make_delivery(person, "failed", n) for n in range(3)]
    rows += [make_delivery(person, "sent", n) for n in range(3, 8)]
    return rows


def test_staff_filter_the_failures_with_their_reasons(
    client, community, community_admin, outbox_rows, django_assert_max_num_queries
):
    client.force_login(community_admin)
    with django_assert_max_num_queries(15):
        response = client.get(CHANGELIST, {"state__exact": "failed"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    assert "触发流控" in response.content.decode()


def test_the_outbox_costs_the_same_queries_with_more_rows(
    client, community, community_admin, outbox_rows, django_assert_max_num_queries
):
    client.force_login(community_admin)
    person = outbox_rows[0].user
    for n in range(100, 130):
        make_delivery(person, "sent", n)
    with django_assert_max_num_queries(15):
        assert client.get(CHANGELIST).status_code == 200


def test_resend_sends_the_failed_ones_and_skips_the_sent(
    client, community_admin, outbox_rows, django_capture_on_commit_callbacks
):
    client.force_login(community_admin)
    failed, sent = outbox_rows[0], outbox_rows[3]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.state == "sent"
    assert sent.state == "sent" and sent.sent_at is None  # untouched
    assert [m.text for m in sms.outbox] == ["提醒 0"]
    assert "1" in str(list(response.context["messages"])[0])


def test_a_resident_cannot_see_the_outbox(client, resident, outbox_rows):
    client.force_login(resident)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_deliveries_cannot_be_added_or_edited_in_the_admin(client, community_admin, outbox_rows):
    client.force_login(community_admin)
    assert client.get(reverse("admin:portal_delivery_add")).status_code == 403
    row = outbox_rows[0]
    client.post(
        reverse("admin:portal_delivery_change", args=[row.pk]), {"text": "changed", "to": "1"}
    )
    row.refresh_from_db()
    assert row.text == "提醒 0"
