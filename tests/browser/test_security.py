"""The Content-Security-Policy blocks nothing the portal and its admin need, at 360 px."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def watch_csp(page) -> list[str]:
    """Collect what the browser reports the policy blocked."""
    blocked = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return blocked


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_public_pages_and_the_log_in_form_run_under_the_policy(page):
    blocked = watch_csp(page)

    for url in ("/", "/accounts/signup/", "/accounts/signup/sent/", "/classes/", "/events/"):
        page.goto(url)
        assert fits_the_phone(page), url

    page.goto("/accounts/login/")
    expect(page.locator("input[name=remember]")).to_be_visible()
    assert fits_the_phone(page)
    assert blocked == []


def test_the_admins_scripts_and_styles_run_under_the_policy(page):
    admin = make_user("超级管理员", role_list=[])
    admin.is_superuser = admin.is_staff = True
    admin.save(update_fields=["is_superuser", "is_staff"])
    resident = make_user("王居民")
    blocked = watch_csp(page)
    log_in(page, admin)

    page.goto(f"/admin/portal/user/{resident.pk}/change/")

    # The two-list group chooser is drawn by the admin's own script.
    expect(page.locator(".selector").first).to_be_visible()
    assert blocked == []
