"""A wrong meal from an earlier day of the open month is found at the counter and reversed.

Only today's meals showed at the counter and receipts had no reverse action, so a meal
recorded for the wrong person on Monday could not be corrected before the month closed.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from canteen import reports, services
from canteen.models import ClosedMonth, MealRecord, SubsidyLine
from tests.canteen.helpers import MEAL_DAY, at, make_menu

MONDAY = date(2026, 5, 4)  # two days before MEAL_DAY, same month


@pytest.fixture
def mondays_meal(canteen_staff, elder, elder_rule, lunch, time_machine):
    """Monday's lunch recorded for the elder (¥14, −¥4 subsidy), and the clock now Wednesday."""
    time_machine.move_to(at(MONDAY, 12), tick=False)
    record = services.record_meal(make_menu(MONDAY, lunch), elder.member, by=canteen_staff)
    time_machine.move_to(at(MEAL_DAY, 10), tick=False)
    return record


@pytest.fixture
def staff_client(client, canteen_staff):
    client.force_login(canteen_staff)
    return client


def counter(client, elder, **params):
    return client.get(reverse("canteen:counter-member", args=[elder.member.pk]), params)


def test_the_counter_lists_the_persons_meals_of_the_open_month(staff_client, elder, mondays_meal):
    response = counter(staff_client, elder)
    assert response.status_code == 200
    assert response.context["records"] == [mondays_meal]
    html = response.content.decode()
    assert "2026-05-04" in html
    assert reverse("canteen:reverse-meal", args=[mondays_meal.pk]) in html


def test_staff_look_up_a_persons_meals_by_date(staff_client, elder, canteen_staff, mondays_meal):
    services.record_meal(make_menu(MEAL_DAY), elder.member, by=canteen_staff)
    by_day = counter(staff_client, elder, day="2026-05-04")
    assert by_day.context["records"] == [mondays_meal]
    nothing = counter(staff_client, elder, day="2026-05-05")
    assert nothing.context["records"] == []


def test_a_mistyped_date_is_explained_not_a_server_error(staff_client, elder, mondays_meal):
    response = counter(staff_client, elder, day="2026-13-45")
    assert response.status_code == 200
    assert response.context["lookup_form"].errors
    assert response.context["records"] == [mondays_meal]


def test_staff_reverse_an_earlier_days_meal_with_a_reason(staff_client, elder, mondays_meal):
    response = staff_client.post(
        reverse("canteen:reverse-meal", args=[mondays_meal.pk]), {"reason": "记错了人"}
    )
    reversal = MealRecord.objects.get(kind=MealRecord.Kind.REVERSAL)
    assert response.status_code == 302 and response["Location"] == reversal.get_absolute_url()
    assert reversal.reverses == mondays_meal and reversal.reason == "记错了人"
    assert reversal.month == date(2026, 5, 1)
    assert reversal.paid == Decimal("-10.00")
    listed = counter(staff_client, elder)
    assert reverse("canteen:reverse-meal", args=[mondays_meal.pk]) not in listed.content.decode()


def test_the_reversal_receipt_shows_minus_amounts_once(staff_client, mondays_meal, canteen_staff):
    reversal = services.reverse_meal(mondays_meal, reason="记错了人", by=canteen_staff)
    html = staff_client.get(reversal.get_absolute_url()).content.decode()
    assert "−¥4.00" in html and "−¥14.00" in html and "−¥10.00" in html
    assert "¥-" not in html and "−¥-" not in html


def test_the_receipt_offers_staff_the_reversal(staff_client, elder, client, mondays_meal):
    url = mondays_meal.get_absolute_url()
    assert 'data-testid="receipt-reverse"' in staff_client.get(url).content.decode()
    response = staff_client.post(
        reverse("canteen:reverse-meal", args=[mondays_meal.pk]), {"reason": "重复记录"}
    )
    assert response.status_code == 302
    again = staff_client.get(url).content.decode()
    assert 'data-testid="receipt-reverse"' not in again  # reversed once, never twice


def test_residents_see_no_reversal_and_cannot_post_one(client, elder, mondays_meal):
    client.force_login(elder)
    html = client.get(mondays_meal.get_absolute_url()).content.decode()
    assert 'data-testid="receipt-reverse"' not in html
    response = client.post(
        reverse("canteen:reverse-meal", args=[mondays_meal.pk]), {"reason": "不想付"}
    )
    assert response.status_code == 403
    assert not MealRecord.objects.filter(kind=MealRecord.Kind.REVERSAL).exists()


def test_a_reversal_without_a_reason_changes_nothing(staff_client, elder, mondays_meal):
    response = staff_client.post(
        reverse("canteen:reverse-meal", args=[mondays_meal.pk]), {"reason": "  "}
    )
    assert response.status_code == 302
    assert MealRecord.objects.count() == 1


def test_a_closed_months_meal_is_reversed_into_the_open_month(
    staff_client, canteen_staff, elder, mondays_meal, time_machine
):
    time_machine.move_to(at(date(2026, 6, 3), 10), tick=False)
    ClosedMonth.objects.create(month=date(2026, 5, 1), closed_by=canteen_staff)
    staff_client.post(reverse("canteen:reverse-meal", args=[mondays_meal.pk]), {"reason": "迟报"})
    reversal = MealRecord.objects.get(kind=MealRecord.Kind.REVERSAL)
    assert reversal.month == date(2026, 6, 1)
    assert reversal.lines.get().month == date(2026, 6, 1)
    # The closed month's claim keeps its meal; June's claim carries the correction.
    assert reports.month_summary(date(2026, 5, 1))["subsidy"] == Decimal("4.00")
    assert reports.month_summary(date(2026, 6, 1))["subsidy"] == Decimal("-4.00")
    june = list(reports.settlement_rows(date(2026, 6, 1), "government"))
    assert len(june) == 1 and Decimal("-4.00") in june[0]  # the reversal (the export adds totals)


def test_the_government_export_counts_a_meal_and_its_reversal_as_no_meal(
    staff_client, canteen_staff, elder, mondays_meal
):
    kept = services.record_meal(make_menu(MEAL_DAY), elder.member, by=canteen_staff)
    services.reverse_meal(mondays_meal, reason="记错了人", by=canteen_staff)
    response = staff_client.get(
        reverse("canteen:settlement"), {"month": "2026-05", "funder": "government", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    body = rows[1:-1]
    assert [r[0] for r in body] == [kept.day.isoformat()]
    assert rows[-1][7] == "4.00"
    summary = reports.month_summary(date(2026, 5, 1))
    assert summary["meals"] == 1 and summary["subsidised"] == 1 and summary["rows"] == 1
    assert [f["lines"] for f in summary["funders"]] == [1]
    assert [r["pk"] for r in reports.subsidised_records(date(2026, 5, 1))] == [kept.pk]
    assert SubsidyLine.objects.count() == 3  # the ledger itself keeps all three lines


def test_the_counter_page_runs_a_fixed_number_of_queries_with_a_month_of_meals(
    staff_client,
    canteen_staff,
    community,
    elder,
    lunch,
    time_machine,
    django_assert_max_num_queries,
):
    for day in range(1, 21):
        meal_day = date(2026, 5, day)
        time_machine.move_to(at(meal_day, 12), tick=False)
        record = services.record_meal(make_menu(meal_day, lunch), elder.member, by=canteen_staff)
        if day % 4 == 0:
            services.reverse_meal(record, reason="错", by=canteen_staff)
    with django_assert_max_num_queries(16):
        response = counter(staff_client, elder)
    assert len(response.context["records"]) == 25
