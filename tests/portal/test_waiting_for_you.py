"""Staff are told on their home page what waits for them: a spending to approve, an
application to join a team, a stall application to decide."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from events.models import Activity, Event, StallApplication
from fund import services as fund_services
from portal import roles
from tests.factories import make_user
from volunteers import services as volunteer_services
from volunteers.models import Team

pytestmark = pytest.mark.django_db
WAITING = 'data-testid="waiting-for-you"'


def home(client, user):
    client.force_login(user)
    client.cookies["portal_language"] = "en"
    return client.get("/").content.decode()


def test_a_spending_waits_for_another_classes_staff_member(client, classes_staff):
    colleague = make_user("李课堂", role_list=[roles.CLASSES_STAFF])
    fund_services.propose_expenditure(
        by=colleague,
        date=date(2026, 11, 2),
        amount=Decimal("50.00"),
        category="supplies",
        description="画笔",
    )
    assert "1 spending waits for your approval" in home(client, classes_staff)
    assert WAITING not in home(client, colleague)  # nobody approves their own spending


def test_an_application_waits_for_the_teams_leader_and_an_offer_for_the_coordinator(
    client, team_leader, coordinator, resident, volunteer
):
    team = Team.objects.create(name="补鞋队", slug="shoes", leader=team_leader, is_open=False)
    volunteer_services.apply_to_team(resident, team, message="想加入")
    assert "1 application to join waits for your answer" in home(client, team_leader)
    assert WAITING not in home(client, coordinator)  # a team's application is its leader's
    volunteer_services.submit_volunteer_offer(volunteer, message="周末有空")
    assert "1 application to join waits for your answer" in home(client, coordinator)


def test_a_stall_application_waits_for_events_staff(client, events_staff, resident):
    start = datetime(2026, 12, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    event = Event.objects.create(
        title="你好·邻居", starts_on=start.date(), ends_on=start.date(), is_published=True
    )
    market = Activity.objects.create(
        event=event,
        title="跳蚤市场",
        place="广场",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        kind=Activity.Kind.MARKET,
    )
    StallApplication.objects.create(activity=market, applicant=resident, goods="旧书")
    assert "1 stall application waits for your decision" in home(client, events_staff)


def test_residents_see_nothing_waiting(client, resident):
    assert WAITING not in home(client, resident)
