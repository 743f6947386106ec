"""Who changed what: settings, prices, rules, leaders, capacities, fund statuses and categories
keep a history (django-simple-history) that each module's staff read in the admin."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from canteen.models import ResidentCategory, SubsidyRule
from classes.models import Course, Term
from fund.models import FundEntry
from fund.services import approve_expenditure, propose_expenditure
from portal import roles
from portal.models import Community
from tests.factories import make_user
from volunteers.models import Team


@pytest.fixture
def colleague_of_classes_staff(db):
    return make_user("李课堂", role_list=[roles.CLASSES_STAFF])


def community_settings(who):
    return Community.current(), "meal_price_max", Decimal("17.50")


def team_leader_change(who):
    team = Team.objects.create(name="磨刀队", slug="knives", leader=make_user("老队长"))
    return team, "leader", make_user("新队长")


def course_capacity(who):
    term = Term.objects.create(name="春季", starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 30))
    course = Course.objects.create(
        term=term,
        title="围棋",
        subject="other",
        age_min=6,
        age_max=12,
        capacity=10,
        place="活动室",
        enrol_opens_at=timezone.now(),
        enrol_closes_at=timezone.now() + timedelta(days=7),
    )
    return course, "capacity", 14


def subsidy_rule(who):
    rule = SubsidyRule.objects.create(
        name="高龄加补", valid_from=date(2026, 1, 1), min_age=80, amount=Decimal("2.00")
    )
    return rule, "amount", Decimal("3.50")


def resident_category(who):
    elder = make_user("低保老人", birth_date=date(1948, 1, 1))
    row = ResidentCategory.objects.create(member=elder.member, category="low_income")
    return row, "valid_to", date(2026, 12, 31)


CHANGES = [
    (community_settings, "community_admin", "portal/community"),
    (team_leader_change, "coordinator", "volunteers/team"),
    (course_capacity, "classes_staff", "classes/course"),
    (subsidy_rule, "canteen_staff", "canteen/subsidyrule"),
    (resident_category, "canteen_staff", "canteen/residentcategory"),
]


@pytest.mark.parametrize(
    ("make", "persona", "admin_path"), CHANGES, ids=[c[0].__name__ for c in CHANGES]
)
def test_staff_see_who_changed_what_from_what_to_what(client, request, make, persona, admin_path):
    staff = request.getfixturevalue(persona)
    obj, field, new = make(staff)
    old = getattr(obj, field)
    obj._history_user = staff  # what the request middleware sets for a change in the portal
    setattr(obj, field, new)
    obj.save()

    latest = obj.history.first()
    assert latest.history_user == staff and latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    changed = {c.field: (c.old, c.new) for c in delta.changes}
    expected = tuple(v.pk if hasattr(v, "pk") else v for v in (old, new))
    assert changed == {field: expected}

    client.force_login(staff)
    page = client.get(f"/admin/{admin_path}/{obj.pk}/history/")
    assert page.status_code == 200
    body = page.content.decode()
    assert staff.real_name in body
    for value in (old, new):
        shown = value.strftime("%Y") if hasattr(value, "strftime") else str(value)
        if value is not None:
            assert shown in body, value


def test_a_fund_entrys_status_steps_are_in_its_history_with_who_took_them(
    client, classes_staff, colleague_of_classes_staff
):
    entry = propose_expenditure(
        by=classes_staff,
        date=date(2026, 5, 1),
        amount="60.00",
        category=FundEntry.Category.SUPPLIES,
        description="颜料",
    )
    client.force_login(colleague_of_classes_staff)
    response = client.post(f"/fund/{entry.pk}/approve/")
    assert response.status_code == 302
    latest = entry.history.first()
    assert latest.history_user == colleague_of_classes_staff
    assert {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}[
        "status"
    ] == ("proposed", "approved")
    page = client.get(f"/admin/fund/fundentry/{entry.pk}/history/")
    assert page.status_code == 200 and colleague_of_classes_staff.real_name in page.content.decode()


def test_the_lottery_seed_is_not_in_a_courses_history(classes_staff):
    course = course_capacity(classes_staff)[0]
    course.mode = Course.Mode.LOTTERY
    course.save()
    assert course.lottery_seed
    fields = {f.name for f in course.history.model._meta.fields}
    assert "lottery_seed" not in fields and "capacity" in fields


def test_another_modules_staff_cannot_read_a_history(client, events_staff):
    rule = subsidy_rule(events_staff)[0]
    client.force_login(events_staff)
    assert client.get(f"/admin/canteen/subsidyrule/{rule.pk}/history/").status_code == 403


def test_approving_spending_through_the_service_outside_a_request_still_keeps_history(
    classes_staff, colleague_of_classes_staff
):
    entry = propose_expenditure(
        by=classes_staff,
        date=date(2026, 5, 1),
        amount="60.00",
        category=FundEntry.Category.SUPPLIES,
        description="颜料",
    )
    approve_expenditure(entry, by=colleague_of_classes_staff)
    assert [h.status for h in entry.history.order_by("history_date", "history_id")] == [
        "proposed",
        "approved",
    ]
