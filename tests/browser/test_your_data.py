"""A resident on a phone: removes a child, reads their data, withdraws a consent, deletes the
account — in Chinese, at 360 px, every page fitting the screen."""

import pytest
from playwright.sync_api import expect

from portal.models import AccountDeletion, HouseholdMember, User
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, make_child, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_parent_removes_a_child_reads_their_data_and_deletes_the_account(page):
    parent = make_user("张妈妈")
    child = make_child(parent, name="张小明")
    log_in(page, parent, next_url="/me/household/")

    page.get_by_role("button", name="移除 张小明").click()
    expect(page.get_by_test_id("member")).to_have_count(1)
    assert HouseholdMember.objects.get(pk=child.pk).left_on is not None

    page.goto("/me/")
    page.get_by_role("link", name="我的数据").click()
    expect(page.get_by_role("heading", name="我的数据", exact=True)).to_be_visible()
    assert fits_the_phone(page)

    page.get_by_test_id("export-html").click()
    expect(page.get_by_test_id("table-household_members")).to_contain_text("张小明")
    assert fits_the_phone(page)

    page.goto("/me/data/")
    page.get_by_role("link", name="注销我的账号…").click()
    assert fits_the_phone(page)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", "注销")
    page.get_by_role("button", name="注销我的账号").click()
    expect(page.get_by_text("请输入“注销我的账号”以确认。")).to_be_visible()
    assert User.objects.get(pk=parent.pk).is_active

    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", "注销我的账号")
    page.get_by_role("button", name="注销我的账号").click()
    expect(page.get_by_text("您的账号已注销。")).to_be_visible()
    user = User.objects.get(pk=parent.pk)
    assert not user.is_active and user.real_name == f"已注销用户 #{parent.pk}"
    assert AccountDeletion.objects.filter(account_id=parent.pk).exists()
