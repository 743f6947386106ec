"""A new member of staff's first week, in Chinese, at desktop and tablet sizes.

Each task is done through the real pages and counted in actions (a click, a choice, a typed
field); the count is what the README's staff tasks promise.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from canteen import services as canteen_services
from canteen.models import MealRecord, MealSlot, Menu, SubsidyRule
from events import services as events_services
from events.models import Activity, Event
from fund.models import FundEntry
from portal import roles
from portal.models import User
from tests.browser.helpers import log_in, wait_until_it_fits
from tests.factories import make_child, make_user

pytestmark = pytest.mark.django_db(transaction=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")
SIZES = {"desktop": {"width": 1280, "height": 900}, "tablet": {"width": 820, "height": 1180}}


@pytest.fixture(params=list(SIZES))
def screen(request, browser, live_server):
    context = browser.new_context(
        viewport=SIZES[request.param], locale="zh-CN", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


class Actions:
    """Counts what the member of staff does: each click, choice or typed field."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, target):
        self.count += 1
        (self.page.locator(target) if isinstance(target, str) else target).click()

    def fill(self, selector, value):
        self.count += 1
        self.page.fill(selector, value)

    def select(self, selector, value):
        self.count += 1
        self.page.select_option(selector, value)


def test_canteen_staff_reverse_an_earlier_days_meal(screen, time_machine):
    monday, wednesday = date(2026, 5, 4), date(2026, 5, 6)
    lunch = MealSlot.objects.get_or_create(
        name="午餐", defaults={"order": 1, "serves_at": time(11, 30), "booking_cutoff": time(9)}
    )[0]
    SubsidyRule.objects.create(
        name="60周岁以上老人就餐补贴", valid_from=date(2020, 1, 1), min_age=60, amount="4.00"
    )
    elder = make_user("刘奶奶", birth_date=date(1950, 2, 14))
    staff = make_user("郑食堂", role_list=[roles.CANTEEN_STAFF])
    time_machine.move_to(datetime.combine(monday, time(12), tzinfo=SHANGHAI), tick=False)
    menu = Menu.objects.create(day=monday, slot=lunch, price="14.00", is_published=True)
    meal = canteen_services.record_meal(menu, elder.member, by=staff)
    time_machine.move_to(datetime.combine(wednesday, time(10), tzinfo=SHANGHAI), tick=False)

    log_in(screen, staff, next_url="/canteen/counter/")
    act = Actions(screen)
    act.fill("input[name=q]", "刘奶奶")
    act.click("main form button[type=submit]")
    act.click(screen.locator(f"a[href='/canteen/counter/{elder.member.pk}/']").first)
    row = screen.get_by_test_id("meal-row").filter(has_text="2026-05-04")
    act.click(row.locator("summary"))
    act.fill(f"#reason-{meal.pk}", "记错了人")
    act.click(row.get_by_role("button", name="更正"))
    expect(screen.get_by_test_id("receipt-subsidy")).to_have_text("−¥4.00")
    assert MealRecord.objects.get(reverses=meal).reason == "记错了人"
    assert act.count == 6  # before: impossible until the month closed


def test_classes_staff_post_income_with_the_date_already_right(screen, time_machine):
    time_machine.move_to(datetime(2026, 11, 30, 10, tzinfo=SHANGHAI), tick=False)
    staff = make_user("王课堂", role_list=[roles.CLASSES_STAFF])
    log_in(screen, staff, next_url="/fund/manage/")
    expect(screen.locator("#income_date")).to_have_value("2026-11-30")
    act = Actions(screen)
    act.click(screen.locator("summary", has_text="登记收入"))
    act.fill("#income_amount", "88.50")
    act.select("#income_category", "donation")
    act.fill("#income_description", "居民捐款")
    act.click(screen.get_by_role("button", name="登记入账"))
    expect(screen.locator(".alert-success")).to_be_visible()
    entry = FundEntry.objects.get()
    assert (entry.date, entry.amount) == (date(2026, 11, 30), Decimal("88.50"))
    assert act.count == 5  # before: the date showed blank, the first submit failed: 5 + 6


def test_an_admin_gives_a_new_colleague_the_canteen_role(screen):
    admin = make_user("管理员", role_list=[])
    User.objects.filter(pk=admin.pk).update(is_superuser=True, is_staff=True)
    colleague = make_user("新同事", role_list=[roles.RESIDENT])
    canteen = Group.objects.get(name=roles.CANTEEN_STAFF)

    log_in(screen, admin, next_url=f"/admin/portal/user/{colleague.pk}/change/")
    act = Actions(screen)
    act.select("#id_groups_from", str(canteen.pk))
    act.click("#id_groups_add")
    act.click("input[name=_save]")
    expect(screen.locator(".messagelist")).to_be_visible()
    colleague.refresh_from_db()
    assert colleague.is_staff and colleague.has_role(roles.CANTEEN_STAFF)
    assert act.count == 3  # before: also tick "staff status", which nothing said

    screen.context.clear_cookies()
    log_in(screen, colleague, next_url="/admin/")
    expect(screen.locator("#site-name")).to_be_visible()


def test_events_staff_check_a_ticket_in_on_the_day(screen, time_machine):
    start = datetime(2026, 6, 13, 9, tzinfo=SHANGHAI)
    time_machine.move_to(start - timedelta(days=12), tick=False)
    event = Event.objects.create(
        title="你好·邻居", starts_on=start.date(), ends_on=start.date(), is_published=True
    )
    activity = Activity.objects.create(
        event=event,
        title="趣味运动会",
        place="篮球场",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        needs_registration=True,
        capacity=10,
    )
    parent = make_user("张妈妈", birth_date=date(1988, 5, 21))
    child = make_child(parent, name="张小明", birth_date=date(2018, 9, 1))
    reg = events_services.register(activity, user=parent, members=[child]).registrations.get()
    staff = make_user("吴活动", role_list=[roles.EVENTS_STAFF])

    log_in(screen, staff, next_url=f"/events/staff/activity/{activity.pk}/check-in/")
    expect(screen.get_by_test_id("check-in-not-open")).to_contain_text("2026-06-13")
    time_machine.move_to(start - timedelta(minutes=30), tick=False)
    screen.reload()
    act = Actions(screen)
    act.fill("input[name=code]", reg.ticket_code)
    act.click("form.checkin-code button[type=submit]")
    expect(screen.locator(".alert-success")).to_contain_text("张小明")
    reg.refresh_from_db()
    assert reg.checked_in_at is not None
    assert act.count == 2


def test_the_roster_and_the_counter_fit_a_phone(page, time_machine):
    """The service day's roster (walk-ins, check-out apart from confirming) and the counter's
    new parts (earlier meals, collectors) need no sideways scrolling at 360 px."""
    from volunteers import services as volunteer_services
    from volunteers.models import Membership, Team

    now = datetime(2026, 3, 10, 10, 30, tzinfo=SHANGHAI)
    time_machine.move_to(now, tick=False)
    leader = make_user("陈队长", role_list=[roles.VOLUNTEER, roles.TEAM_LEADER])
    team = Team.objects.create(name="补鞋队", slug="shoes", leader=leader)
    helper, walk_in = make_user("李志愿"), make_user("赵队员")
    for user in (helper, walk_in):
        Membership.objects.create(user=user, team=team, status=Membership.Status.APPROVED)
    post = volunteer_services.create_post(
        title="补鞋",
        place="社区广场",
        start=now - timedelta(hours=1),
        end=now + timedelta(hours=1),
        capacity=4,
        team=team,
    )
    time_machine.move_to(now - timedelta(days=1), tick=False)
    signup = volunteer_services.sign_up(post, helper)
    time_machine.move_to(now, tick=False)
    volunteer_services.check_in(signup, by=leader, at=now - timedelta(minutes=55))
    volunteer_services.check_out(signup, by=leader, at=now)

    log_in(page, leader, next_url=f"/volunteers/roster/{post.pk}/")
    expect(page.get_by_test_id("confirm-hours")).to_be_visible()
    expect(page.locator("button[value=undo_out]")).to_be_visible()
    wait_until_it_fits(page)

    lunch = MealSlot.objects.get_or_create(name="午餐", defaults={"order": 1})[0]
    elder = make_user("刘奶奶", birth_date=date(1950, 2, 14))
    staff = make_user("郑食堂", role_list=[roles.CANTEEN_STAFF])
    menu = Menu.objects.create(day=now.date(), slot=lunch, price="14.00", is_published=True)
    canteen_services.record_meal(menu, elder.member, by=staff)
    page.context.clear_cookies()
    log_in(page, staff, next_url=f"/canteen/counter/{elder.member.pk}/")
    page.get_by_test_id("add-collector").locator("summary").click()
    page.get_by_test_id("meal-row").first.locator("summary").click()
    wait_until_it_fits(page)
