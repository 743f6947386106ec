"""Texts on a phone: sign up with a mobile and its code, log in again by code, and a
coordinator's message previewed and followed — at 360 px, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from portal import sms
from portal.models import User
from tests.browser.helpers import log_in, wait_until_it_fits
from tests.factories import make_user
from tests.volunteers.helpers import DAY, NOW, make_post, make_team
from volunteers import services as volunteer_services
from volunteers.models import ServiceDay

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_phone(page):
    page.wait_for_load_state()
    wait_until_it_fits(page)


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


def test_a_new_resident_waits_for_a_full_activity_and_hears_of_the_place_by_text_and_inbox(
    page, settings
):
    """The whole story at 360 px: sign up with the code sent to the mobile, join a full
    activity's waiting list, a cancellation promotes the resident, the text is in the outbox and
    the notice in the inbox; log out and back in by a code."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from events import services as events_services
    from events.models import Activity, Event, Registration

    settings.ACCOUNT_PHONE_VERIFICATION_ENABLED = True
    settings.NOTICE_QUIET_HOURS = ""  # whatever the hour CI runs at, the text goes at once
    start = datetime.now(ZoneInfo("Asia/Shanghai")).replace(
        hour=9, minute=0, second=0, microsecond=0
    ) + timedelta(days=10)
    event = Event.objects.create(
        title="你好·邻居", starts_on=start.date(), ends_on=start.date(), is_published=True
    )
    activity = Activity.objects.create(
        event=event,
        title="亲子绿跑",
        place="公园",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        needs_registration=True,
        capacity=1,
    )
    first = make_user("孙先到")
    events_services.register(activity, user=first, members=[first.member])
    taken = Registration.objects.get(member=first.member)

    # Sign up with a mobile and the code texted to it.
    page.goto("/accounts/signup/")
    page.fill("input[name=phone]", "139 7777 8888")
    page.fill("input[name=real_name]", "周后到")
    page.fill("input[name=password1]", "Neighbour-2026!")
    page.fill("input[name=password2]", "Neighbour-2026!")
    page.check("input[name=privacy_consent]")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/accounts/phone/verify/"))
    page.fill("input[name=code]", last_code("13977778888"))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/$"))
    resident = User.objects.get(mobile="13977778888")

    # The activity is full: the resident joins the waiting list.
    page.goto(f"/events/activity/{activity.pk}/register/")
    page.check(f"input[name=person_{resident.member.pk}]")
    page.click("form button[type=submit].btn-lg")
    page.wait_for_url("**/events/my/")
    fits_the_phone(page)
    mine = Registration.objects.get(member=resident.member)
    assert mine.status == Registration.Status.WAITING

    # The first resident cancels: the place moves up, by text and in the inbox.
    events_services.cancel_registration(taken, by=first)
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CONFIRMED
    texts = [m for m in sms.outbox if m.to == "13977778888" and m.kind == "promoted"]
    assert len(texts) == 1 and "亲子绿跑" in texts[0].text
    page.goto("/inbox/")
    expect(page.locator("main").get_by_text("亲子绿跑").first).to_be_visible()
    fits_the_phone(page)

    # Log out, and back in with a code instead of the password.
    page.goto("/me/")
    page.get_by_role("button", name="退出").click()
    page.goto("/accounts/login/code/")
    page.fill("input[name=phone]", "13977778888")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    page.fill("input[name=code]", last_code("13977778888"))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_text("欢迎回来")).to_be_visible()
