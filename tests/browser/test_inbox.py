"""A resident on a phone sees the unread count, opens My messages and marks a message read."""

import pytest
from playwright.sync_api import expect

from portal.models import Notice
from portal.notices import Kind, inbox_only, notify
from tests.browser.helpers import log_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_sees_the_unread_count_opens_the_inbox_and_marks_a_message_read(page):
    resident = make_user("王居民")
    with inbox_only():
        notify(resident, Kind.REMINDER, "提醒：明天 09:00 补鞋服务。", "/volunteers/me/")
        notify(resident, Kind.PROMOTED, "有空位了：您已获得“趣味运动会”的名额。", "/events/my/")

    log_in(page, resident)
    badge = page.get_by_test_id("unread-count")
    expect(badge).to_have_text("2")
    assert no_sideways_scroll(page)

    page.get_by_test_id("inbox-link").click()
    expect(page.get_by_role("heading", name="我的消息")).to_be_visible()
    cards = page.get_by_test_id("notice")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("有空位了")  # newest first
    assert no_sideways_scroll(page)

    cards.first.get_by_test_id("mark-read").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    expect(page.get_by_test_id("notice-new")).to_have_count(1)
    assert Notice.objects.filter(recipient=resident, read_at__isnull=True).count() == 1

    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    assert not Notice.objects.filter(recipient=resident, read_at__isnull=True).exists()


def test_the_text_and_email_settings_fit_a_phone_with_large_text(page):
    resident = make_user("刘奶奶")
    log_in(page, resident, next_url="/me/notices/")
    page.get_by_test_id("text-size").click()

    expect(page.get_by_role("heading", name="短信和邮件设置")).to_be_visible()
    assert no_sideways_scroll(page)
    box = page.locator("label.choice-target").first.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44

    page.locator("#id_sms_reminder").uncheck()
    page.get_by_role("button", name="保存设置").click()
    expect(page.get_by_text("您的设置已保存。")).to_be_visible()
    expect(page.locator("#id_sms_reminder")).not_to_be_checked()
