"""The public page cache keys on the parameters a page reads, so a crawler cannot fill it.

These tests commit their data (transaction=True), as a real request's data is committed.
"""

import pytest
from django.core.cache import cache
from django.http import QueryDict

from portal.cache import QUERY_VALUE_CHARS, QUERY_VALUES_PER_PARAM, _normalised_query
from portal.models import Community

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _community_exists():
    Community.current()  # made on first use: a write that would make the first page stale


def page_keys() -> set[str]:
    # The test cache is local memory: its keys carry the page keys ("p:…").
    return {key for key in cache._cache if ":p:" in key}


def test_two_urls_differing_only_in_an_unknown_parameter_share_one_entry(client):
    first = client.get("/volunteers/calendar/?year=2026&utm_source=crawler1")
    second = client.get("/volunteers/calendar/?utm_source=crawler2&year=2026")
    third = client.get("/volunteers/calendar/?year=2026&ref=x&fbclid=y")

    assert (first["X-Portal-Cache"], second["X-Portal-Cache"], third["X-Portal-Cache"]) == (
        "miss",
        "hit",
        "hit",
    )
    assert second.content == first.content
    assert len(page_keys()) == 1


def test_a_known_parameter_still_varies_the_page(client):
    this_year = client.get("/volunteers/calendar/?year=2026")
    next_year = client.get("/volunteers/calendar/?year=2027")

    assert (this_year["X-Portal-Cache"], next_year["X-Portal-Cache"]) == ("miss", "miss")
    assert '<strong class="fs-4">2026</strong>' in this_year.content.decode()
    assert '<strong class="fs-4">2027</strong>' in next_year.content.decode()
    assert len(page_keys()) == 2


def test_many_made_up_parameters_make_no_new_entries(client):
    for n in range(30):
        client.get(f"/?junk{n}={n}")
        client.get(f"/announcements/?x={n}")

    assert len(page_keys()) == 2


def test_a_page_without_parameters_ignores_every_parameter(client):
    assert client.get("/fund/")["X-Portal-Cache"] == "miss"
    assert client.get("/fund/?page=9&year=1999")["X-Portal-Cache"] == "hit"


def test_a_crawlers_parameter_never_shows_in_the_stored_page(client):
    body = client.get("/?planted=evil-marker").content.decode()

    assert "evil-marker" not in body
    assert "planted" not in body
    assert client.get("/")["X-Portal-Cache"] == "hit"


def test_a_logged_in_resident_is_not_served_from_the_cache(client, resident):
    client.force_login(resident)

    response = client.get("/volunteers/calendar/?year=2027&utm=x")

    assert "X-Portal-Cache" not in response
    assert '<strong class="fs-4">2027</strong>' in response.content.decode()


def test_the_normalised_query_keeps_declared_names_sorted_and_bounded():
    raw = QueryDict(mutable=True)
    raw.setlist("zeta", ["1"])
    raw.setlist("alpha", [f"{n}" * 500 for n in range(9)])
    raw.setlist("other", ["dropped"])

    kept = _normalised_query(raw, ("zeta", "alpha", "missing"))

    assert list(kept.keys()) == ["alpha", "zeta"]
    assert len(kept.getlist("alpha")) == QUERY_VALUES_PER_PARAM
    assert all(len(v) == QUERY_VALUE_CHARS for v in kept.getlist("alpha"))
    assert "other" not in kept
    assert len(kept.urlencode()) < 1000


def test_a_long_hostile_path_makes_no_long_key():
    """A path of any length is kept in a key as its hash: every key fits a memcached's 250."""
    from django.test import RequestFactory

    from portal.cache import KEY_PATH_CHARS, _page_key

    short = _page_key("p", RequestFactory().get("/fund/"))
    long = _page_key("p", RequestFactory().get("/volunteers/teams/" + "x" * 5000 + "/"))
    assert short.endswith("testserver/fund/")
    assert len(long) < 250 and "x" * KEY_PATH_CHARS not in long
