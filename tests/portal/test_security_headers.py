"""Security headers on every response, no inline script or style, cookies, "remember me"."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

INLINE = re.compile(
    r"""\sstyle\s*=|<style[\s>]|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=\s*["']""",
    re.IGNORECASE,
)

VISITOR_PAGES = [
    "/",
    "/announcements/",
    "/privacy/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/signup/sent/",
    "/volunteers/",
    "/volunteers/teams/",
    "/volunteers/calendar/",
    "/volunteers/verify/",
    "/events/",
    "/canteen/",
    "/classes/",
    "/fund/",
]
RESIDENT_PAGES = [
    "/me/",
    "/me/household/",
    "/volunteers/me/schedule/",
    "/volunteers/me/hours/",
    "/events/my/",
    "/canteen/me/",
    "/canteen/me/card/",
    "/classes/mine/",
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/phone/change/",
]
STAFF_PAGES = [
    "/admin/",
    "/admin/portal/user/",
    "/admin/portal/user/add/",
    "/admin/portal/community/1/change/",
    "/events/staff/",
    "/canteen/counter/",
    "/canteen/staff/week/",
    "/canteen/staff/settlement/",
    "/classes/teach/",
    "/classes/statistics/",
    "/fund/manage/",
    "/volunteers/coordinator/",
]


@pytest.fixture
def superuser(db):
    user = make_user("超级管理员", role_list=[])
    user.is_superuser = user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    return user


def csp_directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


# --- Content-Security-Policy and Permissions-Policy ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/accounts/login/"),
        ("post", "/accounts/login/"),
        ("get", "/no-such-page/"),
        ("get", "/admin/"),
        ("get", "/me/"),
        ("post", "/language/"),
    ],
    ids=["home", "login", "login-post", "not-found", "admin-redirect", "login-redirect", "switch"],
)
def test_every_response_carries_the_csp_and_permissions_policy(client, method, path):
    response = getattr(client, method)(path)

    directives = csp_directives(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in policy


def test_a_view_may_set_its_own_policy(rf):
    from django.http import HttpResponse

    from portal.middleware import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/"))

    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert "Permissions-Policy" in response


def _assert_no_inline(client, paths):
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        found = INLINE.findall(response.content.decode())
        assert not found, (path, found)


def test_public_pages_have_no_inline_script_style_or_handlers(client):
    _assert_no_inline(client, VISITOR_PAGES)


def test_resident_pages_have_no_inline_script_style_or_handlers(client, resident):
    client.force_login(resident)

    _assert_no_inline(client, RESIDENT_PAGES)


def test_staff_pages_and_the_admin_have_no_inline_script_style_or_handlers(
    client, superuser, resident
):
    client.force_login(superuser)
    pages = [*STAFF_PAGES, f"/admin/portal/user/{resident.pk}/change/"]

    _assert_no_inline(client, pages)


# The saved ticket is a file kept on the phone, opened without a connection (so without any
# header): its styles must travel inside it.
SELF_CONTAINED = {"events/templates/events/ticket_download.html"}


def test_no_template_of_ours_has_inline_script_style_or_handlers():
    root = Path(django_settings.BASE_DIR)
    templates = [
        path
        for folder in (
            "templates",
            "portal",
            "volunteers",
            "events",
            "canteen",
            "classes",
            "alliance",
        )
        for path in (root / folder).rglob("*.html")
    ]
    assert len(templates) > 50
    offenders = {
        # Template tags are not markup: `{% include … with style="top" %}` is a variable.
        str(path.relative_to(root)): INLINE.findall(
            re.sub(r"{%.*?%}", "", path.read_text(encoding="utf-8"))
        )
        for path in templates
        if str(path.relative_to(root)) not in SELF_CONTAINED
    }
    assert {name: found for name, found in offenders.items() if found} == {}


# --- cookies --------------------------------------------------------------------------------


def test_the_language_cookie_is_lax_and_secure_in_production(client, settings):
    settings.LANGUAGE_COOKIE_SECURE = True

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


def test_the_text_size_cookie_is_lax_and_secure_in_production(client, settings):
    settings.LANGUAGE_COOKIE_SECURE = True

    response = client.post(reverse("text-size"), {"large": "1", "next": "/"})

    cookie = response.cookies["portal_large_text"]
    assert cookie.value == "1"
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


def test_production_settings_make_the_cookies_secure():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    env.update(DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="a.example")
    code = (
        "from portal import settings as s; print(s.LANGUAGE_COOKIE_SECURE, "
        "s.LANGUAGE_COOKIE_SAMESITE, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )

    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "Lax", "True", "True"]


# --- remember me ----------------------------------------------------------------------------


def test_the_log_in_form_offers_remember_me(client):
    client.cookies["portal_language"] = "en"

    html = client.get("/accounts/login/").content.decode()

    assert 'name="remember"' in html
    assert "Remember Me" in html


def test_without_remember_me_the_session_ends_with_the_browser(client, resident):
    response = client.post("/accounts/login/", {"login": resident.mobile, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.get_expire_at_browser_close()
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]


def test_with_remember_me_the_session_lasts_thirty_days(client, resident):
    response = client.post(
        "/accounts/login/", {"login": resident.mobile, "password": PASSWORD, "remember": "on"}
    )

    assert response.status_code == 302
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 60 * 60 * 24 * 30
    assert int(response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"]) == 2592000
