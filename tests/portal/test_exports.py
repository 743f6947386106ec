"""The shared export helper: formula-looking text is neutralised, numbers and dates stay typed."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from portal import exports
from tests.exports import FORMULAS, header_row, needs_soffice, opens_in_libreoffice, title_block


def _table(rows, columns=None):
    columns = columns or [
        exports.Column("名字"),
        exports.Column("日期", exports.DATE),
        exports.Column("金额", exports.MONEY),
        exports.Column("人数", exports.INT),
    ]
    return exports.Table("2026-05", columns, rows)


def _csv(table):
    return list(csv.reader(io.StringIO(exports.csv_bytes([table]).decode("utf-8-sig"))))


def _sheet(*tables):
    return load_workbook(io.BytesIO(exports.xlsx_bytes(list(tables))))


@pytest.mark.parametrize("text", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_text_that_looks_like_a_formula_is_written_as_text_with_a_quote(text):
    table = _table([[text, None, None, None]])

    assert _csv(table)[1][0] == "'" + text
    cell = _sheet(table).active["A2"]
    # XML reads a carriage return back as a line feed; what matters is the leading quote.
    assert cell.value == ("'" + text).replace("\r", "\n") and cell.data_type == "s"


@pytest.mark.parametrize("text", ["王居民", "1号楼", "a=b", " =1", "'quoted", ""])
def test_ordinary_text_is_written_as_it_is(text):
    assert _csv(_table([[text]]))[1][0] == text
    assert (_sheet(_table([[text]])).active["A2"].value or "") == text


def test_numbers_decimals_and_dates_stay_typed_even_when_negative():
    table = _table([["冲正", date(2026, 5, 6), Decimal("-4.00"), -3]])

    assert _csv(table)[1] == ["冲正", "2026-05-06", "-4.00", "-3"]
    sheet = _sheet(table).active
    day, amount, count = sheet["B2"], sheet["C2"], sheet["D2"]
    assert day.value == datetime(2026, 5, 6) and day.number_format == "yyyy-mm-dd"
    assert amount.value == -4 and amount.data_type == "n" and amount.number_format == "0.00"
    assert count.value == -3 and count.data_type == "n"


def test_a_money_column_writes_two_places_in_csv():
    assert _csv(_table([["餐费", None, Decimal("12.5"), 1]]))[1][2] == "12.50"


def test_the_excel_header_is_bold_and_frozen_and_columns_are_wide_enough():
    sheet = _sheet(
        _table([["一个很长很长的名字" * 2, date(2026, 5, 6), Decimal("4.00"), 1]])
    ).active

    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["A"].width >= 36
    assert sheet.column_dimensions["B"].width >= 10


def test_control_characters_never_corrupt_the_workbook_and_titles_follow_excels_rules():
    first = exports.Table(
        "费用[1]/: 月度*?汇总报表很长很长很长很长很长很长很长", ["名字"], [["王\x01居民\x0b"]]
    )
    second = exports.Table("费用[1]/: 月度*?汇总报表很长很长很长很长很长很长很长", ["名字"], [])

    book = _sheet(first, second)

    names = book.sheetnames
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert book[names[0]]["A2"].value == "王居民"


def test_several_tables_go_to_csv_blocks_under_their_titles():
    tables = [exports.Table("=一", ["A"], [[1]]), exports.Table("二", ["B"], [[2]])]

    rows = list(csv.reader(io.StringIO(exports.csv_bytes(tables).decode("utf-8-sig"))))

    assert rows == [["'=一"], ["A"], ["1"], [], ["二"], ["B"], ["2"]]


def test_a_download_names_the_file_safely_and_refuses_unknown_formats():
    response = exports.download(_table([]), "csv", 'report "2026"\r\n05')

    assert response["Content-Disposition"] == 'attachment; filename="report-2026-05.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    with pytest.raises(ValueError):
        exports.download(_table([]), "html", "report")


# ------------------------------------------------------------ files a staff member can hand in

HEADING = exports.Heading(
    report="助餐补贴结算",
    period="2026年5月",
    filters=[("出资方", "政府（民政）")],
    by="李会计",
    community="公园路社区",
    generated_at=datetime(2026, 6, 1, 1, 30, tzinfo=UTC),
)


def _claim_table(rows=None):
    columns = [
        exports.Column("日期", exports.DATE),
        exports.Column("姓名"),
        exports.Column("年龄", exports.INT),
        exports.Column("价格", exports.MONEY, total=True),
        exports.Column("补贴", exports.MONEY, total=True),
        exports.Column("份数", exports.INT, total=True),
        exports.Column("出勤率", exports.PERCENT),
    ]
    rows = rows or [
        [date(2026, 5, 6), "刘奶奶", 81, Decimal("15.00"), Decimal("4.00"), 1, Decimal("0.5")],
        [date(2026, 5, 7), "=孙爷爷", 64, Decimal("13.50"), Decimal("5.50"), 2, None],
    ]
    return exports.Table("补贴明细", columns, rows)


def _book(content):
    return load_workbook(io.BytesIO(content))


def test_the_title_block_sits_above_a_bold_header_frozen_below_it():
    with translation.override("en"):
        ws = _book(exports.xlsx_bytes([_claim_table()], HEADING)).active

    assert title_block(ws) == [
        "公园路社区 助餐补贴结算",
        "Period: 2026年5月",
        "出资方: 政府（民政）",
        "Generated at: 2026-06-01 09:30 (Beijing time)",  # Asia/Shanghai wall time
        "Generated by: 李会计",
    ]
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A6"].value is None  # a blank row before the header
    assert header_row(ws) == 7 and ws.freeze_panes == "A8"
    assert [c.value for c in ws[7]] == ["日期", "姓名", "年龄", "价格", "补贴", "份数", "出勤率"]
    assert all(c.font.b for c in ws[7])
    assert ws.print_title_rows == "$7:$7"  # the header on every printed page


def test_the_title_block_speaks_the_readers_language():
    with translation.override("zh-hans"):
        ws = _book(exports.xlsx_bytes([_claim_table()], HEADING)).active
    lines = title_block(ws)
    assert lines[1] == "统计期间：2026年5月"
    assert lines[2] == "出资方：政府（民政）"
    assert lines[3] == "生成时间：2026-06-01 09:30（北京时间）"
    assert lines[4] == "生成人：李会计"
    assert ws.cell(header_row(ws) + 3, 1).value == "合计"


def test_a_formula_in_the_heading_is_neutralised():
    heading = exports.Heading(report="x", filters=[], community="=1+1", by="")
    ws = _book(exports.xlsx_bytes([_claim_table()], heading)).active
    assert ws["A1"].value == "'=1+1 x"


def test_cells_are_typed_dates_money_counts_and_percentages_with_their_formats():
    ws = _book(exports.xlsx_bytes([_claim_table()], HEADING)).active
    first = ws[header_row(ws) + 1]

    day, name, age, price, subsidy, portions, rate = first
    assert day.value == datetime(2026, 5, 6) and day.number_format == "yyyy-mm-dd"
    assert name.data_type == "s"
    assert age.value == 81 and age.data_type == "n" and age.number_format == "0"
    assert price.value == 15 and price.data_type == "n" and price.number_format == "0.00"
    assert portions.number_format == "0"
    assert rate.value == 0.5 and rate.data_type == "n" and rate.number_format == "0%"
    assert ws.cell(header_row(ws) + 2, 2).value == "'=孙爷爷"


@translation.override("en")
def test_the_totals_row_adds_up_every_money_and_count_column():
    ws = _book(exports.xlsx_bytes([_claim_table()], HEADING)).active
    totals = ws[header_row(ws) + 3]

    assert [c.value for c in totals] == ["Total", None, None, 28.5, 9.5, 3, None]
    assert totals[3].number_format == "0.00" and totals[5].number_format == "0"
    assert all(c.font.b for c in totals)
    assert exports.totals_row(_claim_table().columns, _claim_table().rows) == [
        "Total",
        None,
        None,
        Decimal("28.50"),
        Decimal("9.50"),
        3,
        None,
    ]


def test_a_given_total_replaces_the_sum_and_an_empty_table_totals_zero():
    table = _claim_table()
    table.totals = {6: exports.Percent("0.25")}
    ws = _book(exports.xlsx_bytes([table])).active
    assert ws["G4"].value == 0.25 and ws["G4"].number_format == "0%"

    empty = exports.Table("空", _claim_table().columns, [])
    ws = _book(exports.xlsx_bytes([empty])).active
    assert [c.value for c in ws[2]][3:6] == [0, 0, 0]


def test_a_percent_is_a_number_in_excel_and_reads_as_a_percentage_in_csv_and_on_a_page():
    assert str(exports.Percent(Decimal("0.5"))) == "50%"
    assert str(exports.Percent(Decimal("0.8333"))) == "83.3%"
    rows = list(csv.reader(io.StringIO(exports.csv_bytes([_claim_table()]).decode("utf-8-sig"))))
    assert rows[1][6] == "50%"


@translation.override("en")
def test_csv_is_what_excel_and_wps_open_header_first_no_title_block_with_totals():
    content = exports.csv_bytes([_claim_table()], HEADING)

    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["日期", "姓名", "年龄", "价格", "补贴", "份数", "出勤率"]
    assert rows[2][1] == "'=孙爷爷"
    assert rows[-1] == ["Total", "", "", "28.50", "9.50", "3", ""]
    assert "李会计" not in content.decode("utf-8-sig")


def test_sheets_print_on_a4_fitted_to_the_width():
    ws = _book(exports.xlsx_bytes([_claim_table()], HEADING)).active

    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_a_sheet_is_never_called_sheet():
    with translation.override("zh-hans"):
        book = _book(exports.xlsx_bytes([exports.Table("", ["A"], [])]))
    assert book.sheetnames == ["表"]


@pytest.mark.django_db
def test_a_claim_opens_with_a_cover_for_the_signatures_and_the_seal():
    cover = exports.Cover(
        title="封面",
        figures=[
            ("补贴笔数", 2, exports.INT),
            ("申请补贴金额（元）", Decimal("9.50"), exports.MONEY),
        ],
    )
    with translation.override("zh-hans"):
        book = _book(exports.xlsx_bytes([_claim_table()], HEADING, cover))

    assert book.sheetnames == ["封面", "补贴明细"]
    ws = book["封面"]
    values = [[c for c in row if c is not None] for row in ws.iter_rows(values_only=True)]
    assert values[0] == ["公园路社区 助餐补贴结算"]
    assert ["补贴笔数", 2] in values and ["申请补贴金额（元）", 9.5] in values
    amount = next(r for r in ws.iter_rows() if r[0].value == "申请补贴金额（元）")[1]
    assert amount.number_format == "0.00"
    flat = [v for row in values for v in row]
    assert "编制人（签字）：" in flat and "审核人（签字）：" in flat
    assert "公园路社区居民委员会（盖章）" in flat
    assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage


@needs_soffice
@pytest.mark.django_db
def test_libreoffice_opens_a_workbook_with_every_kind_of_cell_and_a_cover(tmp_path):
    cover = exports.Cover(title="封面", figures=[("合计", Decimal("9.50"), exports.MONEY)])
    table = _claim_table()
    table.rows = [*table.rows, [datetime(2026, 5, 8, 12, 0, tzinfo=UTC), "\x01王", -1]]

    opens_in_libreoffice(exports.xlsx_bytes([table, _claim_table()], HEADING, cover), tmp_path)


def test_a_plain_number_shows_without_a_trailing_point():
    table = exports.Table(
        "时长", [exports.Column("小时", exports.NUMBER, total=True)], [[2], [1.5]]
    )
    ws = _book(exports.xlsx_bytes([table])).active
    assert [c.number_format for c in ws["A"][1:]] == ["General"] * 3
    assert ws["A4"].value == 3.5


def _sheets_xml(content: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith("xl/") and name.endswith(".xml")
        }


def _every_kind_of_row(n: int) -> list[list]:
    """Rows with every value an export writes: text (Chinese, spaces at the ends, XML's special
    characters, a neutralised formula, control characters, over Excel's cell limit), dates,
    datetimes (aware and naive), money, whole and decimal numbers, percentages, empty cells."""
    texts = ["刘奶奶", " 前后有空格 ", "a & b < c > d", "=1+2", "tab\there", "x" * 40000, "", "é"]
    rows = []
    for i in range(n):
        rows.append(
            [
                date(2026, 5, 1 + i % 28),
                texts[i % len(texts)],
                81 - i % 50,
                Decimal("15.00") - Decimal(i % 7) / 4,
                Decimal("-4.00") if i % 5 == 0 else Decimal("4.50"),
                datetime(2026, 5, 6, 11, i % 60, tzinfo=UTC) if i % 2 else None,
                exports.Percent(Decimal(i % 3) / 3),
                i * 0.125,
                None if i % 4 else "备注\x01",
                datetime(2026, 5, 6, 8, 30),
            ]
        )
    return rows


def _fast_columns():
    return [
        exports.Column("日期", exports.DATE),
        exports.Column("姓名"),
        exports.Column("年龄", exports.INT),
        exports.Column("价格", exports.MONEY, total=True),
        exports.Column("补贴", exports.MONEY, total=True),
        exports.Column("时间", exports.DATETIME),
        exports.Column("出勤率", exports.PERCENT),
        exports.Column("小时", exports.NUMBER, total=True),
        exports.Column("备注"),
        exports.Column("记录时间"),
    ]


@pytest.mark.django_db
def test_a_large_tables_rows_are_the_very_xml_openpyxl_writes(monkeypatch):
    """A table of many rows has its rows written directly (openpyxl's cell writer is ten times
    slower): the workbook must be byte for byte the one openpyxl alone makes."""
    table = exports.Table("补贴明细", _fast_columns(), _every_kind_of_row(60))
    heading = exports.Heading(report="测试", period="2026年5月", by="李会计")
    cover = exports.Cover(title="封面", figures=[("合计", Decimal("1.00"), exports.MONEY)])

    monkeypatch.setattr(exports, "FAST_ROWS", 10**9)
    with translation.override("zh-hans"):
        plain = _sheets_xml(exports.xlsx_bytes([table, _table([])], heading, cover))
    monkeypatch.setattr(exports, "FAST_ROWS", 1)
    with translation.override("zh-hans"):
        fast = _sheets_xml(exports.xlsx_bytes([table, _table([])], heading, cover))

    assert fast.keys() == plain.keys()
    for name in plain:
        assert fast[name] == plain[name], name
    assert any(b"\xe5\x88\x98\xe5\xa5\xb6\xe5\xa5\xb6" in xml for xml in fast.values())  # 刘奶奶


def test_a_large_export_reads_back_typed_with_its_totals_below_the_rows():
    rows = _every_kind_of_row(exports.FAST_ROWS + 5)
    ws = _sheet(exports.Table("补贴明细", _fast_columns(), rows)).active
    first = header_row(ws) + 1
    assert ws.max_row == first + len(rows)  # the rows, then the totals
    assert isinstance(ws.cell(first, 1).value, datetime) and ws.cell(first, 1).number_format == (
        "yyyy-mm-dd"
    )
    assert ws.cell(first, 4).number_format == "0.00"
    totals = ws[ws.max_row]
    assert totals[0].value == "合计" or totals[0].value == "Total"
    assert Decimal(str(totals[3].value)) == sum(r[3] for r in rows)
    assert totals[3].font.b
