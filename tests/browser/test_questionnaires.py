"""On a phone: a resident answers a questionnaire with JavaScript off; staff, in large text, see
the chart with the right counts."""

from datetime import date

import pytest

from alliance import questionnaire_services as services
from alliance.questionnaires import Answer, Response
from portal import roles
from tests.alliance.questionnaire_helpers import good_values, make_questionnaire, questions_of
from tests.browser.helpers import PHONE, log_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_answers_without_javascript_and_staff_see_the_chart(browser, live_server, page):
    questionnaire = make_questionnaire(title="社区服务需求调查")
    q_choice, q_multiple, q_scale, q_text = questions_of(questionnaire)
    services.answer(questionnaire, user=make_user("早答者"), values=good_values(questionnaire))
    resident = make_user("王居民", birth_date=date(1985, 5, 5))
    staff = make_user("赵联盟", role_list=[roles.ALLIANCE_STAFF])
    staff.large_text = True
    staff.save(update_fields=["large_text"])

    # The resident's phone runs no JavaScript at all.
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    phone = context.new_page()
    log_in(phone, resident, next_url="/alliance/questionnaires/")
    phone.click("[data-testid=questionnaire] a")
    phone.check(f"input[name=q{q_choice.pk}][value=维修]")
    phone.check(f"input[name=q{q_multiple.pk}][value=图书角]")
    phone.check(f"input[name=q{q_scale.pk}][value='5']")
    phone.fill(f"textarea[name=q{q_text.pk}]", "希望周末也有活动")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.click("main form button[type=submit]")
    phone.wait_for_url("**/alliance/questionnaires/")
    assert phone.locator(".alert-success, .alert").first.is_visible()
    assert "已填写" in phone.locator("[data-testid=questionnaire]").inner_text()
    context.close()

    assert Response.objects.count() == 2
    assert Answer.objects.get(question=q_text, value="希望周末也有活动")

    # Staff, large text on, read the results on the same size of phone.
    log_in(page, staff, next_url=f"/alliance/questionnaires/staff/{questionnaire.pk}/")
    charts = page.locator("[data-testid=chart] svg")
    assert charts.count() == 3
    assert charts.first.is_visible()
    first = page.locator("[data-testid=result]").first
    rows = first.locator("[data-testid=bar-row]")
    assert [r.inner_text().split("\t")[:2] for r in rows.all()] == [
        ["老年食堂", "0"],
        ["儿童课堂", "1"],
        ["维修", "1"],
    ]
    assert "维修: 1 (50.0%)" in first.locator("svg desc").text_content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert "large-text" in (page.locator("html").get_attribute("class") or "")
