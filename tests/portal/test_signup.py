"""Signing up and logging in with a mainland mobile number or an email address."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from portal import roles
from portal.models import HouseholdMember, User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def signup_data(**overrides):
    data = {
        "phone": "13912345678",
        "email": "",
        "real_name": "赵新居民",
        "birth_date": "1990-01-02",
        "password1": "Neighbour-2026!",
        "password2": "Neighbour-2026!",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def test_a_resident_signs_up_with_a_mobile_number_and_gets_a_household(client):
    response = client.post(SIGNUP, signup_data(phone="+86 139-1234-5678"))

    assert response.status_code == 302
    user = User.objects.get(mobile="13912345678")
    assert user.real_name == "赵新居民"
    assert str(user.birth_date) == "1990-01-02"
    assert user.privacy_consented_at is not None
    assert user.has_role(roles.RESIDENT)
    assert user.household_id is not None
    me = HouseholdMember.objects.get(user=user)
    assert me.relation == HouseholdMember.Relation.SELF
    assert me.household_id == user.household_id


def test_a_resident_signs_up_with_only_an_email(client):
    response = client.post(SIGNUP, signup_data(phone="", email="zhao@example.com"))

    assert response.status_code == 302
    user = User.objects.get(email="zhao@example.com")
    assert user.mobile is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "12345678901"}, "phone", "11 digits starting with 13–19"),
        ({"phone": "1391234567"}, "phone", "11 digits starting with 13–19"),
        ({"phone": "", "email": ""}, None, "Enter a mobile number or an email address"),
        ({"birth_date": "2999-01-01"}, "birth_date", "cannot be in the future"),
        ({"privacy_consent": ""}, "privacy_consent", "agree to the privacy notice"),
        ({"real_name": ""}, "real_name", "This field is required"),
    ],
    ids=[
        "bad-prefix",
        "too-short",
        "neither-phone-nor-email",
        "future-birth",
        "no-consent",
        "no-name",
    ],
)
def test_bad_sign_up_input_is_refused_with_a_clear_error_and_creates_nobody(
    client, overrides, field, message
):
    client.cookies["portal_language"] = "en"
    response = client.post(SIGNUP, signup_data(**overrides))

    assert response.status_code == 200
    form = response.context["form"]
    with translation.override("en"):  # lazy messages are read after the response
        errors = [str(e) for e in (form.errors.get(field) if field else form.non_field_errors())]
    assert errors and message in " ".join(errors)
    assert not User.objects.filter(real_name="赵新居民").exists()


def test_errors_are_in_chinese_by_default(client):
    response = client.post(SIGNUP, signup_data(phone="12345"))

    assert "请输入中国大陆手机号" in response.content.decode()


def test_a_mobile_number_already_registered_creates_nobody_and_is_not_named(client, resident):
    before = User.objects.count()

    response = client.post(SIGNUP, signup_data(phone=resident.mobile))

    assert response.status_code == 302
    assert response.url == reverse("signup-sent")
    assert User.objects.count() == before


def test_an_email_already_registered_creates_nobody_and_is_not_named(client):
    make_user("旧居民", email="taken@example.com")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=User.objects.get(email="taken@example.com"), email="taken@example.com", primary=True
    )
    before = User.objects.count()

    response = client.post(SIGNUP, signup_data(phone="", email="taken@example.com"))

    assert response.status_code == 302
    assert response.url == reverse("signup-sent")
    assert User.objects.count() == before


@pytest.mark.parametrize("login", ["13900009999", "139 0000 9999", "wang@example.com"])
def test_a_resident_logs_in_with_mobile_or_email(client, login):
    make_user("王居民", mobile="13900009999", email="wang@example.com")
    from allauth.account.models import EmailAddress

    user = User.objects.get(mobile="13900009999")
    EmailAddress.objects.create(user=user, email="wang@example.com", primary=True, verified=True)

    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})

    assert response.status_code == 302
    assert response.wsgi_request.user == user


def test_a_wrong_password_is_refused(client, resident):
    response = client.post("/accounts/login/", {"login": resident.mobile, "password": "nope"})

    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_the_signup_and_login_pages_use_the_portal_look(client):
    for url in (SIGNUP, "/accounts/login/", "/accounts/password/reset/"):
        html = client.get(url).content.decode()
        assert 'class="bottom-nav' in html, url
        assert "bootstrap.min.css" in html, url


def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def test_login_required_pages_send_visitors_to_the_login(client):
    for name in ("profile", "household"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
