"""A new resident's first visit, on a phone, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import HouseholdMember, User

pytestmark = pytest.mark.django_db(transaction=True)


def test_new_resident_signs_up_switches_language_and_text_size_and_adds_a_child(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_role("link", name="注册").first.click()

    page.fill("input[name=phone]", "139 1234 5678")
    page.fill("input[name=real_name]", "赵新居民")
    page.fill("input[name=password1]", "Neighbour-2026!")
    page.fill("input[name=password2]", "Neighbour-2026!")
    page.check("input[name=privacy_consent]")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/$"))

    user = User.objects.get(mobile="13912345678")
    assert user.real_name == "赵新居民"
    assert user.privacy_consented_at is not None

    # Log out and back in with the mobile number.
    page.goto("/me/")
    page.get_by_role("button", name="退出").click()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "13912345678")
    page.fill("input[name=password]", "Neighbour-2026!")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_text("欢迎回来")).to_be_visible()

    # English and back.
    page.get_by_test_id("language").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Welcome back")).to_be_visible()
    page.get_by_test_id("language").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # Large text, remembered on the account across pages.
    page.get_by_test_id("text-size").click()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    page.goto("/me/household/")
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    user.refresh_from_db()
    assert user.large_text is True

    # Add a child; a future birth date is refused first.
    page.fill("input[name=name]", "赵小宝")
    page.select_option("select[name=relation]", "child")
    page.fill("input[name=birth_date]", "2099-01-01")
    page.get_by_role("button", name="加入我的家庭").click()
    expect(page.get_by_text("出生日期不能晚于今天")).to_be_visible()
    assert not HouseholdMember.objects.filter(name="赵小宝").exists()

    page.fill("input[name=birth_date]", "2018-03-04")
    page.get_by_role("button", name="加入我的家庭").click()
    expect(page.get_by_test_id("member").filter(has_text="赵小宝")).to_be_visible()
    child = HouseholdMember.objects.get(name="赵小宝")
    assert child.household_id == user.household_id
    assert child.relation == HouseholdMember.Relation.CHILD
    # Nothing overflows the 360-px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
