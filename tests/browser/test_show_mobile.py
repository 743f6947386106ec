"""A team leader on a phone reads a member's number only by asking for it, with a reason."""

import pytest
from playwright.sync_api import expect

from portal import roles
from portal.models import MobileReveal
from tests.browser.helpers import log_in
from tests.factories import make_user
from tests.volunteers.helpers import make_member, make_team

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_asks_for_a_member_s_number_and_the_showing_is_logged(page):
    leader = make_user("陈队长", role_list=[roles.RESIDENT, roles.VOLUNTEER, roles.TEAM_LEADER])
    member = make_user("李志愿", role_list=[roles.RESIDENT, roles.VOLUNTEER], mobile="13700000005")
    team = make_team(leader=leader)
    make_member(member, team)
    make_member(leader, team)

    log_in(page, leader, next_url=f"/volunteers/lead/{team.slug}/")
    expect(page.get_by_text("137****0005")).to_be_visible()
    assert "13700000005" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="查看完整号码 · 李志愿").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("input[name=reason]", "服务日联系")
    page.get_by_role("button", name="显示完整号码").click()

    expect(page.get_by_test_id("full-mobile")).to_have_text("13700000005")
    reveal = MobileReveal.objects.get()
    assert (reveal.viewer, reveal.person, reveal.reason) == (leader, member, "服务日联系")
    assert reveal.place == f"/volunteers/lead/{team.slug}/"
    page.get_by_role("link", name="返回").click()
    expect(page.get_by_text("137****0005")).to_be_visible()
