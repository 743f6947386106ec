"""Browser tests: Playwright driving Debian's Chromium at a phone-sized viewport.

They skip with a clear message where no Chromium is installed (`apt-get install chromium`).
"""

import os
import shutil

import pytest

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

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright package (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh phone-sized page (360×740, touch) whose relative URLs go to the live server."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    artifacts = os.environ.get("PORTAL_TEST_ARTIFACTS")
    if artifacts:
        os.makedirs(artifacts, exist_ok=True)
        page.screenshot(path=os.path.join(artifacts, f"{os.getpid()}-{id(page)}.png"))
    context.close()


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
