"""The party-building alliance on a phone (360 px): a resident's micro-wish becomes a project
with a partner's resource; the partner's contact sees it and claims another need; the project
is completed with an outcome and a photo; the resident rates it; the public board shows it
without the resident's name."""

import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from alliance import services
from alliance.models import Need, Project, Rating, Resource
from portal import roles
from portal.models import Partner
from tests.browser.helpers import log_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _fits(page):
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the phone"


def test_a_micro_wish_becomes_a_completed_rated_project(page, tmp_path):
    resident = make_user("李秀英", building="3", unit="2", room="501")
    staff = make_user("赵联盟", role_list=[roles.ALLIANCE_STAFF])
    contact = make_user("唐老师", building="9", room="901")
    school = Partner.objects.create(
        name="公园路小学", kind=Partner.Kind.SCHOOL, contact_user=contact
    )
    library = Resource.objects.create(partner=school, kind="venue", title="学校图书室")
    other = services.record_need(
        staff, source="home_visit", category="elderly", title="助浴", description="助浴"
    )
    services.accept(other, by=staff, public_summary="独居老人上门助浴")

    # A resident posts a micro-wish, with no JavaScript needed.
    log_in(page, resident, next_url="/alliance/")
    _fits(page)
    page.get_by_test_id("ask").click()
    page.check("input[name=kind][value=wish]")
    page.select_option("select[name=category]", "children")
    page.fill("input[name=title]", "楼下的儿童读书角")
    page.fill("textarea[name=description]", "李秀英家楼下，孩子们放学后没地方看书")
    _fits(page)
    page.locator("main form button[type=submit]").click()
    wish = Need.objects.get(kind="wish")
    page.wait_for_url(re.compile(rf"/alliance/mine/{wish.pk}/$"))
    expect(page.get_by_test_id("request-state")).to_have_text("已收到")

    # Staff accept it and pair it with the school's library into a project.
    page.context.clear_cookies()
    log_in(page, staff, next_url="/alliance/manage/")
    page.get_by_test_id("staff-need").filter(has_text="楼下的儿童读书角").locator("a").click()
    page.fill("input[name=public_summary]", "为儿童建一个读书角")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("need-state")).to_have_text("已受理")
    page.get_by_role("link", name="对接成项目").click()
    page.fill("input[name=title]", "楼道读书角")
    page.fill("textarea[name=plan]", "小学图书室提供图书，社区提供场地")
    page.select_option("select[name=owner]", label="公园路小学")
    page.fill("input[name=starts_on]", timezone.localdate().isoformat())
    page.check(f"input[name=resources][value='{library.pk}']")
    expect(page.locator(f"input[name=needs][value='{wish.pk}']")).to_be_checked()
    _fits(page)
    page.locator("main form button[type=submit]").click()
    project = Project.objects.get()
    page.wait_for_url(re.compile(rf"/alliance/manage/projects/{project.pk}/$"))
    wish.refresh_from_db()
    assert wish.state == "in_project" and list(project.resources.all()) == [library]

    # The school's contact sees the project and claims the open need for the school.
    page.context.clear_cookies()
    log_in(page, contact, next_url="/alliance/partner/")
    expect(page.locator("main")).to_contain_text("楼道读书角")
    expect(page.locator("main")).not_to_contain_text("李秀英")
    need_row = page.get_by_test_id("open-need").filter(has_text="独居老人上门助浴")
    need_row.get_by_test_id("claim").click()
    expect(page.locator(".alert-success, .alert").first).to_contain_text("公园路小学")
    other.refresh_from_db()
    assert other.claimed_by == school
    _fits(page)

    # Staff complete the project with its outcome and a photo.
    photo = tmp_path / "corner.png"
    Image.new("RGB", (80, 60), (200, 120, 40)).save(photo)
    page.context.clear_cookies()
    log_in(page, staff, next_url=f"/alliance/manage/projects/{project.pk}/")
    page.get_by_test_id("close-project").locator("summary").click()
    page.fill("textarea[name=outcome]", "读书角建成，每周六开放")
    page.get_by_test_id("close-project").locator("input[name=photo]").set_input_files(str(photo))
    page.get_by_test_id("close-project").locator("button[type=submit]").click()
    expect(page.get_by_test_id("project-state")).to_have_text("已完成")
    project.refresh_from_db()
    assert project.state == "done" and project.updates.exclude(photo="").count() == 1

    # The resident rates it.
    page.context.clear_cookies()
    log_in(page, resident, next_url=f"/alliance/projects/{project.pk}/")
    page.check("input[name=stars][value='5']")
    page.fill("textarea[name=comment]", "孩子们很喜欢")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert").first).to_contain_text("谢谢")
    assert Rating.objects.get().stars == 5

    # The public board shows it, without the resident's name or words.
    page.context.clear_cookies()
    page.goto("/alliance/")
    main = page.locator("main")
    expect(main).to_contain_text("楼道读书角")
    expect(main).to_contain_text("读书角建成，每周六开放")
    expect(main).to_contain_text("为儿童建一个读书角")
    expect(main).not_to_contain_text("李秀英")
    expect(main).not_to_contain_text("没地方看书")
    expect(page.locator("svg.bar-chart").first).to_be_visible()
    _fits(page)
    page.get_by_role("link", name="楼道读书角").click()
    expect(page.locator("main img.alliance-photo")).to_be_visible()
    expect(page.locator("main")).to_contain_text("孩子们很喜欢")
    expect(page.locator("main")).not_to_contain_text("李秀英")
    _fits(page)
