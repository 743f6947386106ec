"""The volunteer's calendar feed names the team leader but never gives a mobile number."""

import re

import pytest
from django.urls import reverse

from volunteers import services

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"1[3-9]\d{9}")


def feed_body(client, volunteer) -> str:
    token = services.ensure_profile(volunteer).calendar_token
    response = client.get(reverse("volunteers:calendar-feed", args=[token]))
    assert response.status_code == 200
    return response.content.decode().replace("\r\n ", "")  # unfold long lines


def test_the_feed_names_the_leader_without_their_mobile(client, post, volunteer, team_leader):
    services.sign_up(post, volunteer)

    body = feed_body(client, volunteer)

    assert "BEGIN:VEVENT" in body
    assert team_leader.real_name in body
    assert team_leader.mobile not in body
    assert not MOBILE.search(body)


def test_a_leader_without_a_name_is_left_out_rather_than_shown_by_number(
    client, post, volunteer, team_leader
):
    team_leader.real_name = ""
    team_leader.save(update_fields=["real_name"])
    services.sign_up(post, volunteer)

    body = feed_body(client, volunteer)

    assert "BEGIN:VEVENT" in body
    assert not MOBILE.search(body)
