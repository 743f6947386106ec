"""A volunteer on a phone: join a team, sign up, schedule, attendance, hours, certificate."""

import re
from datetime import timedelta

import pytest
from django.utils.timezone import now
from playwright.sync_api import expect

from portal import roles
from tests.browser.helpers import PHONE, log_in
from tests.factories import make_user
from volunteers import services
from volunteers.models import Certificate, HoursEntry, Post, Signup, Team

pytestmark = pytest.mark.django_db(transaction=True)


def _phone_page(browser, live_server):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def test_volunteer_joins_signs_up_is_checked_in_and_out_and_verifies_a_certificate(
    page, browser, live_server
):
    leader = make_user("陈队长", role_list=[roles.RESIDENT, roles.VOLUNTEER, roles.TEAM_LEADER])
    volunteer = make_user("李志愿", role_list=[roles.RESIDENT])
    team = Team.objects.create(name="党员先锋队", slug="vanguard", leader=leader, is_open=False)
    # The post starts in half an hour, so sign-up is still open and check-in already is.
    start = now().replace(microsecond=0) + timedelta(minutes=30)
    post = services.create_post(
        title="便民服务摊",
        place="社区广场",
        start=start,
        end=start + timedelta(hours=2),
        capacity=3,
        team=team,
    )

    # The volunteer applies to join the (members-only) team.
    log_in(page, volunteer)
    page.goto(f"/volunteers/teams/{team.slug}/")
    expect(page.locator("h1")).to_have_text("党员先锋队")
    page.fill("textarea[name=message]", "我想为邻居服务")
    page.locator("form[action$='/apply/'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # Before approval the post is refused with the reason.
    page.goto(f"/volunteers/posts/{post.pk}/")
    expect(page.get_by_test_id("signup-refusal")).to_contain_text("党员先锋队")

    # The leader approves on their phone.
    leader_page = _phone_page(browser, live_server)
    log_in(leader_page, leader)
    leader_page.goto("/volunteers/lead/")
    expect(leader_page.locator(".application")).to_contain_text("李志愿")
    leader_page.locator(".application button[value=approve]").click()
    expect(leader_page.locator(".alert-success")).to_be_visible()

    # Now the volunteer signs up with one tap and finds it in My schedule.
    page.goto(f"/volunteers/posts/{post.pk}/")
    page.locator(f"form[action$='/posts/{post.pk}/sign-up/'] button").click()
    page.wait_for_url(re.compile(r"/volunteers/me/schedule/$"))
    expect(page.locator(".schedule-item")).to_contain_text("便民服务摊")
    expect(page.locator(".schedule-item")).to_contain_text("陈队长")
    assert Signup.objects.get(volunteer=volunteer).status == Signup.Status.CONFIRMED

    page.goto("/volunteers/me/hours/")
    expect(page.get_by_test_id("total-hours")).to_have_text("0")

    # The leader taps them in on the roster...
    leader_page.goto(f"/volunteers/roster/{post.pk}/")
    row = leader_page.get_by_test_id(f"roster-row-{volunteer.pk}")
    row.locator("button[value=in]").click()
    expect(
        leader_page.get_by_test_id(f"roster-row-{volunteer.pk}").locator("button[value=out]")
    ).to_be_visible()
    # ...two hours of service pass (moved back in the database rather than waited for)...
    Post.objects.filter(pk=post.pk).update(
        start=now() - timedelta(hours=2), end=now() + timedelta(minutes=5)
    )
    Signup.objects.filter(volunteer=volunteer).update(checked_in_at=now() - timedelta(hours=2))
    # ...and out; then the leader confirms the hours the button shows, a separate tap.
    leader_page.get_by_test_id(f"roster-row-{volunteer.pk}").locator("button[value=out]").click()
    confirm = leader_page.get_by_test_id(f"roster-row-{volunteer.pk}").locator(
        "button[value=confirm]"
    )
    expect(confirm).to_contain_text("2")
    confirm.click()
    expect(leader_page.get_by_test_id(f"roster-row-{volunteer.pk}")).to_contain_text("2")
    assert HoursEntry.objects.get(volunteer=volunteer).hours == 2

    # The volunteer's hours and star progress went up.
    page.goto("/volunteers/me/hours/")
    expect(page.get_by_test_id("total-hours")).to_have_text("2")
    expect(page.locator(".progress-bar")).to_have_text("2%")

    # A certificate, and its code verifies on the public page for anyone.
    page.locator("form[action$='/me/certificate/'] button").click()
    code = page.get_by_test_id("verification-code").inner_text()
    assert Certificate.objects.get(volunteer=volunteer).verification_code == code

    public = _phone_page(browser, live_server)
    public.goto("/volunteers/verify/")
    public.fill("input[name=code]", code)
    public.locator("main form button[type=submit]").click()
    expect(public.get_by_test_id("verified")).to_contain_text("李志愿")
    expect(public.get_by_test_id("verified")).not_to_contain_text(volunteer.mobile)
    public.context.close()
    leader_page.context.close()


def test_volunteer_scans_the_posts_qr_code_to_check_in_and_a_forged_code_is_refused(page):
    volunteer = make_user("李志愿", role_list=[roles.RESIDENT, roles.VOLUNTEER])
    start = now().replace(microsecond=0) + timedelta(minutes=20)
    post = services.create_post(
        title="磨刀", place="社区广场西侧", start=start, end=start + timedelta(hours=2), capacity=2
    )
    services.sign_up(post, volunteer)

    log_in(page, volunteer)
    page.goto(post.checkin_url)  # what the phone camera opens
    expect(page.locator("h2")).to_have_text("磨刀")
    page.get_by_role("button", name="现在签到").click()
    page.wait_for_url(re.compile(r"/volunteers/me/schedule/$"))
    expect(page.locator(".alert-success")).to_contain_text("签到成功")
    expect(page.locator(".schedule-item")).to_contain_text("已签到")
    assert Signup.objects.get(volunteer=volunteer).checked_in_at is not None

    page.goto(post.checkin_url[:-3] + "xyz/")
    expect(page.locator(".alert-danger")).to_contain_text("二维码无效")
