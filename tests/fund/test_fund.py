"""The micro-fund: four eyes on spending, append-only with reversals, a public page without
personal data, and a period statement."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from fund import services
from fund.models import FundEntry
from fund.services import FundError
from tests.exports import (
    FORMULAS,
    csv_rows,
    header_row,
    live_formulas,
    needs_soffice,
    neutralised,
    opens_in_libreoffice,
    title_block,
    workbook,
    xlsx_rows,
)
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def colleague(db):
    from portal import roles

    return make_user("李课堂", role_list=[roles.CLASSES_STAFF])


def _income(by, amount="500.00", **kw):
    kw.setdefault("category", FundEntry.Category.CLASSROOM)
    kw.setdefault("description", "课堂材料费分成")
    return services.record_income(by=by, date=date(2026, 9, 1), amount=amount, **kw)


def _proposal(by, amount="120.00"):
    return services.propose_expenditure(
        by=by,
        date=date(2026, 9, 1),
        amount=amount,
        category=FundEntry.Category.PROJECT,
        description="为独居老人购买助行器",
    )


def test_balance_is_income_less_paid_spending(classes_staff, colleague):
    _income(classes_staff, "500.00")
    spend = _proposal(classes_staff, "120.00")
    assert FundEntry.objects.balance() == Decimal("500.00")  # proposed: not yet spent
    services.approve_expenditure(spend, by=colleague)
    assert FundEntry.objects.balance() == Decimal("500.00")  # approved: not yet paid
    services.pay_expenditure(spend, by=colleague)
    assert FundEntry.objects.balance() == Decimal("380.00")


def test_each_step_of_spending_names_who_took_it(classes_staff, colleague):
    """Paid and rejected have no column of their own for who: the row's history names them,
    from a staff page or from anywhere else (a shell, a job)."""
    spend = _proposal(classes_staff, "80.00")
    services.approve_expenditure(spend, by=colleague)
    services.pay_expenditure(spend, by=classes_staff)
    refused = _proposal(classes_staff, "30.00")
    services.reject_expenditure(refused, by=colleague)

    def steps(entry):
        return [(h.status, h.history_user) for h in entry.history.order_by("history_date")]

    assert steps(spend)[-1] == ("paid", classes_staff)
    assert steps(refused)[-1] == ("rejected", colleague)


def test_whoever_proposed_cannot_approve(classes_staff):
    spend = _proposal(classes_staff)
    with pytest.raises(FundError, match="申请人不能审批"):
        services.approve_expenditure(spend, by=classes_staff)
    spend.refresh_from_db()
    assert spend.status == FundEntry.Status.PROPOSED and spend.approved_by is None


def test_the_database_also_refuses_self_approval(classes_staff):
    spend = _proposal(classes_staff)
    spend.status, spend.approved_by, spend.approved_at = "approved", classes_staff, timezone.now()
    with pytest.raises(IntegrityError):
        spend.save()  # a forward step the ledger allows, but not by the proposer


def test_spending_must_be_approved_before_it_is_paid(classes_staff):
    spend = _proposal(classes_staff)
    with pytest.raises(FundError, match="已批准"):
        services.pay_expenditure(spend, by=classes_staff)


@pytest.mark.parametrize("amount", ["0", "-5.00"], ids=["zero", "negative"])
def test_amounts_must_be_positive(classes_staff, amount):
    with pytest.raises(FundError, match="大于零"):
        _income(classes_staff, amount)
    assert not FundEntry.objects.exists()


def test_a_mistake_is_corrected_by_a_reversing_entry(classes_staff, colleague):
    wrong = _income(classes_staff, "50.00")
    fix = services.reverse_entry(wrong, by=colleague, reason="金额录错")
    assert fix.amount == Decimal("-50.00") and fix.reverses == wrong
    assert FundEntry.objects.balance() == 0
    assert FundEntry.objects.count() == 2
    wrong.refresh_from_db()
    assert wrong.amount == Decimal("50.00")  # the original stays as it was


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "更正原因"), ("再冲一次", "已经更正")],
    ids=["no-reason", "twice"],
)
def test_reversal_refusals(classes_staff, reason, message):
    entry = _income(classes_staff)
    if message == "已经更正":
        services.reverse_entry(entry, by=classes_staff, reason="第一次")
    with pytest.raises(FundError, match=message):
        services.reverse_entry(entry, by=classes_staff, reason=reason)


def test_proposed_spending_cannot_be_reversed(classes_staff):
    with pytest.raises(FundError, match="只有已入账"):
        services.reverse_entry(_proposal(classes_staff), by=classes_staff, reason="x")


def test_the_admin_cannot_add_change_or_delete_ledger_rows(rf, community_admin, classes_staff):
    entry = _income(classes_staff)
    model_admin = site._registry[FundEntry]
    request = rf.get("/")
    request.user = classes_staff
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_the_public_page_shows_totals_and_no_personal_data(client, classes_staff, colleague):
    _income(
        classes_staff,
        "200.00",
        category=FundEntry.Category.DONATION,
        description="爱心捐款",
        donor_name="王秘密",
    )
    _income(
        classes_staff,
        "300.00",
        category=FundEntry.Category.DONATION,
        description="企业捐赠",
        donor_name="红星超市",
        donor_is_public=True,
    )
    spend = _proposal(classes_staff, "100.00")
    services.approve_expenditure(spend, by=colleague)
    services.pay_expenditure(spend, by=colleague)
    response = client.get(reverse("fund:index"))
    page = response.content.decode()
    assert response.context["balance"] == Decimal("400.00")
    assert "¥400.00" in page and "为独居老人购买助行器" in page and "红星超市" in page
    assert "王秘密" not in page
    assert classes_staff.real_name not in page and colleague.real_name not in page


def test_staff_post_income_and_proposals_through_the_pages(client, classes_staff, colleague):
    client.force_login(classes_staff)
    response = client.post(
        reverse("fund:income"),
        {
            "date": "2026-09-01",
            "amount": "88.50",
            "category": "partner",
            "description": "星光教育支持",
        },
    )
    assert response.status_code == 302
    assert FundEntry.objects.get().amount == Decimal("88.50")
    client.post(
        reverse("fund:propose"),
        {
            "date": "2026-09-01",
            "amount": "20",
            "category": "supplies",
            "description": "画笔",
        },
    )
    spend = FundEntry.objects.get(kind=FundEntry.Kind.EXPENDITURE)
    # The proposer's approval is refused with a message; a colleague's goes through.
    client.post(reverse("fund:action", args=[spend.pk, "approve"]))
    spend.refresh_from_db()
    assert spend.status == FundEntry.Status.PROPOSED
    client.force_login(colleague)
    client.post(reverse("fund:action", args=[spend.pk, "approve"]))
    spend.refresh_from_db()
    assert spend.status == FundEntry.Status.APPROVED and spend.approved_by == colleague


def test_a_negative_amount_in_the_form_is_refused(client, classes_staff):
    client.force_login(classes_staff)
    response = client.post(
        reverse("fund:income"),
        {
            "date": "2026-09-01",
            "amount": "-5",
            "category": "donation",
            "description": "x",
        },
        follow=True,
    )
    assert not FundEntry.objects.exists()
    assert response.context["messages"]


def test_residents_cannot_use_the_ledger_pages(client, parent, classes_staff):
    entry = _proposal(classes_staff)
    client.force_login(parent)
    assert client.get(reverse("fund:manage")).status_code == 403
    assert client.post(reverse("fund:action", args=[entry.pk, "approve"])).status_code == 403
    assert client.post(reverse("fund:income"), {}).status_code == 403
    assert client.get(reverse("fund:statement", args=["csv"])).status_code == 403
    entry.refresh_from_db()
    assert entry.status == FundEntry.Status.PROPOSED


def test_the_statement_lists_a_period_with_opening_and_closing_balance(client, classes_staff):
    services.record_income(
        by=classes_staff,
        date=date(2026, 8, 1),
        amount="100",
        category="donation",
        description="八月",
    )
    services.record_income(
        by=classes_staff,
        date=date(2026, 9, 1),
        amount="40",
        category="classroom",
        description="九月",
    )
    client.force_login(classes_staff)
    response = client.get(
        reverse("fund:statement", args=["csv"]),
        {"start": "2026-09-01", "end": "2026-09-30"},
    )
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "九月" in body and "八月" not in body
    assert "100.00" in body and "140.00" in body
    xlsx = client.get(
        reverse("fund:statement", args=["xlsx"]),
        {"start": "2026-09-01", "end": "2026-09-30"},
    )
    assert xlsx.content[:2] == b"PK"


def test_the_ledger_page_runs_a_fixed_number_of_queries(
    client, classes_staff, colleague, django_assert_max_num_queries
):
    for i in range(40):
        entry = _income(classes_staff, f"{i + 1}.00")
        if i % 4 == 0:
            services.reverse_entry(entry, by=colleague, reason="更正")
    client.force_login(classes_staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("fund:manage"))
    assert response.status_code == 200


def test_the_public_fund_page_runs_a_fixed_number_of_queries(
    client, classes_staff, django_assert_max_num_queries
):
    for i in range(40):
        _income(classes_staff, f"{i + 1}.00")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("fund:index")).status_code == 200


def test_the_statement_neutralises_formula_text_and_keeps_amounts_and_dates_typed(
    client, classes_staff, colleague
):
    _income(classes_staff, description=FORMULAS[0], category="donation", donor_name="@SUM(A1)")
    spending = _proposal(colleague, amount="120.00")
    services.approve_expenditure(spending, by=classes_staff)
    services.pay_expenditure(spending, by=classes_staff)
    services.reverse_entry(spending, by=classes_staff, reason="-2+3")
    client.force_login(classes_staff)
    period = {"start": "2026-09-01", "end": "2026-09-30"}

    rows = csv_rows(client.get(reverse("fund:statement", args=["csv"]), period))
    sheet = xlsx_rows(client.get(reverse("fund:statement", args=["xlsx"]), period))

    for found in (rows, sheet):
        assert live_formulas(found) == []
        assert neutralised(f"{FORMULAS[0]} · @SUM(A1)") in {r[3] for r in found}
        assert neutralised("-2+3") in {r[9] for r in found}
    paid = next(r for r in sheet[1:] if r[5] == -120)
    assert isinstance(paid[0], datetime) and isinstance(paid[6], int | float)
    assert "-120.00" in {r[5] for r in rows}


@pytest.mark.parametrize(
    ("language", "sheet", "total"),
    [("zh-hans", "微基金收支明细", "合计"), ("en", "Micro-fund statement", "Total")],
)
def test_the_excel_statement_is_titled_typed_and_totals_the_net_movement(
    client, classes_staff, colleague, language, sheet, total, tmp_path
):
    _income(classes_staff, "500.00")
    _proposal(colleague, "120.00")  # proposed: listed, moves nothing
    paid = _proposal(colleague, "80.00")
    services.approve_expenditure(paid, by=classes_staff)
    services.pay_expenditure(paid, by=classes_staff)
    client.force_login(classes_staff)
    client.cookies["portal_language"] = language
    period = {"start": "2026-09-01", "end": "2026-09-30"}

    response = client.get(reverse("fund:statement", args=["xlsx"]), period)

    book = workbook(response)
    assert book.sheetnames == [sheet]
    ws = book.active
    lines = title_block(ws)
    assert lines[0].endswith(sheet) and "2026-09-01" in lines[1] and "2026-09-30" in lines[1]
    rows = xlsx_rows(response)
    entry = next(r for r in rows[1:] if r[5] == 500)
    assert isinstance(entry[0], datetime)
    first = header_row(ws) + 2  # the opening balance's row comes first
    assert ws.cell(first, 1).number_format == "yyyy-mm-dd"
    assert ws.cell(first, 6).number_format == "0.00" and ws.cell(first, 7).number_format == "0.00"
    assert rows[-1][0] == total
    assert rows[-1][5] == 420  # 500 in, 80 paid out; the proposal of 120 moves nothing
    assert rows[-2][6] - rows[1][6] == rows[-1][5]  # closing less opening balance


@needs_soffice
def test_libreoffice_opens_the_statement(client, classes_staff, tmp_path):
    _income(classes_staff, "500.00")
    client.force_login(classes_staff)
    period = {"start": "2026-09-01", "end": "2026-09-30"}
    response = client.get(reverse("fund:statement", args=["xlsx"]), period)
    opens_in_libreoffice(response.content, tmp_path)
