"""Reading the portal's exports back, as the modules' export tests share."""

import csv
import io
import os
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

# Text a resident or staff member might type that a spreadsheet would run as a formula.
FORMULAS = ['=HYPERLINK("http://x.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def xlsx_rows(response, sheet=None) -> list[tuple]:
    """The sheet's values from its header row on (the title block above it left out); a carriage
    return reads back as a line feed (XML normalises it), so it is put back to compare with what
    was typed."""
    book = load_workbook(io.BytesIO(response.content))
    # Without a name: the first table (a claim's cover comes first and has no header row).
    ws = book[sheet] if sheet else next((w for w in book if w.freeze_panes), book.active)
    rows = ws.iter_rows(min_row=header_row(ws), values_only=True)
    return [tuple(_cr(v) for v in row) for row in rows]


def header_row(ws) -> int:
    """The header's row: the one just above the frozen pane (row 1 without a title block)."""
    frozen = ws.freeze_panes
    return int(re.sub(r"[A-Z]+", "", frozen)) - 1 if frozen else 1


def title_block(ws) -> list[str]:
    """The title block's lines above the header (column A)."""
    return [ws.cell(row, 1).value for row in range(1, header_row(ws) - 1)]


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


# LibreOffice headless opens the file (the tests that need it skip where it is not installed).
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
SOFFICE_SECONDS = 120


def opens_in_libreoffice(content: bytes, tmp_path, name: str = "export") -> bytes:
    """Converts the workbook to PDF with LibreOffice headless and returns the PDF: a file it
    cannot read gives no PDF. Its own profile and HOME, so parallel runs never share a lock."""
    work = tmp_path / f"soffice-{name}"
    work.mkdir()
    source = work / f"{name}.xlsx"
    source.write_bytes(content)
    profile = (work / "profile").as_uri()
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ],
        capture_output=True,
        timeout=SOFFICE_SECONDS,
        env={**os.environ, "HOME": str(work)},
        check=False,
    )
    pdf = work / f"{name}.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr.decode(errors="replace")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000
    return data


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def number_formats(ws, row: int) -> list:
    return [c.number_format for c in ws[row]]
