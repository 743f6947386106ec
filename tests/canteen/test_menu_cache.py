"""The menu of the week is the same for every visitor: served from the cache, never stale, never
a resident's own page.

These tests commit their data (transaction=True): the cache is bypassed inside a transaction
with uncommitted writes.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from canteen import services
from canteen.models import Dish
from tests.canteen.helpers import MEAL_DAY, make_menu

pytestmark = pytest.mark.django_db(transaction=True)


def _get(client, url="/canteen/"):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_visitors_get_a_log_in_link_no_token_and_the_cached_page_the_second_time(
    community, lunch, morning
):
    make_menu(MEAL_DAY, lunch)
    visitor = Client()
    first = _get(visitor)
    body = first.content.decode()
    assert first["X-Portal-Cache"] == "miss"
    assert "csrfmiddlewaretoken" not in body and 'action="/canteen/book/"' not in body
    assert f'href="{resolve_url(settings.LOGIN_URL)}?next=%2Fcanteen%2F"' in body
    assert "csrftoken" not in first.cookies

    second = _get(visitor)
    assert second["X-Portal-Cache"] == "hit"
    assert second.content == first.content
    assert _get(Client(), "/canteen/?week=2026-05-11")["X-Portal-Cache"] == "miss"


def test_a_new_menu_and_a_booking_show_to_visitors_at_once(community, elder, lunch, morning):
    menu = make_menu(MEAL_DAY, lunch, portions=5)
    visitor = Client()
    _get(visitor)
    assert _get(visitor)["X-Portal-Cache"] == "hit"

    make_menu(MEAL_DAY + timedelta(days=1), lunch, dishes=[Dish.objects.create(name="清蒸鲈鱼")])
    response = _get(visitor)
    assert response["X-Portal-Cache"] == "miss"
    assert "清蒸鲈鱼" in response.content.decode()
    assert response.context["days"][0][3][0]["portions_left"] == 5

    services.book(menu, elder.member, by=elder)
    response = _get(visitor)
    assert response["X-Portal-Cache"] == "miss"
    assert response.context["days"][0][3][0]["portions_left"] == 4


def test_a_resident_never_gets_the_visitors_page(community, elder, elder_rule, lunch, morning):
    make_menu(MEAL_DAY, lunch)
    _get(Client())
    assert _get(Client())["X-Portal-Cache"] == "hit"

    resident = Client()
    resident.force_login(elder)
    response = _get(resident)
    body = response.content.decode()
    assert "X-Portal-Cache" not in response
    assert 'data-testid="my-price"' in body and 'action="/canteen/book/"' in body
    assert "csrfmiddlewaretoken" in body


def test_a_residents_bookings_never_reach_the_visitors_page(community, elder, lunch, morning):
    menu = make_menu(MEAL_DAY, lunch)
    services.book(menu, elder.member, by=elder)
    resident = Client()
    resident.force_login(elder)
    assert elder.real_name in _get(resident).content.decode()

    response = _get(Client())
    assert response["X-Portal-Cache"] == "miss"  # what the resident saw was not stored
    body = response.content.decode()
    assert elder.real_name not in body and elder.mobile not in body
    assert elder.real_name not in _get(Client()).content.decode()


def test_the_dish_lists_are_rendered_once_for_everyone_and_show_a_change_at_once(
    community, elder, resident, lunch, morning
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dish = Dish.objects.create(name="红烧肉", is_soft=True)
    make_menu(MEAL_DAY, lunch, dishes=[dish])
    first, second = Client(), Client()
    first.force_login(elder)
    second.force_login(resident)
    assert "红烧肉" in _get(first).content.decode()
    with CaptureQueriesContext(connection) as queries:
        body = _get(second).content.decode()
    assert "红烧肉" in body
    assert not any("canteen_menu_dishes" in q["sql"] for q in queries.captured_queries)

    dish.name = "梅菜扣肉"
    dish.save()
    assert "梅菜扣肉" in _get(second).content.decode()
