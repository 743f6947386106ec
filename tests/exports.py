"""Reading the portal's exports back, as the modules' export tests share."""

import csv
import io
import re

from openpyxl import load_workbook

# Text a resident or staff member might type that a spreadsheet would run as a formula.
FORMULAS = ['=HYPERLINK("http://x.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def xlsx_rows(response, sheet=None) -> list[tuple]:
    """The sheet's values; a carriage return reads back as a line feed (XML normalises it), so
    it is put back to compare with what was typed."""
    book = load_workbook(io.BytesIO(response.content))
    rows = (book[sheet] if sheet else book.active).iter_rows(values_only=True)
    return [tuple(_cr(v) for v in row) for row in rows]


def _cr(value):
    return value.replace("'\n", "'\r") if isinstance(value, str) else value


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def live_formulas(rows) -> list:
    """Text cells a spreadsheet would run (a plain negative number is a number): must be none."""
    return [
        v
        for row in rows
        for v in row
        if isinstance(v, str) and v.startswith(FORMULA_START) and not NUMBER.fullmatch(v)
    ]


def neutralised(value: str) -> str:
    return "'" + value
