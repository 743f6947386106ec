"""Sign-up and password reset do not tell a stranger who is registered."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from portal.models import User
from tests.factories import make_user
from tests.portal.test_signup import SIGNUP, signup_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(db):
    user = make_user("老住户", mobile="13800000009", email="old@example.com")
    user.language = "en"
    user.save(update_fields=["language"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def sign_up(client, capture, **overrides):
    with capture(execute=True):
        return client.post(SIGNUP, signup_data(**overrides))


def test_signing_up_with_a_registered_email_mails_its_owner_instead_of_saying_so(
    client, registered, django_capture_on_commit_callbacks
):
    before = User.objects.count()

    response = sign_up(
        client, django_capture_on_commit_callbacks, phone="", email="OLD@example.com"
    )

    assert response.status_code == 302
    assert response.url == reverse("signup-sent")
    assert User.objects.count() == before
    assert not response.wsgi_request.user.is_authenticated
    assert [m.to for m in mail.outbox] == [["old@example.com"]]
    assert "You already have an account" in mail.outbox[0].body  # in the owner's language
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_signing_up_with_a_registered_mobile_does_not_say_it_is_registered(
    client, registered, django_capture_on_commit_callbacks
):
    before = User.objects.count()

    response = sign_up(client, django_capture_on_commit_callbacks, phone="+86 138-0000-0009")

    assert response.status_code == 302
    assert response.url == reverse("signup-sent")
    assert User.objects.count() == before
    registered.refresh_from_db()
    assert registered.real_name == "老住户"
    # The owner has an email: told there (a text follows once texts are sent).
    assert [m.to for m in mail.outbox] == [["old@example.com"]]


def test_a_registered_mobile_and_a_registered_email_land_on_the_same_page(
    client, registered, django_capture_on_commit_callbacks
):
    by_mobile = sign_up(client, django_capture_on_commit_callbacks, phone=registered.mobile)
    by_email = sign_up(client, django_capture_on_commit_callbacks, phone="", email=registered.email)

    assert by_mobile.status_code == by_email.status_code == 302
    assert by_mobile.url == by_email.url


def test_the_check_your_messages_page_names_no_account(client, registered):
    client.cookies["portal_language"] = "en"

    html = client.get(reverse("signup-sent")).content.decode()

    assert "Check your messages" in html
    assert "already registered" not in html
    assert registered.mobile not in html


def test_the_check_your_messages_page_is_in_chinese_by_default(client):
    html = client.get(reverse("signup-sent")).content.decode()

    assert "Check your messages" not in html
    assert "请查收" in html


def test_a_new_mobile_still_signs_up_and_logs_in(client, registered):
    response = client.post(SIGNUP, signup_data(phone="13912340000"))

    assert response.status_code == 302
    assert response.url != reverse("signup-sent")
    assert User.objects.filter(mobile="13912340000").exists()
    assert response.wsgi_request.user.is_authenticated


def test_the_owner_is_told_at_most_once_a_day(
    client, registered, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr(
        "portal.delivery.queue_message", lambda **kwargs: calls.append(kwargs) or None
    )

    sign_up(client, django_capture_on_commit_callbacks, phone=registered.mobile)
    sign_up(client, django_capture_on_commit_callbacks, phone=registered.mobile)

    assert {c["channel"] for c in calls} == {"email", "sms"}
    assert all(c["user"] == registered for c in calls)
    # The queue sends one message per key: both attempts of the day share their keys.
    assert len({c["key"] for c in calls}) == 2


def test_a_password_reset_for_an_unknown_email_looks_like_a_known_one(
    client, registered, django_capture_on_commit_callbacks
):
    # allauth's mails go through the delivery queue, sent after commit.
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
        known = client.post(reverse("account_reset_password"), {"email": registered.email})

    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    # The stranger's address gets nothing; the owner gets the reset link.
    assert [m.to for m in mail.outbox] == [[registered.email]]


def test_the_check_your_messages_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    client.get(reverse("signup-sent"))  # the community, read once into the cache

    with django_assert_max_num_queries(1):
        response = client.get(reverse("signup-sent"))

    assert response.status_code == 200
