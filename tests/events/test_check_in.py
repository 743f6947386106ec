"""Check-in at the gate: by ticket code, by the QR token URL, search, walk-ins, live counts."""

import pytest
from django.urls import reverse

from events import services
from events.models import Registration
from tests.events.helpers import FESTIVAL_DAY, at, make_activity

pytestmark = pytest.mark.django_db

# At the gate: an hour before the 09:00 activities of the festival day (check-in is open).
GATE = at(FESTIVAL_DAY, 8)


@pytest.fixture
def ticket(parent, child, activity, time_machine):
    booking = services.register(activity, user=parent, members=[child])
    time_machine.move_to(GATE, tick=False)
    return booking.registrations.get()


@pytest.fixture
def at_the_gate(time_machine):
    time_machine.move_to(GATE, tick=False)


def test_the_ticket_token_is_long_random_and_not_the_id(ticket):
    assert len(ticket.ticket_token) >= 22
    assert str(ticket.pk) != ticket.ticket_token
    assert "张" not in ticket.ticket_token


def test_staff_check_a_ticket_in_by_its_code(client, events_staff, ticket, activity):
    client.force_login(events_staff)

    response = client.post(
        reverse("events:check-in", args=[activity.pk]), {"code": ticket.ticket_code.lower()}
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.checked_in_at == GATE
    assert ticket.checked_in_by == events_staff
    page = client.get(response.url)
    assert "张小明" in page.content.decode()


def test_a_second_check_in_is_refused_and_changes_nothing(client, events_staff, ticket, activity):
    client.force_login(events_staff)
    url = reverse("events:check-in", args=[activity.pk])
    client.post(url, {"code": ticket.ticket_code})
    ticket.refresh_from_db()
    first = ticket.checked_in_at

    response = client.post(url, {"code": ticket.ticket_code}, follow=True)

    assert (
        "Already checked in" in response.content.decode() or "已签到" in response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.checked_in_at == first


@pytest.mark.parametrize("code", ["", "ZZZZZZZZ", "12345678"], ids=["empty", "forged", "digits"])
def test_a_forged_code_is_refused(events_staff, ticket, activity, code):
    with pytest.raises(services.EventError):
        services.check_in(by=events_staff, code=code, activity=activity)
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_a_ticket_for_another_activity_is_refused(events_staff, ticket, festival):
    other = make_activity(festival, title="歌舞联欢")

    with pytest.raises(services.EventError, match="another activity"):
        services.check_in(by=events_staff, code=ticket.ticket_code, activity=other)


def test_waiting_and_cancelled_tickets_are_refused(
    events_staff, parent, child, resident, festival, time_machine
):
    activity = make_activity(festival, capacity=1)
    mine = services.register(activity, user=resident, members=[resident.member])
    waiting = services.register(activity, user=parent, members=[child]).registrations.get()
    time_machine.move_to(GATE, tick=False)

    with pytest.raises(services.EventError, match="waiting list"):
        services.check_in(by=events_staff, token=waiting.ticket_token)
    reg = mine.registrations.get()
    services.cancel_registration(reg, by=resident)
    with pytest.raises(services.EventError, match="cancelled"):
        services.check_in(by=events_staff, token=reg.ticket_token)


def test_the_qr_link_opens_the_ticket_for_staff_and_checks_it_in(client, events_staff, ticket):
    client.force_login(events_staff)
    url = reverse("events:staff-ticket", args=[ticket.ticket_token])

    assert "张小明" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None


def test_a_forged_qr_link_shows_an_error(client, events_staff):
    client.force_login(events_staff)

    response = client.get(reverse("events:staff-ticket", args=["not-a-real-token"]))

    assert response.status_code == 404
    response = client.post(reverse("events:staff-ticket", args=["not-a-real-token"]), follow=True)
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["resident", "canteen_staff", "parent"])
def test_only_events_staff_reach_the_gate(client, request, who, ticket, activity):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("events:check-in", args=[activity.pk])).status_code == 403
    assert (
        client.post(reverse("events:staff-ticket", args=[ticket.ticket_token])).status_code == 403
    )
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_search_finds_by_name_and_by_code(client, events_staff, ticket, activity):
    client.force_login(events_staff)
    url = reverse("events:check-in", args=[activity.pk])

    assert "张小明" in client.get(url, {"q": "小明"}).content.decode()
    assert "张小明" in client.get(url, {"q": ticket.ticket_code}).content.decode()
    assert "张小明" not in client.get(url, {"q": "王"}).content.decode()


def test_the_search_result_button_checks_in(client, events_staff, ticket):
    client.force_login(events_staff)

    client.post(reverse("events:check-in-registration", args=[ticket.pk]))

    ticket.refresh_from_db()
    assert ticket.checked_in_by == events_staff


def test_a_walk_in_is_recorded_while_places_remain(client, events_staff, festival, at_the_gate):
    activity = make_activity(festival, capacity=1)
    client.force_login(events_staff)
    url = reverse("events:walk-in", args=[activity.pk])

    client.post(url, {"name": "路过的邻居"})
    response = client.post(url, {"name": "又一位"}, follow=True)

    walk_in = Registration.objects.get(activity=activity)
    assert walk_in.walk_in_name == "路过的邻居"
    assert walk_in.checked_in_at == GATE
    assert Registration.objects.filter(activity=activity).count() == 1
    assert response.status_code == 200


def test_walk_in_needs_a_name(client, events_staff, activity):
    client.force_login(events_staff)

    client.post(reverse("events:walk-in", args=[activity.pk]), {"name": "  "})

    assert not Registration.objects.exists()


def test_the_gate_page_runs_a_fixed_number_of_queries(
    client, events_staff, festival, at_the_gate, django_assert_max_num_queries
):
    activity = make_activity(festival, capacity=500)
    for n in range(60):
        services.record_walk_in(activity, name=f"邻居{n}", by=events_staff)
    client.force_login(events_staff)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("events:check-in", args=[activity.pk]), {"q": "邻居"})
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="result"') == 30


# The gate opens on the day ------------------------------------------------------------------


def test_a_ticket_is_refused_days_before_and_the_gate_says_when_it_opens(
    client, events_staff, parent, child, activity, time_machine
):
    reg = services.register(activity, user=parent, members=[child]).registrations.get()
    client.force_login(events_staff)
    client.cookies["portal_language"] = "en"
    page = client.get(reverse("events:check-in", args=[activity.pk])).content.decode()
    assert 'data-testid="check-in-not-open"' in page and "opens at 07:00 on 2026-06-13" in page

    response = client.post(
        reverse("events:check-in", args=[activity.pk]), {"code": reg.ticket_code}, follow=True
    )
    assert "opens at 07:00" in response.content.decode()
    reg.refresh_from_db()
    assert reg.checked_in_at is None
    with pytest.raises(services.EventError, match="07:00"):
        services.record_walk_in(activity, name="早到的人", by=events_staff)
    assert Registration.objects.filter(activity=activity).count() == 1


@pytest.mark.parametrize(
    ("minutes_before", "opens_hours", "accepted"),
    [(121, 2, False), (120, 2, True), (30, 0, False), (0, 0, True), (600, 12, True)],
    ids=["a-minute-early", "on-the-hour", "setting-zero-early", "setting-zero-start", "12h"],
)
def test_the_gate_opens_the_communitys_hours_before_the_start(
    events_staff, parent, child, activity, time_machine, minutes_before, opens_hours, accepted
):
    from datetime import timedelta

    from portal.models import Community

    Community.objects.update_or_create(pk=1, defaults={"event_check_in_opens_hours": opens_hours})
    reg = services.register(activity, user=parent, members=[child]).registrations.get()
    time_machine.move_to(activity.starts_at - timedelta(minutes=minutes_before), tick=False)
    if accepted:
        assert services.check_in(by=events_staff, code=reg.ticket_code).checked_in_at
    else:
        with pytest.raises(services.EventError, match=r"\d\d:\d\d"):
            services.check_in(by=events_staff, code=reg.ticket_code)
