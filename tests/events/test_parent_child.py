"""A parent-child (亲子) activity: its age range is the children's, adults come with them.

The age range applied to everyone, so a parent could not register with their child for a
5-to-12 parent-child game (or staff had to drop the range altogether).
"""

import pytest
from django.urls import reverse

from events import services
from events.models import Registration
from tests.events.helpers import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def family_game(festival):
    return make_activity(
        festival, title="亲子游园", min_age=5, max_age=12, adults_accompany=True, capacity=6
    )


def test_a_parent_registers_with_their_child(parent, child, family_game):
    booking = services.register(family_game, user=parent, members=[parent.member, child])
    assert {r.member for r in booking.registrations.all()} == {parent.member, child}


def test_an_adult_alone_is_refused(parent, family_game):
    with pytest.raises(services.EventError, match="child"):
        services.register(family_game, user=parent, members=[parent.member])
    assert not Registration.objects.exists()


def test_the_range_still_applies_to_children(parent, family_game):
    from datetime import date

    from tests.factories import make_child

    teenager = make_child(parent, name="张大明", birth_date=date(2011, 1, 1))  # 15 on the day
    with pytest.raises(services.EventError, match="age range"):
        services.register(family_game, user=parent, members=[parent.member, teenager])
    assert not Registration.objects.exists()


def test_without_the_option_the_range_applies_to_everyone(parent, child, children_games):
    with pytest.raises(services.EventError, match="age range"):
        services.register(children_games, user=parent, members=[parent.member, child])
    assert not Registration.objects.exists()


def test_the_registration_form_offers_the_parent_too(client, parent, child, family_game):
    client.force_login(parent)
    response = client.get(reverse("events:register", args=[family_game.pk]))
    blocks = {b["member"]: b["allowed"] for b in response.context["form"].blocks()}
    assert blocks[parent.member] and blocks[child]
    response = client.post(
        reverse("events:register", args=[family_game.pk]),
        {f"person_{parent.member.pk}": "on", f"person_{child.pk}": "on"},
    )
    assert response.status_code == 302
    assert Registration.objects.filter(activity=family_game).count() == 2
