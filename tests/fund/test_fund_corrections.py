"""The public fund page shows a correction in the month it corrects, labelled as such.

A correction of a September donation booked in November made November's income negative.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from fund import services
from fund.models import FundEntry

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def corrected_donation(classes_staff, time_machine):
    time_machine.move_to(datetime(2026, 9, 2, 10, tzinfo=SHANGHAI), tick=False)
    donation = services.record_income(
        by=classes_staff,
        date=date(2026, 9, 1),
        amount=Decimal("100.00"),
        category="donation",
        description="爱心捐款",
    )
    services.record_income(
        by=classes_staff,
        date=date(2026, 11, 3),
        amount=Decimal("30.00"),
        category="classroom",
        description="课程收入",
    )
    time_machine.move_to(datetime(2026, 11, 20, 10, tzinfo=SHANGHAI), tick=False)
    correction = services.reverse_entry(donation, by=classes_staff, reason="重复录入")
    return donation, correction


def test_a_correction_counts_in_the_month_it_corrects(corrected_donation):
    months = {row["month"]: row for row in FundEntry.objects.by_month()}
    assert months[date(2026, 9, 1)]["income"] == Decimal("0.00")
    assert months[date(2026, 11, 1)]["income"] == Decimal("30.00")  # never negative
    assert FundEntry.objects.balance() == Decimal("30.00")


def test_the_ledger_keeps_the_correction_on_its_own_date(corrected_donation):
    _donation, correction = corrected_donation
    correction.refresh_from_db()
    assert correction.date == date(2026, 11, 20) and correction.amount == Decimal("-100.00")


def test_the_public_page_labels_the_correction_with_the_day_it_corrects(client, corrected_donation):
    client.cookies["portal_language"] = "en"
    html = client.get(reverse("fund:index")).content.decode()
    assert "correction of 2026-09-01" in html
    assert '<td>2026-11</td><td class="text-end money">¥30.00</td>' in html


def test_a_refused_income_form_comes_back_with_what_was_typed(client, classes_staff):
    client.force_login(classes_staff)
    response = client.post(
        reverse("fund:income"),
        {"date": "2026-11-30", "amount": "-5", "category": "donation", "description": "居民捐款"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="居民捐款"' in html and 'value="2026-11-30"' in html
    assert not FundEntry.objects.exists()
