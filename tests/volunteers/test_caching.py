"""The public volunteers pages and the cache (portal.cache): a visitor's second request is served
from the cache, a change shows at once, and a day's listing (cached for residents too) never
shows one volunteer's "You are signed up" to anyone else.

These tests commit their data (transaction=True): inside a test's transaction with uncommitted
writes the cache is bypassed on purpose.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_user
from tests.pagecache import visitor_page_is_cached
from tests.volunteers.helpers import DAY, make_post
from volunteers import services
from volunteers.models import VolunteerSettings

pytestmark = pytest.mark.django_db(transaction=True)

# Each test makes the community's (and module's) settings before the first request: made on
# first use, they would otherwise make that first page stale at once.

SIGNED_UP = "You are signed up"


def _public_urls(team, post):
    return [
        reverse("volunteers:index"),
        reverse("volunteers:teams"),
        reverse("volunteers:team-detail", args=[team.slug]),
        reverse("volunteers:calendar"),
        reverse("volunteers:day-detail", args=[DAY.isoformat()]),
        reverse("volunteers:post-detail", args=[post.pk]),
    ]


def test_a_visitor_gets_the_public_pages_from_the_cache(
    community, rules, client, team, post, volunteer
):
    services.sign_up(post, volunteer)
    for url in _public_urls(team, post):
        body = visitor_page_is_cached(client, url)
        assert volunteer.display_name not in body and volunteer.mobile not in body, url


def test_a_sign_up_shows_on_the_cached_day_at_once(community, rules, client, post, volunteer):
    url = reverse("volunteers:day-detail", args=[DAY.isoformat()])
    assert "0/3 taken" in client.get(url).content.decode()
    assert client.get(url)["X-Portal-Cache"] == "hit"

    services.sign_up(post, volunteer)

    response = client.get(url)
    assert response["X-Portal-Cache"] == "miss"
    assert "1/3 taken" in response.content.decode()


def _day(client):
    url = reverse("volunteers:day-detail", args=[DAY.isoformat()])
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(url).content.decode()
    return body, sum('FROM "volunteers_post"' in q["sql"] for q in ctx.captured_queries)


def test_the_day_listing_is_cached_and_marks_only_my_own_posts(
    community, rules, client, team, post, volunteer
):
    other_post = make_post(team=team, title="理发", start_hour=14)
    services.sign_up(other_post, volunteer)
    client.force_login(make_user("旁人"))
    body, queried = _day(client)
    assert SIGNED_UP not in body and queried

    client.force_login(volunteer)
    body, queried = _day(client)

    assert not queried  # the listing came from the cache
    assert body.count(SIGNED_UP) == 1
    # The mark is in the row of the post I signed up for, not in the other one.
    assert body.index("理发") < body.index(SIGNED_UP)
    assert body.index("补鞋") < body.index("理发")
    client.logout()
    assert (
        SIGNED_UP not in client.get(reverse("volunteers:day-detail", args=[DAY.isoformat()])).text
    )


def test_the_settings_are_read_from_the_cache_until_they_change(rules):
    VolunteerSettings.current()
    with CaptureQueriesContext(connection) as ctx:
        rules = VolunteerSettings.current()
    assert len(ctx) == 0

    rules.cancel_cutoff_hours = 7
    rules.save()

    assert VolunteerSettings.current().cancel_cutoff_hours == 7
