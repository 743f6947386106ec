"""On a phone: a parent registers herself and her child, opens the ticket; staff check it in."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.models import Activity, Event, Question, Registration
from portal import roles
from tests.browser.helpers import log_in
from tests.factories import make_child, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def activity(db):
    start = datetime.now(ZoneInfo("Asia/Shanghai")).replace(
        hour=9, minute=0, second=0, microsecond=0
    ) + timedelta(days=10)
    event = Event.objects.create(
        title="你好·邻居", starts_on=start.date(), ends_on=start.date(), is_published=True
    )
    track = event.tracks.create(name="睦邻乐")
    activity = Activity.objects.create(
        event=event,
        track=track,
        title="趣味运动会",
        place="篮球场",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        needs_registration=True,
        capacity=10,
    )
    Question.objects.create(
        activity=activity, label="T恤尺码", kind="choice", choices="S\nM\nL", required=True
    )
    Question.objects.create(activity=activity, label="同意拍照", kind="consent", required=True)
    return activity


def test_a_parent_registers_with_her_child_and_staff_check_the_ticket_in_once(page, activity):
    parent = make_user("张妈妈", birth_date=date(1988, 5, 21))
    child = make_child(parent, name="张小明", birth_date=date(2018, 9, 1))
    staff = make_user("吴活动", role_list=[roles.EVENTS_STAFF])
    q_size, q_consent = activity.questions.order_by("id")

    log_in(page, parent, next_url=f"/events/activity/{activity.pk}/")
    page.click(f"a[href='/events/activity/{activity.pk}/register/']")
    for member in (parent.member, child):
        page.check(f"input[name=person_{member.pk}]")
        page.select_option(
            f"select[name=q{q_size.pk}_{member.pk}]", "M" if member != child else "S"
        )
        page.check(f"input[name=q{q_consent.pk}_{member.pk}]")
    page.click("form button[type=submit].btn-lg")
    page.wait_for_url("**/events/my/")

    cards = page.locator("[data-testid=registration]")
    assert cards.count() == 2
    child_card = cards.filter(has_text="张小明")
    child_card.locator("a.btn-primary").click()
    page.wait_for_url("**/events/my/ticket/**")
    assert page.locator("[data-testid=ticket] svg").is_visible()
    code = page.locator("[data-testid=ticket-code]").inner_text().strip()
    reg = Registration.objects.get(member=child)
    assert code == reg.ticket_code
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling

    # The festival day comes (moved in the database): the gate opens hours before the start.
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() + timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=3)
    )
    page.context.clear_cookies()
    log_in(page, staff, next_url=f"/events/staff/activity/{activity.pk}/check-in/")
    page.fill("input[name=code]", code.lower())
    page.click("form.checkin-code button[type=submit]")
    assert page.locator(".alert-success").filter(has_text="张小明").is_visible()
    reg.refresh_from_db()
    assert reg.checked_in_by_id == staff.pk

    page.fill("input[name=code]", code)
    page.click("form.checkin-code button[type=submit]")
    assert page.locator(".alert-danger").filter(has_text="张小明").is_visible()
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 1
