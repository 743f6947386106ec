"""Verified mobiles: a code at sign-up or on change, log-in by code, a new password by code,
and staff confirming a number in person."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.timezone import now

from portal import sms
from portal.models import Delivery, User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

REQUEST_CODE = reverse("account_request_login_code")
CONFIRM_CODE = reverse("account_confirm_login_code")
NEW_PASSWORD = reverse("new-password-after-code")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Each request's after-commit work (the queue hands the text to the backend) runs."""

    def post(client, url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return post


@pytest.fixture
def verification_on(settings):
    settings.ACCOUNT_PHONE_VERIFICATION_ENABLED = True


def last_code(number):
    texts = [m for m in sms.outbox if m.to == number]
    assert texts, f"no text to {number}"
    assert texts[-1].kind == "verification_code"
    return texts[-1].params["code"]


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_a_resident_logs_in_with_a_code_sent_to_their_mobile(client, resident, run_on_commit):
    response = run_on_commit(client, REQUEST_CODE, {"phone": resident.mobile})
    assert response.status_code == 302 and response["Location"] == CONFIRM_CODE

    code = last_code(resident.mobile)
    assert code.isdigit() and len(code) == 6  # as mainland services send them
    assert code in sms.outbox[-1].text
    row = Delivery.objects.get(kind="verification_code")
    assert row.urgent and row.state == "sent" and row.to == resident.mobile

    response = run_on_commit(client, CONFIRM_CODE, {"code": code})
    assert response.status_code == 302
    assert logged_in_as(client) == str(resident.pk)
    resident.refresh_from_db()
    assert resident.mobile_verified and resident.mobile_verified_by is None


def test_a_code_is_sent_even_in_quiet_hours(client, resident, run_on_commit, time_machine):
    time_machine.move_to(now().replace(hour=15, minute=30))  # 23:30 in Shanghai
    run_on_commit(client, REQUEST_CODE, {"phone": resident.mobile})
    assert last_code(resident.mobile)


def test_a_wrong_code_is_refused_and_attempts_are_limited(client, resident, run_on_commit):
    run_on_commit(client, REQUEST_CODE, {"phone": resident.mobile})
    code = last_code(resident.mobile)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(3):
        response = run_on_commit(client, CONFIRM_CODE, {"code": wrong})
        assert logged_in_as(client) is None
    response = run_on_commit(client, CONFIRM_CODE, {"code": code}, follow=True)
    assert logged_in_as(client) is None
    assert response.status_code == 200


def test_a_code_expires(client, resident, run_on_commit, time_machine):
    run_on_commit(client, REQUEST_CODE, {"phone": resident.mobile})
    code = last_code(resident.mobile)
    time_machine.move_to(now() + timedelta(minutes=6))
    run_on_commit(client, CONFIRM_CODE, {"code": code}, follow=True)
    assert logged_in_as(client) is None


def test_asking_for_codes_is_rate_limited_per_number(client, resident, run_on_commit):
    run_on_commit(client, REQUEST_CODE, {"phone": resident.mobile})
    other = client.__class__()
    response = run_on_commit(other, REQUEST_CODE, {"phone": resident.mobile})
    assert response.status_code == 200
    assert "验证码请求过于频繁" in response.content.decode()  # Chinese by default
    assert len([m for m in sms.outbox if m.to == resident.mobile]) == 1


def test_asking_for_codes_is_rate_limited_per_address(client, run_on_commit):
    people = [make_user(f"居民{n}") for n in range(21)]
    answers = []
    for person in people:
        fresh = client.__class__()
        answers.append(run_on_commit(fresh, REQUEST_CODE, {"phone": person.mobile}))
    assert [a.status_code for a in answers[:20]] == [302] * 20
    assert answers[20].status_code == 200  # the form again, with the reason
    assert "验证码请求过于频繁" in answers[20].content.decode()
    assert len(sms.outbox) == 20


@pytest.mark.parametrize("prevent_enumeration", [False, True], ids=["told", "enumeration-safe"])
def test_no_code_is_sent_to_a_number_with_no_account(
    client, run_on_commit, settings, prevent_enumeration
):
    settings.ACCOUNT_PREVENT_ENUMERATION = prevent_enumeration
    response = run_on_commit(client, REQUEST_CODE, {"phone": "13799998888"})
    # Told plainly, or (with enumeration prevention) sent on as if a code went: either way no
    # text costs money or pesters a stranger.
    assert response.status_code in (200, 302)
    assert sms.outbox == [] and not Delivery.objects.exists()


def test_hostile_code_requests_get_a_form_error(client, run_on_commit):
    response = run_on_commit(client, REQUEST_CODE, {"phone": "<script>" * 50})
    assert response.status_code == 200
    assert "11 digits" in response.content.decode() or "11位" in response.content.decode()
    assert sms.outbox == []


def test_a_forgotten_password_is_replaced_after_a_code_to_the_mobile(
    client, resident, run_on_commit
):
    page = client.get(reverse("account_reset_password"))
    assert f"{REQUEST_CODE}?next=" in page.content.decode()

    run_on_commit(client, REQUEST_CODE + f"?next={NEW_PASSWORD}", {"phone": resident.mobile})
    response = run_on_commit(
        client, CONFIRM_CODE, {"code": last_code(resident.mobile), "next": NEW_PASSWORD}
    )
    assert response["Location"] == NEW_PASSWORD

    assert client.get(NEW_PASSWORD).status_code == 200
    response = run_on_commit(
        client,
        NEW_PASSWORD,
        {"new_password1": "Fresh-Password-2027", "new_password2": "Fresh-Password-2027"},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("Fresh-Password-2027")
    assert logged_in_as(client) == str(resident.pk)  # still logged in

    # One code, one new password.
    assert client.get(NEW_PASSWORD)["Location"] == REQUEST_CODE


def test_a_password_session_cannot_set_a_new_password_without_the_old(
    client, resident, run_on_commit
):
    client.post(reverse("account_login"), {"login": resident.mobile, "password": PASSWORD})
    assert logged_in_as(client) == str(resident.pk)
    response = run_on_commit(
        client,
        NEW_PASSWORD,
        {"new_password1": "Fresh-Password-2027", "new_password2": "Fresh-Password-2027"},
    )
    assert response["Location"] == REQUEST_CODE
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_the_new_password_window_closes(client, resident, run_on_commit, time_machine):
    run_on_commit(client, REQUEST_CODE, {"phone": resident.mobile})
    run_on_commit(client, CONFIRM_CODE, {"code": last_code(resident.mobile)})
    time_machine.move_to(now() + timedelta(minutes=16))
    assert client.get(NEW_PASSWORD)["Location"] == REQUEST_CODE


def signup_data(**overrides):
    data = {
        "phone": "13912340000",
        "email": "",
        "real_name": "冯新居民",
        "birth_date": "1990-01-02",
        "password1": "Neighbour-2026!",
        "password2": "Neighbour-2026!",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def test_with_verification_on_sign_up_needs_the_code_sent_to_the_mobile(
    client, verification_on, run_on_commit
):
    response = run_on_commit(client, reverse("account_signup"), signup_data())
    assert response["Location"] == reverse("account_verify_phone")
    user = User.objects.get(mobile="13912340000")
    assert not user.mobile_verified
    assert logged_in_as(client) is None

    response = run_on_commit(
        client, reverse("account_verify_phone"), {"code": last_code("13912340000")}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.mobile_verified and user.mobile_verified_at is not None
    assert logged_in_as(client) == str(user.pk)


def test_with_verification_on_a_wrong_sign_up_code_leaves_the_number_unverified(
    client, verification_on, run_on_commit
):
    run_on_commit(client, reverse("account_signup"), signup_data())
    code = last_code("13912340000")
    run_on_commit(client, reverse("account_verify_phone"), {"code": "x" + code[1:]})
    assert not User.objects.get(mobile="13912340000").mobile_verified
    assert logged_in_as(client) is None


def test_with_verification_off_sign_up_logs_in_at_once_unverified(client, run_on_commit):
    response = run_on_commit(client, reverse("account_signup"), signup_data())
    assert response.status_code == 302
    user = User.objects.get(mobile="13912340000")
    assert logged_in_as(client) == str(user.pk)
    assert not user.mobile_verified
    assert sms.outbox == []


def test_with_verification_on_a_new_mobile_needs_the_code_sent_to_it(
    client, verification_on, run_on_commit
):
    person = make_user("褚居民", mobile="13755550000", mobile_verified=True)
    client.force_login(person)
    response = client.get(reverse("profile"))
    assert reverse("account_change_phone") in response.content.decode()
    assert 'name="save_mobile"' not in response.content.decode()

    # The profile's direct change is refused.
    response = run_on_commit(
        client, reverse("profile"), {"save_mobile": "1", "mobile": "13755551111"}
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.mobile == "13755550000" and person.mobile_verified

    run_on_commit(client, reverse("account_change_phone"), {"phone": "13755551111"})
    code = last_code("13755551111")
    person.refresh_from_db()
    assert (person.mobile, person.mobile_verified) == ("13755550000", True)  # until the code
    run_on_commit(client, reverse("account_verify_phone"), {"code": code})
    person.refresh_from_db()
    assert person.mobile == "13755551111" and person.mobile_verified


def test_with_verification_off_a_changed_mobile_is_no_longer_verified(client, run_on_commit):
    person = make_user("卫居民", mobile="13766660000", mobile_verified=True)
    client.force_login(person)
    response = run_on_commit(
        client, reverse("profile"), {"save_mobile": "1", "mobile": "13766661111"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.mobile == "13766661111" and not person.mobile_verified


def test_staff_mark_a_mobile_verified_in_person_recorded_with_who_and_when(
    client, community_admin, resident
):
    client.force_login(community_admin)
    response = client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "mark_mobile_verified", "_selected_action": [resident.pk]},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.mobile_verified
    assert resident.mobile_verified_by == community_admin
    assert resident.mobile_verified_at is not None


def test_staff_without_the_right_cannot_mark_a_mobile_verified(client, canteen_staff, resident):
    client.force_login(canteen_staff)
    client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "mark_mobile_verified", "_selected_action": [resident.pk]},
    )
    resident.refresh_from_db()
    assert not resident.mobile_verified


def test_with_verification_on_an_unverified_mobile_is_verified_at_the_next_log_in(
    client, verification_on, resident, run_on_commit
):
    response = run_on_commit(
        client, reverse("account_login"), {"login": resident.mobile, "password": PASSWORD}
    )
    assert response["Location"] == reverse("account_verify_phone")
    assert logged_in_as(client) is None
    run_on_commit(client, reverse("account_verify_phone"), {"code": last_code(resident.mobile)})
    assert logged_in_as(client) == str(resident.pk)
    resident.refresh_from_db()
    assert resident.mobile_verified
