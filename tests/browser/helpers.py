"""Browser test helpers: the Chromium path, the phone viewport, `log_in`, `wait_until_it_fits`."""

import os

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def wait_until_it_fits(page, width=PHONE["width"], timeout=3.0):
    """Wait (up to `timeout` s) until the page is no wider than the phone, else fail.

    Right after a redirect Chromium may lay the new page out once at a transient width (seen:
    428 px for under 200 ms); what the resident sees is the settled layout. Polled from here:
    Playwright's `wait_for_function` re-evaluates its string inside the page, which the
    portal's CSP (no 'unsafe-eval') refuses whenever the first check does not already pass.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll <= width:
            return
        assert time.monotonic() < deadline, f"the page is {scroll} px wide on a {width}-px phone"
        page.wait_for_timeout(50)


def log_in(page, user, password=PASSWORD, next_url="/"):
    """Log in through the real form with the user's mobile number."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=login]", user.mobile)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
