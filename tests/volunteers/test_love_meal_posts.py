"""Love Meal delivery posts (made by the canteen) lead their volunteer to the delivery page."""

import pytest
from django.urls import reverse

from canteen import services as canteen_services
from canteen.models import LoveMealRecipient
from tests.volunteers.helpers import DAY, make_post
from volunteers import services
from volunteers.models import Post

pytestmark = pytest.mark.django_db

DELIVERIES = reverse("canteen:my-deliveries")


@pytest.fixture
def delivery_post(community, canteen_staff):
    LoveMealRecipient.objects.create(
        name="独居王伯", kind="empty_nest", building="12", unit="1", room="101"
    )
    assert canteen_services.generate_love_meals(DAY, by=canteen_staff) == 1
    post = Post.objects.get()
    assert post.source.startswith("canteen.lovemealdelivery:")
    return post


def test_the_volunteer_who_took_a_delivery_is_linked_to_the_address(
    client, delivery_post, volunteer
):
    services.sign_up(delivery_post, volunteer)
    client.force_login(volunteer)

    detail = client.get(delivery_post.get_absolute_url())
    schedule = client.get(reverse("volunteers:my-schedule"))

    assert detail.status_code == schedule.status_code == 200
    link = f'href="{DELIVERIES}" data-testid="delivery-link"'
    assert link in detail.text and link in schedule.text
    assert "Room 101" not in detail.text  # the public post itself never shows the address
    deliveries = client.get(DELIVERIES)
    assert deliveries.status_code == 200
    assert "独居王伯" in deliveries.text and "Room 101" in deliveries.text


def test_others_see_only_a_hint_and_no_link(client, delivery_post, volunteer, resident):
    services.sign_up(delivery_post, volunteer)
    client.force_login(resident)

    response = client.get(delivery_post.get_absolute_url())

    assert response.status_code == 200
    assert 'data-testid="delivery-link"' not in response.text
    assert "finds the address on My Love Meal deliveries" in response.text


def test_ordinary_posts_have_no_delivery_link(client, volunteer):
    post = make_post()
    services.sign_up(post, volunteer)
    client.force_login(volunteer)

    assert post.delivery_page_url == ""
    for url in (post.get_absolute_url(), reverse("volunteers:my-schedule")):
        response = client.get(url)
        assert response.status_code == 200
        assert DELIVERIES not in response.text
        assert "My Love Meal deliveries" not in response.text
