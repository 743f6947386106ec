"""Error pages: our own look, the person's language, phone-sized, with a way back."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import path

from portal import urls as portal_urls


def _boom(request):
    raise RuntimeError("a bug")


def _bad(request):
    raise SuspiciousOperation("a forged value")


def _denied(request):
    raise PermissionDenied


urlpatterns = [
    path("test-boom/", _boom),
    path("test-bad/", _bad),
    path("test-denied/", _denied),
    *portal_urls.urlpatterns,
]
handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _assert_our_page(response, status, *texts):
    html = response.content.decode()
    assert response.status_code == status
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "css/portal.css" in html
    assert 'href="/"' in html or 'href="/">' in html
    for text in texts:
        assert text in html, text
    return html


def test_a_missing_page_answers_in_chinese_in_our_look(client, community):
    response = client.get("/no-such-page/")
    html = _assert_our_page(response, 404, "找不到", community.name)
    assert '<html lang="zh-hans"' in html


def test_a_missing_page_answers_in_english_for_an_english_reader(client, community):
    client.cookies["portal_language"] = "en"
    response = client.get("/no-such-page/")
    html = _assert_our_page(response, 404, "We could not find that page")
    assert '<html lang="en"' in html


def test_the_error_pages_give_the_community_office_phone(client, community):
    community.phone = "028-8888 0000"
    community.save()
    response = client.get("/no-such-page/")
    _assert_our_page(response, 404, "028-8888 0000", 'href="tel:028-88880000"')


def test_a_bad_request_is_a_400_in_our_look(client, community):
    _assert_our_page(client.get("/test-bad/"), 400, "没有做任何改动")


def test_a_refusal_offers_a_visitor_the_log_in(client, community):
    html = _assert_our_page(client.get("/test-denied/"), 403)
    assert "/accounts/login/" in html


def test_a_refusal_to_a_logged_in_resident_points_to_the_office(client, resident):
    client.force_login(resident)
    html = _assert_our_page(client.get("/test-denied/"), 403, "社区")
    assert "/accounts/login/" not in html.split('<main id="main"')[1]


def test_a_server_error_shows_our_page_without_a_traceback(community):
    client = Client(raise_request_exception=False)
    response = client.get("/test-boom/")
    html = _assert_our_page(response, 500, community.name)
    assert "Traceback" not in html and "RuntimeError" not in html


def test_a_failed_csrf_check_explains_and_keeps_the_look(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post("/text-size/", {"large": "1", "next": "/"})
    _assert_our_page(response, 403, "重新")
    resident.refresh_from_db()
    assert resident.large_text is False
