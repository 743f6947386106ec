"""The failed-login counter: one per account, however its mobile or email is typed."""

import pytest
from allauth.account.models import EmailAddress

from portal.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
# ACCOUNT_RATE_LIMITS["login_failed"] allows 5 failures per account in 5 minutes.
FAILURES_ALLOWED = 5


def log_in(client, login, password=PASSWORD):
    if "_auth_user_id" in client.session:
        client.logout()
    return client.post(LOGIN, {"login": login, "password": password})


def logged_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def lock_out(client, login):
    for _ in range(FAILURES_ALLOWED):
        response = log_in(client, login, "wrong-password")
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated


def too_many_attempts(response) -> bool:
    return response.status_code == 200 and "too_many_login_attempts" in [
        error.code for error in response.context["form"].non_field_errors().as_data()
    ]


@pytest.fixture
def email_user(db):
    user = make_user("邮箱居民", email="mail.user@example.com")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def test_a_locked_mobile_account_does_not_lock_another_mobile_account(client):
    target = make_user("被猜者", mobile="13800000009")
    other = make_user("邻居", mobile="13800000010")

    lock_out(client, target.mobile)

    assert too_many_attempts(log_in(client, target.mobile))
    response = log_in(client, other.mobile)
    assert logged_in(response)
    assert response.wsgi_request.user == other


def test_a_locked_mobile_account_does_not_lock_an_email_account(client, email_user):
    make_user("被猜者", mobile="13800000009")

    lock_out(client, "13800000009")

    response = log_in(client, "mail.user@example.com")
    assert logged_in(response)
    assert response.wsgi_request.user == email_user


@pytest.mark.parametrize(
    "typed_later",
    ["13800000009", "+86 138 0000 0009", "138-0000-0009", "0086 13800000009"],
    ids=["digits", "plus86-spaces", "dashes", "0086"],
)
@pytest.mark.parametrize(
    "typed_first", ["13800000009", "+86 138 0000 0009", "138-0000-0009"], ids=str
)
def test_a_locked_mobile_is_locked_however_it_is_typed(client, typed_first, typed_later):
    make_user("被猜者", mobile="13800000009")

    lock_out(client, typed_first)

    assert too_many_attempts(log_in(client, typed_later))
    assert not User.objects.get(mobile="13800000009").last_login


def test_failures_typed_in_different_ways_add_up_on_one_mobile(client):
    make_user("被猜者", mobile="13800000009")
    ways = ["13800000009", "+86 138 0000 0009", "138-0000-0009", "138 0000 0009", "+8613800000009"]

    for typed in ways:
        assert not logged_in(log_in(client, typed, "wrong-password"))

    assert too_many_attempts(log_in(client, "13800000009"))


@pytest.mark.parametrize(
    "typed_later",
    ["mail.user@example.com", "MAIL.USER@EXAMPLE.COM", "Mail.User@Example.com"],
    ids=["lower", "upper", "mixed"],
)
def test_a_locked_email_is_locked_in_any_case(client, email_user, typed_later):
    lock_out(client, "Mail.User@example.COM")

    assert too_many_attempts(log_in(client, typed_later))


def test_a_locked_email_account_does_not_lock_mobile_accounts(client, email_user):
    neighbour = make_user("邻居", mobile="13800000010")

    lock_out(client, email_user.email)

    assert too_many_attempts(log_in(client, email_user.email))
    assert logged_in(log_in(client, neighbour.mobile))


def test_a_few_wrong_passwords_do_not_lock_the_account(client):
    make_user("手误", mobile="13800000009")

    for _ in range(FAILURES_ALLOWED - 1):
        log_in(client, "13800000009", "wrong-password")

    assert logged_in(log_in(client, "138 0000 0009"))


def test_the_lock_out_message_is_translated(client):
    make_user("被猜者", mobile="13800000009")
    lock_out(client, "13800000009")

    chinese = log_in(client, "13800000009").content.decode()
    client.cookies["portal_language"] = "en"
    english = log_in(client, "13800000009").content.decode()

    assert "Too many failed login attempts" in english
    assert "Too many failed login attempts" not in chinese


def test_a_password_reset_by_email_unlocks_the_accounts_mobile_log_in_too(client, rf):
    from allauth.account.adapter import get_adapter

    make_user("忘密码", mobile="13800000009", email="forgot@example.com")
    lock_out(client, "13800000009")
    request = rf.post("/accounts/password/reset/key/")

    # What allauth calls once the new password is set from the emailed link.
    get_adapter(request)._delete_login_attempts_cached_email(request, email="Forgot@example.com")

    assert logged_in(log_in(client, "13800000009"))
