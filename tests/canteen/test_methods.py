"""Actions that change things accept POST only (a link or a crawler cannot trigger them)."""

import pytest

POST_ONLY = [
    "/canteen/book/",
    "/canteen/bookings/1/cancel/",
    "/canteen/me/collectors/1/remove/",
    "/canteen/meals/1/reverse/",
    "/canteen/staff/settlement/close/",
    "/canteen/staff/love-meals/1/assign/",
    "/canteen/deliveries/1/delivered/",
]


@pytest.mark.parametrize("url", POST_ONLY, ids=[u.strip("/").replace("/", "-") for u in POST_ONLY])
def test_get_is_refused_with_405(client, canteen_staff, url):
    client.force_login(canteen_staff)
    assert client.get(url).status_code == 405
