"""Checks the modules' cache tests share."""


def visitor_page_is_cached(client, url) -> str:
    """GET `url` twice as a visitor: a miss then a hit with the same body and no CSRF token (a
    stored page is the same for everyone). Returns the body for the caller's privacy checks."""
    first = client.get(url)
    second = client.get(url)
    assert (first["X-Portal-Cache"], second["X-Portal-Cache"]) == ("miss", "hit"), url
    assert second.content == first.content, url
    body = first.content.decode()
    # No form that needs a token: a visitor is sent to log in instead.
    assert "csrfmiddlewaretoken" not in body, url
    return body


def modules_changed() -> None:
    """Make every module's cached pages, parts and figures stale, as a write in each would: what
    a page costs in real use after a change (the session, the user and the community's settings
    stay cached, as they do). Query-count tests measure after it, so a page or part kept from an
    earlier request cannot hide a query that grows with the data."""
    from portal import modules
    from portal.cache import changed

    changed("people", *modules.labels())
