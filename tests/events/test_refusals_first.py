"""Refusals before effort: the activity page offers "Register" only when someone of the
household may come (`services.can_register`, which `register` asks too), else the reasons."""

import pytest
from django.urls import reverse
from django.utils import translation

from events import services
from tests.factories import make_child

pytestmark = pytest.mark.django_db


def _page(client, user, activity):
    client.force_login(user)
    return client.get(reverse("events:activity", args=[activity.pk])).content.decode()


def test_a_household_with_nobody_in_the_age_range_sees_why_instead_of_the_button(
    client, resident, children_games
):
    reason = services.can_register(children_games, resident.member)
    assert reason and "5" in reason
    html = _page(client, resident, children_games)
    assert 'data-testid="register-link"' not in html
    assert 'data-testid="register-refusal"' in html
    with translation.override("en"), pytest.raises(services.EventError) as refused:
        services.register(children_games, user=resident, members=[resident.member])
    assert str(refused.value) == reason


def test_a_child_in_range_gets_the_button(client, parent, children_games):
    make_child(parent, name="张小明")  # born 2018: 8 on the day
    html = _page(client, parent, children_games)
    assert 'data-testid="register-link"' in html
    assert 'data-testid="register-refusal"' not in html


def test_everyone_already_registered_gets_no_second_button(client, resident, activity):
    services.register(activity, user=resident, members=[resident.member])
    html = _page(client, resident, activity)
    assert 'data-testid="register-link"' not in html
    with translation.override("en"):
        reason = services.can_register(
            activity, resident.member, registered_ids={resident.member.pk}
        )
    assert reason.endswith("already registered for this activity.")
