"""Every staff export of the portal, as CSV or Excel, from tables of typed columns.

One place decides how a cell is written, so one place keeps exports safe: text that a resident
typed and that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) is written with a leading `'` (the OWASP rule for CSV injection), while real
numbers, Decimals and dates stay typed cells (a negative amount is a number, not text).

Excel files are made with openpyxl in write-only mode: a bold, frozen header row, column widths
from the content, money as numbers in `0.00`, dates as dates, percentages as `0%`. A new column
kind is one entry in `NUMBER_FORMATS`.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

TEXT = "text"
INT = "int"
NUMBER = "number"
MONEY = "money"
DATE = "date"
DATETIME = "datetime"
PERCENT = "percent"  # values are fractions: 0.25 shows as 25%

# Characters a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 cannot carry these control characters: one of them in a name would corrupt the file.
_XML_ILLEGAL = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


@dataclass(frozen=True)
class Column:
    """A column: its header, its kind (how its numbers and dates are shown) and, if fixed, its
    width in characters (otherwise taken from the content)."""

    header: str
    kind: str = TEXT
    width: int | None = None


@dataclass
class Table:
    """A titled table: one sheet in Excel, one block in CSV. `rows` may be a generator."""

    title: str
    columns: Sequence[Column | str]
    rows: Iterable[Sequence] = field(default_factory=list)

    def typed_columns(self) -> list[Column]:
        return [c if isinstance(c, Column) else Column(str(c)) for c in self.columns]


def neutralise(text: str) -> str:
    """Text a spreadsheet will show, never run: a leading `'` before a formula character."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _text(value) -> str:
    return neutralise(str(value))


# ------------------------------------------------------------------------------------------ CSV


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _text(value)
    if isinstance(value, datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}" if kind == MONEY else str(value)
    if isinstance(value, int | float):
        return str(value)
    return _text(value)


def csv_bytes(tables: Sequence[Table]) -> bytes:
    """UTF-8 with a BOM (so Excel opens the Chinese correctly). One table: its header and rows;
    several: each under its title, a blank line between them."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for n, table in enumerate(tables):
        columns = table.typed_columns()
        kinds = [c.kind for c in columns]
        if len(tables) > 1:
            if n:
                writer.writerow([])
            writer.writerow([_text(table.title)])
        writer.writerow([_text(c.header) for c in columns])
        for row in table.rows:
            writer.writerow(
                [_csv_value(v, kinds[i] if i < len(kinds) else TEXT) for i, v in enumerate(row)]
            )
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------- Excel

# Number formats by column kind (openpyxl's cells carry them; text and whole numbers need none).
NUMBER_FORMATS = {
    INT: "0",
    NUMBER: "0.##",
    MONEY: "0.00",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm",
    PERCENT: "0%",
}
MIN_WIDTH, MAX_WIDTH = 8, 50


def _sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", str(title).translate(_XML_ILLEGAL)).strip()[:31] or "Sheet"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]} {n}"
    taken.add(name.lower())
    return name


def _display_width(text: str) -> int:
    """Columns a spreadsheet needs for the text: about two for a Chinese character (three bytes
    in UTF-8), one for a Latin letter or digit."""
    return (len(text.encode()) + len(text)) // 2


def _excel_value(value, kind: str):
    """The value as the cell should hold it: typed numbers and dates, neutralised text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _text(value)
    if isinstance(value, datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None)  # Excel has no time zones: Asia/Shanghai wall time
    if isinstance(value, date | int | float | Decimal):
        return value
    return neutralise(str(value)).translate(_XML_ILLEGAL)


def _number_format(value, kind: str) -> str | None:
    """The cell's number format: by its value for dates, by its column's kind for numbers."""
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, datetime):
        return NUMBER_FORMATS[DATETIME]
    if isinstance(value, date):
        return NUMBER_FORMATS[DATE]
    if kind in (INT, NUMBER, MONEY, PERCENT):
        return NUMBER_FORMATS[kind]
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        return NUMBER_FORMATS[MONEY]
    return None


def _width_of(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return _display_width(str(value)) + (1 if isinstance(value, int | float | Decimal) else 0)


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """An .xlsx workbook made with openpyxl (write-only, so a 10,000-meal month streams): one
    sheet per table, a bold frozen header, widths from the content, money as numbers in `0.00`,
    dates as dates, percentages in `0%`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        columns = table.typed_columns()
        kinds = [c.kind for c in columns]
        rows = [
            [_excel_value(v, kinds[i] if i < len(kinds) else TEXT) for i, v in enumerate(row)]
            for row in table.rows
        ]
        widths = [_display_width(str(c.header)) for c in columns]
        for row in rows:
            for i, value in enumerate(row):
                width = _width_of(value)
                if i >= len(widths):
                    widths.append(width)
                elif width > widths[i]:
                    widths[i] = width
        for i, width in enumerate(widths):
            fixed = columns[i].width if i < len(columns) else None
            sheet.column_dimensions[get_column_letter(i + 1)].width = fixed or min(
                max(width + 2, MIN_WIDTH), MAX_WIDTH
            )
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=neutralise(str(column.header)))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells = []
            for i, value in enumerate(row):
                number_format = _number_format(value, kinds[i] if i < len(kinds) else TEXT)
                if number_format is None:
                    cells.append(value)
                    continue
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -------------------------------------------------------------------------------- the response

FORMATS = {
    "csv": ("text/csv; charset=utf-8", csv_bytes),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_bytes),
}


def render(tables: Table | Sequence[Table], fmt: str) -> tuple[bytes, str]:
    """The file's bytes and content type; `fmt` is "csv" or "xlsx" (else ValueError)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    tables = [tables] if isinstance(tables, Table) else list(tables)
    content_type, write = FORMATS[fmt]
    return write(tables), content_type


def download(tables: Table | Sequence[Table], fmt: str, filename: str):
    """An HttpResponse offering the tables as `<filename>.<fmt>` (an ASCII name, no quotes)."""
    from django.http import HttpResponse

    content, content_type = render(tables, fmt)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "export"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    return response
