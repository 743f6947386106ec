"""The test run leaves no connection behind, so pytest can drop the test database at the end."""

import http.client
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection


def _other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_live_server_keeps_no_connection_between_requests(live_server):
    """A browser keeps its connection to the live server open between pages (keep-alive), and
    the live server outlives the test database (session fixtures end in reverse order, and the
    browser tests come first): a connection kept after a request would stop the database from
    being dropped."""
    url = urlsplit(live_server.url)
    # Sessions another test may still hold (a request in flight) are not this request's: what
    # must hold is that serving a page leaves no new connection behind.
    before = _other_sessions()
    browser = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        browser.request("GET", "/classes/")
        response = browser.getresponse()
        response.read()
        assert response.status == 200
        assert not response.getheader("Connection", "").lower() == "close"
        # The server closes its connection when the response is closed, which is just after the
        # last byte reaches the browser: give it a moment, then it must be gone.
        deadline = time.monotonic() + 5
        while _other_sessions() > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _other_sessions() <= before
    finally:
        browser.close()
