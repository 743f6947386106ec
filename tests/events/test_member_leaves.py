"""A member who leaves the household keeps their place in the festival's figures."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from events import services
from events.figures import event_figures
from events.models import Registration
from portal.access import my_household_members
from tests.events.helpers import at, make_activity

pytestmark = pytest.mark.django_db


def test_removing_a_child_who_came_to_the_festival_keeps_its_figures(
    client, events_staff, parent, child, festival, track
):
    sports = make_activity(festival, track=track)
    services.register(sports, user=parent, members=[parent.member, child])
    # At the gate on the day (check-in opens shortly before the start).
    with time_machine.travel(sports.starts_at, tick=False):
        for registration in Registration.objects.filter(activity=sports):
            services.check_in(by=events_staff, code=registration.ticket_code)
    before = event_figures(festival)

    with time_machine.travel(at(festival.ends_on + timedelta(days=3), 10), tick=False):
        client.force_login(parent)
        response = client.post(reverse("household-member-remove", args=[child.pk]))

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.has_left
    after = event_figures(festival)
    assert after["total"].registered == before["total"].registered == 2
    assert after["total"].attended == before["total"].attended == 2
    assert after["people_reached"] == before["people_reached"] == 2
    assert Registration.objects.filter(member=child, checked_in_at__isnull=False).exists()


def test_a_member_who_leaves_gives_up_future_places_and_is_no_longer_offered(
    client, parent, child, festival, track
):
    games = make_activity(festival, track=track, capacity=1)
    services.register(games, user=parent, members=[child])
    client.force_login(parent)

    client.post(reverse("household-member-remove", args=[child.pk]), follow=True)

    registration = Registration.objects.get(member=child)
    assert registration.status == Registration.Status.CANCELLED  # the place goes to the next
    assert child not in list(my_household_members(parent))
    page = client.get(reverse("events:register", args=[games.pk])).content.decode()
    assert child.name not in page
    child.refresh_from_db()
    with pytest.raises(services.EventError):
        services.register(games, user=parent, members=[child])


def test_staff_registering_by_phone_no_longer_see_a_member_who_left(
    client, events_staff, parent, child, festival, track
):
    games = make_activity(festival, track=track)
    parent_client = client
    parent_client.force_login(parent)
    parent_client.post(reverse("household-member-remove", args=[child.pk]))
    client.force_login(events_staff)
    url = reverse("events:staff-register", args=[games.pk])

    search = client.get(url, {"q": child.name}).content.decode()
    household = client.get(url, {"household": parent.household_id}).content.decode()
    refused = client.post(f"{url}?household={parent.household_id}", {f"person_{child.pk}": "on"})

    assert f"person_{child.pk}" not in household and parent.member.full_name in household
    assert f"household={parent.household_id}" not in search
    assert refused.status_code in (200, 400)
    assert not Registration.objects.filter(member=child).exists()
