"""The public events pages and the cache (portal.cache): a visitor's second request is served
from the cache, a change shows at once, a resident always gets a page of their own, and the
programme's listing (cached for residents too) follows the clock when registration opens or
closes.

These tests commit their data (transaction=True): inside a test's transaction with uncommitted
writes the cache is bypassed on purpose.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services
from tests.events.helpers import NOW, make_activity
from tests.factories import make_user
from tests.pagecache import visitor_page_is_cached

pytestmark = pytest.mark.django_db(transaction=True)

# Each test makes the community's (and module's) settings before the first request: made on
# first use, they would otherwise make that first page stale at once.


def _public_urls(festival, activity):
    return [
        reverse("events:index"),
        reverse("events:programme", args=[festival.pk]),
        reverse("events:programme", args=[festival.pk]) + "?audience=children",
        reverse("events:timetable", args=[festival.pk]),
        reverse("events:activity", args=[activity.pk]),
        reverse("events:stalls", args=[festival.pk]),
    ]


def test_a_visitor_gets_the_public_pages_from_the_cache_and_never_who_registered(
    community, client, parent, child, festival, activity
):
    services.register(activity, user=parent, members=[parent.member, child])
    for url in _public_urls(festival, activity):
        body = visitor_page_is_cached(client, url)
        assert "张小明" not in body and "张妈妈" not in body and parent.mobile not in body, url


def test_a_registration_shows_on_the_cached_programme_at_once(
    community, client, parent, child, festival, activity
):
    url = reverse("events:programme", args=[festival.pk])
    assert "10 places left" in client.get(url).content.decode()
    assert client.get(url)["X-Portal-Cache"] == "hit"

    services.register(activity, user=parent, members=[parent.member, child])

    response = client.get(url)
    assert response["X-Portal-Cache"] == "miss"
    assert "8 places left" in response.content.decode()


def test_a_resident_never_gets_the_visitors_page(community, client, resident, festival, activity):
    url = reverse("events:index")
    client.get(url)
    assert client.get(url)["X-Portal-Cache"] == "hit"

    client.force_login(resident)
    response = client.get(url)

    assert "X-Portal-Cache" not in response
    assert reverse("events:my") in response.content.decode()  # the resident's own link


def _activity_queries(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(url).content.decode()
    return body, sum('FROM "events_activity"' in q["sql"] for q in ctx.captured_queries)


def test_residents_get_the_listing_from_the_cache_until_registration_opens_or_closes(
    community, client, resident, festival, time_machine
):
    opens = NOW + timedelta(hours=1)
    closes = opens + timedelta(hours=1)
    make_activity(festival, registration_opens_at=opens, registration_closes_at=closes)
    client.force_login(resident)
    url = reverse("events:programme", args=[festival.pk])

    body, queried = _activity_queries(client, url)
    assert "Registration opens" in body and queried
    body, queried = _activity_queries(client, url)
    assert "Registration opens" in body and not queried  # the listing came from the cache

    time_machine.move_to(opens, tick=False)
    body, _queried = _activity_queries(client, url)
    assert "Registration opens" not in body and "10 places left" in body

    time_machine.move_to(closes, tick=False)
    body, _queried = _activity_queries(client, url)
    assert "Registration closed" in body


def test_the_cached_listing_is_the_same_for_everyone_and_per_filter(
    community, client, resident, festival, activity
):
    make_activity(festival, title="儿童场", audience="children")
    make_activity(festival, title="长者场", audience="elders")
    url = reverse("events:programme", args=[festival.pk])
    client.force_login(resident)
    children = client.get(url, {"audience": "children"}).content.decode()
    client.force_login(make_user("另一位"))

    elders = client.get(url, {"audience": "elders"}).content.decode()
    again = client.get(url, {"audience": "children"}).content.decode()

    assert "儿童场" in children and "长者场" not in children
    assert "长者场" in elders and "儿童场" not in elders
    assert "儿童场" in again and "长者场" not in again
