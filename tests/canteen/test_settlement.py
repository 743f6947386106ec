"""The monthly subsidy settlement: totals to the cent, funders apart, love meals apart, closing."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from canteen import reports, services
from canteen.models import (
    Category,
    ClosedMonth,
    Funder,
    LoveMealDelivery,
    LoveMealRecipient,
    MealRecord,
    ResidentCategory,
    SubsidyLine,
    SubsidyRule,
)
from tests.canteen.helpers import MEAL_DAY, at, make_menu
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

MAY = date(2026, 5, 1)


@pytest.fixture
def may_meals(canteen_staff, elder, resident, lunch, dinner, time_machine):
    """Five meals in May 2026: two subsidised 4.00, one with a stacked charity 1.50, one full."""
    time_machine.move_to(at(MEAL_DAY, 8), tick=False)
    SubsidyRule.objects.create(
        name="残疾人加补",
        valid_from=date(2026, 1, 1),
        category=Category.DISABILITY,
        amount="1.50",
        stacks=True,
        funder=Funder.CHARITY,
    )
    ResidentCategory.objects.create(
        member=elder.member, category=Category.DISABILITY, valid_from=date(2026, 1, 1)
    )
    lunch_menu = make_menu(MEAL_DAY, lunch, price="13.50")
    dinner_menu = make_menu(MEAL_DAY, dinner, price="12.00")
    neighbour = make_user("孙爷爷", birth_date=date(1960, 1, 1))
    records = [
        services.record_meal(lunch_menu, elder.member, by=canteen_staff),  # 4.00 + 1.50
        services.record_meal(dinner_menu, elder.member, by=canteen_staff),  # 4.00 + 1.50
        services.record_meal(lunch_menu, neighbour.member, by=canteen_staff),  # 4.00
        services.record_meal(lunch_menu, resident.member, by=canteen_staff),  # none
    ]
    recipient = LoveMealRecipient.objects.create(name="独居王伯", kind="empty_nest", building="7")
    LoveMealDelivery.objects.create(
        day=date(2026, 5, 8), recipient=recipient, portions=2, value=Decimal("12.00")
    )
    return records


def test_month_totals_add_up_to_the_cent(may_meals):
    summary = reports.month_summary(MAY)
    assert summary["meals"] == 4
    assert summary["subsidised"] == 3
    assert summary["price"] == Decimal("52.50")
    assert summary["subsidy"] == Decimal("15.00")
    assert summary["paid"] == Decimal("37.50")
    by_funder = {f["funder"]: f["amount"] for f in summary["funders"]}
    assert by_funder == {"government": Decimal("12.00"), "charity": Decimal("3.00")}
    assert summary["love_meals"] == 2 and summary["love_value"] == Decimal("24.00")


def test_a_reversal_nets_out_of_the_totals(may_meals, canteen_staff):
    services.reverse_meal(may_meals[2], reason="重复登记", by=canteen_staff)
    summary = reports.month_summary(MAY)
    assert summary["meals"] == 3 and summary["reversals"] == 1
    assert summary["subsidy"] == Decimal("11.00")
    assert {f["funder"]: f["amount"] for f in summary["funders"]}["government"] == Decimal("8.00")


def test_the_government_claim_export_has_only_government_lines_and_no_love_meals(
    client, canteen_staff, may_meals
):
    client.force_login(canteen_staff)
    response = client.get("/canteen/staff/settlement/?month=2026-05&funder=government&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "canteen-settlement-2026-05-government.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    body = rows[1:-1]
    assert len(body) == 3
    assert {r[2] for r in body} == {"刘奶奶", "孙爷爷"}
    assert rows[-1][7] == "12.00"
    assert "独居王伯" not in response.content.decode("utf-8-sig")
    assert all(r[7] == "4.00" for r in body)


def test_the_excel_export_opens_and_totals_match(client, canteen_staff, may_meals):
    client.force_login(canteen_staff)
    response = client.get("/canteen/staff/settlement/?month=2026-05&format=xlsx")
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert len(rows) == 1 + 5 + 1  # header, five subsidy lines, total
    assert Decimal(str(rows[-1][7])) == Decimal("15.00")


def test_the_settlement_page_shows_totals_and_love_meals_apart(client, canteen_staff, may_meals):
    client.force_login(canteen_staff)
    response = client.get("/canteen/staff/settlement/?month=2026-05")
    assert response.status_code == 200
    body = response.content.decode()
    assert "¥15.00" in body
    assert len(response.context["page"].object_list) == 3


@pytest.mark.parametrize("who", ["resident", "elder", "events_staff", "volunteer"])
def test_the_settlement_is_only_for_canteen_staff(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/canteen/staff/settlement/").status_code == 403
    assert client.get("/canteen/staff/settlement/?format=csv").status_code == 403
    assert client.post("/canteen/staff/settlement/close/", {"month": "2026-04"}).status_code == 403


def test_closing_a_month_freezes_it_and_corrections_go_to_the_current_month(
    client, canteen_staff, may_meals, time_machine
):
    time_machine.move_to(at(date(2026, 6, 3), 10), tick=False)
    client.force_login(canteen_staff)
    response = client.post("/canteen/staff/settlement/close/", {"month": "2026-05"})
    assert response.status_code == 302
    assert ClosedMonth.objects.get().closed_by == canteen_staff

    reversal = services.reverse_meal(may_meals[0], reason="补登更正", by=canteen_staff)
    assert reversal.month == date(2026, 6, 1)
    assert reports.month_summary(MAY)["subsidy"] == Decimal("15.00")
    assert reports.month_summary(date(2026, 6, 1))["subsidy"] == Decimal("-5.50")


def test_a_reversal_of_a_closed_months_meal_says_on_receipt_and_settlement_where_it_settles(
    client, canteen_staff, may_meals, time_machine
):
    time_machine.move_to(at(date(2026, 6, 3), 10), tick=False)
    services.close_month(MAY, by=canteen_staff)
    reversal = services.reverse_meal(may_meals[0], reason="补登更正", by=canteen_staff)
    assert reversal.month == date(2026, 6, 1) and reversal.day == MEAL_DAY
    assert not may_meals[1].settles_later  # an ordinary meal settles in its own month
    client.force_login(canteen_staff)

    receipt = client.get(reversal.get_absolute_url()).content.decode()
    assert 'data-testid="receipt-settles-in">2026-06' in receipt
    assert "2026-05" in receipt.split('data-testid="receipt-settles-in"')[1]

    june = client.get("/canteen/staff/settlement/?month=2026-06").content.decode()
    assert june.count('data-testid="settlement-row"') == 1
    assert "2026-05-06" in june and 'data-testid="settles-later"' in june
    may = client.get("/canteen/staff/settlement/?month=2026-05").content.decode()
    assert 'data-testid="settles-later"' not in may
    assert reports.month_summary(MAY)["subsidy"] == Decimal("15.00")  # the closed month as claimed


def test_the_current_month_cannot_be_closed_nor_a_month_twice(canteen_staff, time_machine):
    time_machine.move_to(at(date(2026, 6, 3), 10), tick=False)
    with pytest.raises(services.CanteenError):
        services.close_month(date(2026, 6, 1), by=canteen_staff)
    services.close_month(MAY, by=canteen_staff)
    with pytest.raises(services.CanteenError):
        services.close_month(MAY, by=canteen_staff)
    assert ClosedMonth.objects.count() == 1


def _bulk_may_meals(lunch, dinner, people: int, days: range):
    """`people` elders eating lunch and dinner on these days of May, 4.00 of subsidy each."""
    from portal.models import Household, HouseholdMember

    household = Household.objects.create(building="9")
    members = HouseholdMember.objects.bulk_create(
        HouseholdMember(household=household, name=f"老人{i}", birth_date=date(1950, 1, 1))
        for i in range(people)
    )
    menus = [make_menu(date(2026, 5, d), slot) for d in days for slot in (lunch, dinner)]
    records = MealRecord.objects.bulk_create(
        MealRecord(
            menu=m,
            day=m.day,
            slot=m.slot,
            month=MAY,
            member=p,
            person_name=p.name,
            age=76,
            price=m.price,
            subsidy=Decimal("4.00"),
            paid=m.price - Decimal("4.00"),
        )
        for m in menus
        for p in members
    )
    SubsidyLine.objects.bulk_create(
        SubsidyLine(record=r, rule_name="60+", funder=Funder.GOVERNMENT, amount=Decimal("4.00"))
        for r in records
    )
    return records


def _log_in(client, user):
    client.force_login(user)
    client.get("/canteen/counter/")  # the first request after logging in also reads the session


def _settlement_queries(client, url) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_the_settlement_page_runs_a_fixed_number_of_queries(
    client, canteen_staff, lunch, dinner, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(at(MEAL_DAY, 8), tick=False)
    _log_in(client, canteen_staff)
    _bulk_may_meals(lunch, dinner, people=1, days=range(1, 2))
    url = "/canteen/staff/settlement/?month=2026-05"
    few, _response = _settlement_queries(client, url)

    _bulk_may_meals(lunch, dinner, people=50, days=range(2, 22))
    assert MealRecord.objects.count() == 2002
    many, response = _settlement_queries(client, url)
    assert many == few <= 12
    assert response.context["summary"]["subsidised"] == 2002
    assert response.context["summary"]["subsidy"] == Decimal("8008.00")
    page = response.context["page"]
    assert page.paginator.count == 2002 and len(page.object_list) == 100
    assert len(response.content.decode().split('data-testid="settlement-row"')) == 101
    last, response = _settlement_queries(client, f"{url}&page=21")
    assert last == few and len(response.context["page"].object_list) == 2

    with django_assert_max_num_queries(8):
        export = client.get(f"{url}&format=csv")
    assert export.content.decode("utf-8-sig").count("\n") == 2004


def test_the_page_counts_rows_with_the_totals_not_with_a_query_of_its_own(
    client, canteen_staff, may_meals
):
    _log_in(client, canteen_staff)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/canteen/staff/settlement/?month=2026-05")
    assert response.context["page"].paginator.count == 3
    assert response.context["summary"]["rows"] == 3
    assert not any('"__count"' in q["sql"] for q in queries.captured_queries)


def test_an_open_month_shows_a_new_meal_at_once(client, canteen_staff, may_meals, dinner):
    client.force_login(canteen_staff)
    url = "/canteen/staff/settlement/?month=2026-05"
    assert client.get(url).context["summary"]["subsidy"] == Decimal("15.00")
    neighbour = make_user("周爷爷", birth_date=date(1955, 1, 1))
    services.record_meal(make_menu(date(2026, 5, 5), dinner), neighbour.member, by=canteen_staff)
    summary = client.get(url).context["summary"]
    assert summary["subsidy"] == Decimal("19.00") and summary["subsidised"] == 4


@pytest.mark.django_db(transaction=True)  # the cache is bypassed while writes are uncommitted
def test_a_closed_months_totals_are_cached_under_its_closing(
    client, canteen_staff, elder_rule, may_meals, time_machine
):
    time_machine.move_to(at(date(2026, 6, 3), 10), tick=False)
    services.close_month(MAY, by=canteen_staff)
    _log_in(client, canteen_staff)
    url = "/canteen/staff/settlement/?month=2026-05"

    # Just closed: a meal recorded a moment before may still be committing, so not cached yet.
    client.get(url)
    first, _response = _settlement_queries(client, url)
    again, _response = _settlement_queries(client, url)
    assert again == first

    time_machine.move_to(at(date(2026, 6, 3), 11), tick=False)
    client.get("/canteen/counter/")  # the session and the community's settings, read again
    first, response = _settlement_queries(client, url)
    cached, cached_response = _settlement_queries(client, url)
    assert cached == first - 2  # the records' totals and the funders' come from the cache
    for key in ("meals", "subsidised", "rows", "price", "subsidy", "paid", "funders"):
        assert cached_response.context["summary"][key] == response.context["summary"][key]
    labels = [f["label"] for f in cached_response.context["summary"]["funders"]]
    assert labels == [Funder.CHARITY.label, Funder.GOVERNMENT.label]

    # Corrections after the closing settle in June; May's totals stay as they were.
    services.reverse_meal(may_meals[0], reason="补登更正", by=canteen_staff)
    assert client.get(url).context["summary"]["subsidy"] == Decimal("15.00")
    assert client.get("/canteen/staff/settlement/?month=2026-06").context["summary"][
        "subsidy"
    ] == Decimal("-5.50")


def test_the_settlement_exports_neutralise_formula_names_and_keep_amounts_numbers(
    client, canteen_staff, lunch, elder_rule, time_machine
):
    # An April meal reversed in May (April closed): the reversal and its typed reason are in
    # May's claim (a meal reversed in its own month leaves the claim with its reversal).
    time_machine.move_to(at(date(2026, 4, 29), 8), tick=False)
    april = services.record_meal(
        make_menu(date(2026, 4, 29), lunch, price="13.50"),
        make_user("四月", birth_date=date(1950, 1, 1)).member,
        by=canteen_staff,
    )
    ClosedMonth.objects.create(month=date(2026, 4, 1), closed_by=canteen_staff)
    time_machine.move_to(at(MEAL_DAY, 8), tick=False)
    menu = make_menu(MEAL_DAY, lunch, price="13.50")
    for name in FORMULAS:
        services.record_meal(
            menu, make_user(name, birth_date=date(1950, 1, 1)).member, by=canteen_staff
        )
    services.reverse_meal(april, reason="-2+3", by=canteen_staff)
    client.force_login(canteen_staff)
    url = "/canteen/staff/settlement/?month=2026-05&format="

    rows = csv_rows(client.get(url + "csv"))
    sheet = xlsx_rows(client.get(url + "xlsx"))

    for found in (rows, sheet):
        assert live_formulas(found) == []
        names = {r[2] for r in found[1:-1]}
        assert {neutralised(name) for name in FORMULAS} <= names
        assert neutralised("-2+3") in {r[10] for r in found}
    reversal = next(r for r in sheet if r[10] == neutralised("-2+3"))
    assert reversal[4] == Decimal("-13.50") and reversal[7] == -4
    assert isinstance(sheet[1][0], datetime)


# ------------------------------------------------------------ the Excel file staff hand in


def _settlement_xlsx(client, language, funder=""):
    url = f"/canteen/staff/settlement/?month=2026-05&format=xlsx&funder={funder}"
    client.cookies["portal_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("language", "sheet", "total", "period"),
    [("zh-hans", "补贴明细", "合计", "统计期间：2026年5月"), ("en", None, "Total", None)],
)
def test_the_excel_settlement_is_typed_titled_and_totals_match_the_page(
    client, canteen_staff, may_meals, language, sheet, total, period
):
    canteen_staff.real_name = "李会计"
    canteen_staff.save()
    client.force_login(canteen_staff)
    page = client.get("/canteen/staff/settlement/?month=2026-05").context["summary"]

    book = workbook(_settlement_xlsx(client, language))

    assert len(book.sheetnames) == 2 and "Sheet" not in book.sheetnames
    ws = book.worksheets[1]
    if sheet:
        assert book.sheetnames == ["封面", sheet]
    lines = title_block(ws)
    assert lines[0].startswith("公园路社区 ") and any("李会计" in line for line in lines)
    assert period is None or period in lines
    first = header_row(ws) + 1
    assert all(c.font.b for c in ws[header_row(ws)])
    assert ws.freeze_panes == f"A{first}"
    day, *_rest = ws[first]
    assert isinstance(day.value, datetime) and day.number_format == "yyyy-mm-dd"
    assert ws.cell(first, 4).data_type == "n" and ws.cell(first, 4).number_format == "0"
    assert [ws.cell(first, c).number_format for c in (5, 8, 9)] == ["0.00"] * 3
    totals = ws[ws.max_row]
    assert totals[0].value == total and all(c.font.b for c in totals)
    assert Decimal(str(totals[7].value)) == page["subsidy"]  # the page's total subsidy
    lines_ = list(ws.iter_rows(min_row=first, max_row=ws.max_row - 1, values_only=True))
    assert Decimal(str(totals[4].value)) == sum(Decimal(str(r[4])) for r in lines_)
    assert Decimal(str(totals[8].value)) == sum(Decimal(str(r[8])) for r in lines_)


def test_the_government_claim_opens_with_a_cover_equal_to_the_page(
    client, canteen_staff, may_meals
):
    client.force_login(canteen_staff)
    page = client.get("/canteen/staff/settlement/?month=2026-05").context["summary"]
    government = next(f for f in page["funders"] if f["funder"] == "government")

    book = workbook(_settlement_xlsx(client, "zh-hans", "government"))

    assert book.sheetnames == ["封面", "补贴明细"]
    cover = [[v for v in row if v is not None] for row in book["封面"].iter_rows(values_only=True)]
    assert cover[0] == ["公园路社区 食堂助餐补贴申领表"]
    assert ["出资方：政府（民政）"] in cover
    assert ["补贴笔数", government["lines"]] in cover
    amount = next(r[1] for r in cover if r and r[0] == "申请补贴金额（元）")
    assert Decimal(str(amount)) == government["amount"] == Decimal("12.00")
    flat = {v for row in cover for v in row}
    assert {"编制人（签字）：", "审核人（签字）：", "公园路社区居民委员会（盖章）"} <= flat
    detail = book["补贴明细"]
    assert Decimal(str(detail[detail.max_row][7].value)) == government["amount"]
    for ws in book.worksheets:
        assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_the_whole_settlement_opens_with_a_cover_of_every_funder_equal_to_the_page(
    client, canteen_staff, may_meals
):
    client.force_login(canteen_staff)
    page = client.get("/canteen/staff/settlement/?month=2026-05").context["summary"]
    assert len(page["funders"]) >= 2  # the government's elder rule and the charity's stacking one

    book = workbook(_settlement_xlsx(client, "zh-hans"))

    assert book.sheetnames == ["封面", "补贴明细"]
    cover = [[v for v in row if v is not None] for row in book["封面"].iter_rows(values_only=True)]
    assert cover[0] == ["公园路社区 食堂助餐补贴结算表"]
    figures = {row[0]: row[1] for row in cover if len(row) == 2}
    assert figures["就餐份数"] == page["meals"]
    assert figures["补贴餐数"] == page["subsidised"]
    for funder in page["funders"]:
        assert figures[f"{funder['label']}：补贴笔数"] == funder["lines"]
        assert Decimal(str(figures[f"{funder['label']}：补贴金额（元）"])) == funder["amount"]
    total = Decimal(str(figures["各出资方补贴合计（元）"]))
    assert total == page["subsidy"] == sum(f["amount"] for f in page["funders"])
    assert Decimal(str(figures["居民实付（元）"])) == page["paid"]
    flat = {v for row in cover for v in row}
    assert {"编制人（签字）：", "审核人（签字）：", "公园路社区居民委员会（盖章）"} <= flat
    money = [c for row in book["封面"].iter_rows() for c in row if c.number_format == "0.00"]
    assert len(money) == len(page["funders"]) + 3  # list price, each funder, total, paid


def test_the_csv_settlement_has_no_title_block_and_keeps_its_totals(
    client, canteen_staff, may_meals
):
    client.force_login(canteen_staff)
    response = client.get("/canteen/staff/settlement/?month=2026-05&format=csv")
    assert response.content.startswith("\ufeff".encode())
    rows = csv_rows(response)
    assert rows[0][0] == "日期" and rows[-1][0] == "合计" and rows[-1][7] == "15.00"


@needs_soffice
def test_libreoffice_opens_the_settlement_and_the_claim(client, canteen_staff, may_meals, tmp_path):
    client.force_login(canteen_staff)
    opens_in_libreoffice(_settlement_xlsx(client, "zh-hans").content, tmp_path, "settlement")
    claim = _settlement_xlsx(client, "zh-hans", "government").content
    opens_in_libreoffice(claim, tmp_path, "claim")
