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
