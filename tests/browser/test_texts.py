"""Texts on a phone: sign up with a mobile and its code, log in again by code, and a
coordinator's message previewed and followed — at 360 px, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from portal import sms
from portal.models import User
from tests.browser.conftest import log_in
from tests.factories import make_user
from tests.volunteers.conftest import DAY, NOW, make_post, make_team
from volunteers import services as volunteer_services
from volunteers.models import ServiceDay

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_phone(page):
    page.wait_for_load_state()
    page.wait_for_function("document.documentElement.scrollWidth <= 360", timeout=3000)


def last_code(number):
    return [m for m in sms.outbox if m.to == number][-1].params["code"]


def test_a_resident_signs_up_with_the_code_sent_to_the_mobile_and_logs_in_again_by_code(
    page, settings
):
    settings.ACCOUNT_PHONE_VERIFICATION_ENABLED = True
    page.goto("/accounts/signup/")
    page.fill("input[name=phone]", "139 5555 6666")
    page.fill("input[name=real_name]", "钱新居民")
    page.fill("input[name=password1]", "Neighbour-2026!")
    page.fill("input[name=password2]", "Neighbour-2026!")
    page.check("input[name=privacy_consent]")
    page.locator("main form button[type=submit]").last.click()

    page.wait_for_url(re.compile(r"/accounts/phone/verify/"))
    fits_the_phone(page)
    page.fill("input[name=code]", last_code("13955556666"))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/$"))
    assert User.objects.get(mobile="13955556666").mobile_verified

    page.goto("/me/")
    expect(page.get_by_text("已验证")).to_be_visible()
    fits_the_phone(page)
    page.get_by_role("button", name="退出").click()

    page.goto("/accounts/login/code/")
    fits_the_phone(page)
    page.fill("input[name=phone]", "13955556666")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    page.fill("input[name=code]", last_code("13955556666"))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_text("欢迎回来")).to_be_visible()


def test_a_coordinator_previews_a_message_to_a_day_and_follows_its_progress(
    page, coordinator, team_leader, time_machine
):
    time_machine.move_to(NOW, tick=False)
    ServiceDay.objects.create(date=DAY)
    post = make_post(team=make_team(leader=team_leader), capacity=5)
    for n in range(2):
        volunteer_services.sign_up(post, make_user(f"志愿{n}", mobile_verified=True))

    log_in(page, coordinator, next_url="/volunteers/coordinator/")
    page.get_by_text(DAY.isoformat()).first.click()  # open the day's message form
    page.locator("textarea[name=text]").first.fill("明天下雨，服务改在室内进行。")
    page.get_by_role("button", name="发送前预览").first.click()

    expect(page.get_by_text("发送前请核对消息")).to_be_visible()
    expect(page.get_by_text("2 人将收到短信")).to_be_visible()
    fits_the_phone(page)
    page.get_by_role("button", name="立即发送").click()

    page.wait_for_url(re.compile(r"/me/sent/\d+/"))
    expect(page.get_by_text("2 / 2")).to_be_visible()
    fits_the_phone(page)


def test_a_resident_who_forgot_the_password_sets_a_new_one_after_a_code(page):
    person = make_user("孙忘记", mobile="13966667777")
    page.goto("/accounts/password/reset/")
    fits_the_phone(page)
    page.get_by_role("link", name="通过短信获取验证码，然后设置新密码").click()
    page.fill("input[name=phone]", "13966667777")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    page.fill("input[name=code]", last_code("13966667777"))
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url(re.compile(r"/me/new-password/"))
    fits_the_phone(page)
    page.fill("input[name=new_password1]", "Fresh-Password-2027")
    page.fill("input[name=new_password2]", "Fresh-Password-2027")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_text("新密码已保存。")).to_be_visible()
    person.refresh_from_db()
    assert person.check_password("Fresh-Password-2027")
