"""The admin changelists staff use most stay readable on a tablet (820 px), in Chinese.

Narrow columns broke Chinese names a character per line and the widest columns were cut off.
"""

from datetime import date
from decimal import Decimal

import pytest

from canteen import services as canteen_services
from canteen.models import MealSlot, Menu, SubsidyRule
from portal import roles
from tests.browser.helpers import log_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)
TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(
        viewport=TABLET, has_touch=True, locale="zh-CN", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _one_line(page, selector) -> list[str]:
    """Texts of the cells matching `selector` whose text runs over more than one line."""
    return page.eval_on_selector_all(
        selector,
        """cells => cells.filter(c => {
            const tops = new Set();
            const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode;
                if (!node.textContent.trim()) continue;
                if (node.parentElement.closest(".sortoptions")) continue;  // the sort number
                const range = document.createRange();
                range.selectNodeContents(walker.currentNode);
                for (const r of range.getClientRects()) {
                    if (r.width > 0) tops.add(Math.round(r.top));
                }
            }
            return tops.size > 1;
        }).map(c => c.innerText)""",
    )


def test_the_users_and_meals_lists_read_on_a_tablet(tablet):
    admin = make_user("管理员", role_list=[roles.COMMUNITY_ADMIN, roles.CANTEEN_STAFF])
    for i in range(8):
        make_user(f"欧阳长名字居民{i}", building="12", unit="3", room="1201")
    elder = make_user("刘奶奶", birth_date=date(1950, 2, 14))
    SubsidyRule.objects.get_or_create(
        min_age=60,
        category="",
        defaults={"name": "60周岁以上老人就餐补贴", "valid_from": date(2020, 1, 1), "amount": 4},
    )
    slot = MealSlot.objects.get_or_create(name="午餐", defaults={"order": 1})[0]
    from django.utils import timezone

    menu = Menu.objects.create(
        day=timezone.localdate(), slot=slot, price=Decimal("14.00"), is_published=True
    )
    canteen_services.record_meal(menu, elder.member, by=admin)

    log_in(tablet, admin, next_url="/admin/")
    for url in ("/admin/portal/user/", "/admin/canteen/mealrecord/", "/admin/canteen/subsidyrule/"):
        tablet.goto(url)
        assert tablet.locator("#result_list").is_visible()
        wrapped = _one_line(tablet, "#result_list tbody th, #result_list tbody td")
        assert wrapped == [], f"{url}: {wrapped}"
        headers = _one_line(tablet, "#result_list thead th")
        assert headers == [], f"{url}: {headers}"
        # Nothing is cut: what does not fit scrolls inside the list, not off the page.
        page_width = tablet.evaluate("document.documentElement.scrollWidth")
        assert page_width <= TABLET["width"], url
