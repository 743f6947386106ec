"""The shared export helper: formula-looking text is neutralised, numbers and dates stay typed."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal import exports
from tests.exports import FORMULAS


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
