# ruff: noqa: E501 - the OOXML boilerplate below is clearer unwrapped
"""Every staff export of the portal, as CSV or Excel, from tables of typed columns.

One place decides how a cell is written, so one place keeps exports safe: text that a resident
typed and that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) is written with a leading `'` (the OWASP rule for CSV injection), while real
numbers, Decimals and dates stay typed cells (a negative amount is a number, not text).

The Excel writer streams the sheet XML itself: openpyxl without lxml spends 15–80 µs per cell and
the canteen's monthly settlement has 100,000+ cells. It writes a bold, frozen header row, column
widths from the content, money as numbers in `0.00`, dates as dates, percentages as `0%`. A new
column kind or style is one entry in `KINDS` and `_STYLES`; files read back with openpyxl (tests).
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

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
_EXCEL_EPOCH = date(1899, 12, 30)


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

# Style ids in styles.xml (cellXfs order) and what each column kind uses for its numbers.
_STYLE_PLAIN, _STYLE_HEADER, _STYLE_MONEY, _STYLE_DATE = 0, 1, 2, 3
_STYLE_INT, _STYLE_PERCENT, _STYLE_DATETIME, _STYLE_NUMBER = 4, 5, 6, 7
KINDS = {
    TEXT: _STYLE_PLAIN,
    INT: _STYLE_INT,
    NUMBER: _STYLE_NUMBER,
    MONEY: _STYLE_MONEY,
    DATE: _STYLE_DATE,
    DATETIME: _STYLE_DATETIME,
    PERCENT: _STYLE_PERCENT,
}
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="8">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_MAIN_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MIN_WIDTH, MAX_WIDTH = 8, 50


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>'
        for n in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )


_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL_BASE}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)


def _workbook(titles: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{escape(t)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, t in enumerate(titles, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<workbook {_MAIN_NS} {_REL_NS}><sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(sheets: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL_BASE}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    styles = f'<Relationship Id="rId{sheets + 1}" Type="{_REL_BASE}/styles" Target="styles.xml"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}{styles}</Relationships>"
    )


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


def _string_cell(text: str, style: int) -> tuple[str, int]:
    text = neutralise(text).translate(_XML_ILLEGAL)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    s = f' s="{style}"' if style else ""
    # a bare carriage return would be read back as a line feed; a character reference keeps it
    body = escape(text).replace("\r", "&#13;")
    return f'<c t="inlineStr"{s}><is><t{space}>{body}</t></is></c>', _display_width(text)


def _cell(value, kind: str) -> tuple[str, int]:
    """A cell's XML and its display width."""
    if value is None or value == "":
        return "<c/>", 0
    if isinstance(value, bool):
        return _string_cell(str(value), _STYLE_PLAIN)
    if isinstance(value, datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        delta = local.replace(tzinfo=None) - datetime(1899, 12, 30)
        serial = delta.days + delta.seconds / 86400
        return f'<c s="{_STYLE_DATETIME}"><v>{serial:.6f}</v></c>', 16
    if isinstance(value, date):
        return f'<c s="{_STYLE_DATE}"><v>{(value - _EXCEL_EPOCH).days}</v></c>', 10
    if isinstance(value, int | float | Decimal):
        style = KINDS.get(kind, _STYLE_PLAIN)
        if style in (_STYLE_PLAIN, _STYLE_NUMBER) and isinstance(value, Decimal):
            style = _STYLE_MONEY if kind == MONEY else _STYLE_NUMBER
        text = str(value)
        return f'<c s="{style}"><v>{text}</v></c>', len(text) + 1
    return _string_cell(str(value), _STYLE_PLAIN)


def _sheet(table: Table) -> str:
    columns = table.typed_columns()
    kinds = [c.kind for c in columns]
    widths = [_display_width(str(c.header)) for c in columns]
    header = "".join(_string_cell(str(c.header), _STYLE_HEADER)[0] for c in columns)
    rows = [f'<row r="1">{header}</row>']
    for r, values in enumerate(table.rows, start=2):
        cells = []
        for i, value in enumerate(values):
            xml, width = _cell(value, kinds[i] if i < len(kinds) else TEXT)
            cells.append(xml)
            if i >= len(widths):
                widths.append(width)
            elif width > widths[i]:
                widths[i] = width
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    for i, column in enumerate(columns):
        if column.width:
            widths[i] = column.width
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{min(max(w + 2, MIN_WIDTH), MAX_WIDTH)}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    frozen = (
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_MAIN_NS}>'
        f"{frozen}{f'<cols>{cols}</cols>' if cols else ''}"
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """An .xlsx workbook with one sheet per table."""
    taken: set[str] = set()
    titles = [_sheet_title(t.title, taken) for t in tables]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _content_types(len(tables)))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _workbook(titles))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(tables)))
        zf.writestr("xl/styles.xml", _STYLES)
        for n, table in enumerate(tables, start=1):
            zf.writestr(f"xl/worksheets/sheet{n}.xml", _sheet(table))
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
