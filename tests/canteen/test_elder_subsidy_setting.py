"""One source of truth for the elders' subsidy: the subsidy rules, which the counter charges.

The community settings used to carry an amount and an age that nothing read; staff who changed
them saw the counter keep charging the rule's 4 yuan.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from canteen.models import MealRecord, SubsidyRule
from portal.models import Community
from tests.canteen.helpers import make_menu


@pytest.fixture
def settings_admin(client, community_admin):
    client.force_login(community_admin)
    return client


def test_the_community_settings_no_longer_hold_a_subsidy_amount_or_age():
    names = {f.name for f in Community._meta.get_fields()}
    assert "elder_subsidy" not in names and "elder_age" not in names


def test_the_settings_page_points_to_the_subsidy_rules(settings_admin, community):
    response = settings_admin.get(reverse("admin:portal_community_change", args=[community.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="elder_subsidy"' not in html and 'name="elder_age"' not in html
    assert reverse("admin:canteen_subsidyrule_changelist") in html
    assert "补贴规则" in html


def test_what_staff_set_in_the_rule_is_what_the_counter_charges(
    client, canteen_staff, elder, elder_rule, menu, morning
):
    client.force_login(canteen_staff)
    change = reverse("admin:canteen_subsidyrule_change", args=[elder_rule.pk])
    response = client.post(
        change,
        {
            "name": elder_rule.name,
            "valid_from": "2020-01-01",
            "valid_to": "",
            "min_age": "60",
            "category": "",
            "amount": "5.50",
            "funder": elder_rule.funder,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    elder_rule.refresh_from_db()
    assert elder_rule.amount == Decimal("5.50")

    page = client.get(reverse("canteen:counter-member", args=[elder.member.pk]))
    assert "5.50" in page.content.decode()
    client.post(
        reverse("canteen:counter-member", args=[elder.member.pk]),
        {"action": "record", "menu": menu.pk},
    )
    record = MealRecord.objects.get(member=elder.member)
    assert record.subsidy == Decimal("5.50")
    assert record.paid == menu.price - Decimal("5.50")


def test_the_home_page_states_the_age_the_rules_start_at(client, community, elder_rule):
    SubsidyRule.objects.filter(pk=elder_rule.pk).update(min_age=65)
    make_menu(date(2020, 1, 1))  # no menu today: the card describes the canteen instead
    html = client.get("/").content.decode()
    assert "65 周岁以上居民每餐享受补贴" in html
