"""Coordinator guardrails: a sane year to generate, service days that keep their posts, and
internal codes that never reach staff."""

from datetime import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import make_user
from tests.volunteers.helpers import make_post
from volunteers import services
from volunteers.models import Post, PostTemplate, ServiceDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(team):
    return PostTemplate.objects.create(
        team=team, title="补鞋", place="广场", start_time=time(9), end_time=time(11), capacity=3
    )


# Generating a year (the clock stands in 2026) -------------------------------------------------


@pytest.mark.parametrize(
    ("year", "allowed"),
    [(2025, False), (2026, True), (2028, True), (2029, False), (2099, False)],
    ids=["last-year", "this-year", "two-ahead", "three-ahead", "2099"],
)
def test_service_days_are_generated_for_this_year_and_the_next_two(template, year, allowed):
    if allowed:
        assert services.generate_service_days(year)["days"] == 12
    else:
        with pytest.raises(services.PostError, match="2026 to 2028"):
            services.generate_service_days(year)
        assert not ServiceDay.objects.exists()


def test_the_coordinator_page_refuses_2099_with_a_message(client, coordinator, template):
    client.force_login(coordinator)
    client.cookies["portal_language"] = "en"
    response = client.post(reverse("volunteers:generate-year"), {"year": 2099}, follow=True)
    assert "2026 to 2028" in response.content.decode()
    assert not ServiceDay.objects.exists() and not Post.objects.exists()
    for garbage in ("abc", "", "2026.5"):
        assert (
            client.post(reverse("volunteers:generate-year"), {"year": garbage}).status_code == 302
        )
    assert not ServiceDay.objects.exists()


def test_the_command_refuses_a_far_year(template):
    with pytest.raises(CommandError, match="2026 to 2028"):
        call_command("generate_service_days", "2099")
    assert not ServiceDay.objects.exists()


# Deleting a service day ------------------------------------------------------------------------


def test_a_service_day_with_posts_cannot_be_deleted_in_the_admin(
    client, coordinator, service_day, team
):
    post = make_post(team=team)
    post.service_day = service_day
    post.save()
    client.force_login(coordinator)
    url = reverse("admin:volunteers_serviceday_delete", args=[service_day.pk])
    page = client.get(url)
    assert page.status_code == 200 and post.title in page.content.decode()
    client.post(url, {"post": "yes"})
    assert ServiceDay.objects.filter(pk=service_day.pk).exists()
    post.refresh_from_db()
    assert post.service_day_id == service_day.pk


def test_an_empty_service_day_can_be_deleted(client, coordinator, service_day):
    client.force_login(coordinator)
    client.post(
        reverse("admin:volunteers_serviceday_delete", args=[service_day.pk]), {"post": "yes"}
    )
    assert not ServiceDay.objects.exists()


# Internal codes ------------------------------------------------------------------------------


@pytest.fixture
def parents_offer(db):
    parent = make_user("张爸爸")
    return services.submit_volunteer_offer(
        parent, message="周末有空", source="classes:parent-offer"
    )


def test_the_coordinator_reads_where_an_offer_came_from_in_words(
    client, coordinator, parents_offer
):
    client.force_login(coordinator)
    client.cookies["portal_language"] = "zh-hans"
    html = client.get(reverse("volunteers:coordinator")).content.decode()
    assert "张爸爸" in html and "classes:parent-offer" not in html and "睦邻课堂" in html


def test_the_admin_never_shows_source_codes(client, coordinator, parents_offer, team, template):
    services.generate_service_days(2026)
    client.force_login(coordinator)
    for url in (
        reverse("admin:volunteers_membership_changelist"),
        reverse("admin:volunteers_membership_change", args=[parents_offer.pk]),
        reverse("admin:volunteers_post_changelist"),
        reverse("admin:volunteers_post_change", args=[Post.objects.first().pk]),
    ):
        html = client.get(url).content.decode()
        assert "classes:parent-offer" not in html and "volunteers:generated" not in html, url
    filtered = client.get(reverse("admin:volunteers_membership_changelist"), {"source": "classes:"})
    assert list(filtered.context["cl"].result_list) == [parents_offer]
