"""Behind a reverse proxy, per-IP limits count each visitor, not the proxy."""

import os
import subprocess
import sys

import pytest

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PROXY = "10.0.0.1"  # every request reaches the app server from the proxy
IP_FAILURES_ALLOWED = 10  # ACCOUNT_RATE_LIMITS["login_failed"]: 10 per minute per address


def fail_from(client, forwarded_for, login):
    return client.post(
        LOGIN,
        {"login": login, "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def refused_for_too_many(response) -> bool:
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    return "too_many_login_attempts" in codes


def spend_the_address(client, forwarded_for):
    # Each attempt on a different number, so no account's own counter fills up.
    for n in range(IP_FAILURES_ALLOWED):
        response = fail_from(client, forwarded_for, f"1370000{n:04d}")
        assert not refused_for_too_many(response)


@pytest.fixture
def one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_behind_one_proxy_one_visitors_failures_do_not_block_another(client, one_proxy):
    make_user("邻居", mobile="13800000010")
    spend_the_address(client, "203.0.113.5")

    assert refused_for_too_many(fail_from(client, "203.0.113.5", "13799999999"))
    other = client.post(
        LOGIN,
        {"login": "13800000010", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 302


def test_behind_one_proxy_a_visitor_cannot_dodge_the_limit_with_a_forged_header(client, one_proxy):
    # The proxy appends the address it saw; what the visitor wrote before it is ignored.
    for n in range(IP_FAILURES_ALLOWED):
        fail_from(client, f"192.0.2.{n}, 203.0.113.5", f"1370000{n:04d}")

    assert refused_for_too_many(fail_from(client, "192.0.2.99, 203.0.113.5", "13799999999"))


def test_without_a_proxy_setting_a_forged_header_is_ignored(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(IP_FAILURES_ALLOWED):
        fail_from(client, f"192.0.2.{n}", f"1370000{n:04d}")

    assert refused_for_too_many(fail_from(client, "192.0.2.200", "13799999999"))


def test_a_garbage_forwarded_address_is_refused_not_a_server_error(client, one_proxy):
    response = fail_from(client, "not-an-address", "13800000010")

    assert response.status_code in {400, 403}


def test_fewer_forwarded_addresses_than_proxies_is_refused_not_a_server_error(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2

    response = fail_from(client, "203.0.113.5", "13800000010")

    assert response.status_code == 403


def _settings(env):
    full = {k: v for k, v in os.environ.items() if k not in {"TRUSTED_PROXY_COUNT", "DEBUG"}}
    full.update(env)
    code = (
        "from portal import settings as s; "
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "s.USE_X_FORWARDED_HOST)"
    )
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("env", "printed"),
    [
        ({}, "0 None False"),
        ({"TRUSTED_PROXY_COUNT": "1"}, "1 ('HTTP_X_FORWARDED_PROTO', 'https') False"),
        (
            {"TRUSTED_PROXY_COUNT": "2", "USE_X_FORWARDED_HOST": "1"},
            "2 ('HTTP_X_FORWARDED_PROTO', 'https') True",
        ),
        ({"USE_X_FORWARDED_HOST": "1"}, "0 None False"),
    ],
    ids=["no-proxy", "one-proxy", "two-proxies-forwarded-host", "forwarded-host-needs-a-proxy"],
)
def test_the_proxy_count_sets_allauth_and_djangos_forwarded_headers(env, printed):
    result = _settings(env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == printed


@pytest.mark.parametrize("value", ["-1", "one"], ids=["negative", "not-a-number"])
def test_a_bad_proxy_count_is_refused_loudly(value):
    result = _settings({"TRUSTED_PROXY_COUNT": value})

    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr
