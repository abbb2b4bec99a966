"""The one writer of spreadsheet exports (CSV and XLSX): payout statements, duty reports, the
pupil import template.

Cells often hold what users typed (a pupil's name, a course's title, a teacher's name). A
spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula, which can fetch URLs or run commands on the
reader's machine (CSV/formula injection). ``neutralise_cell`` puts an apostrophe in front of
such a text, which Excel and WPS take as "this is text"; numbers, ``Decimal``s and dates are
not text and are written as they are, so sums still work.

CSV files are UTF-8 with a byte-order mark (Excel otherwise misreads Chinese); every file's
name goes through ``core.downloads``.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

from core.downloads import set_download_name

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"

# Values a spreadsheet stores as what they are (not text): never rewritten.
_NOT_TEXT = (bool, int, float, Decimal, datetime.date, datetime.time, datetime.timedelta)


def neutralise_cell(value):
    """``value`` as safe to put in a spreadsheet cell.

    ``None``, numbers, ``Decimal``s and dates come back unchanged (the same object). Anything
    else is written as its text (lazy translations and model objects included); a text that
    starts with one of ``FORMULA_PREFIXES`` gets a leading ``'``.
    """
    if value is None or isinstance(value, _NOT_TEXT):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def neutralise_row(row: Iterable) -> list:
    """Every cell of ``row`` through ``neutralise_cell``."""
    return [neutralise_cell(cell) for cell in row]


def _with_header(rows: Iterable[Sequence], header: Sequence | None) -> Iterable[Sequence]:
    if header is not None:
        yield header
    yield from rows


def csv_text(rows: Iterable[Sequence], *, header: Sequence | None = None) -> str:
    """A CSV file's text: a byte-order mark, then ``header`` (if any) and ``rows``, every
    cell neutralised (``None`` is an empty cell)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerows(neutralise_row(row) for row in _with_header(rows, header))
    return out.getvalue()


def csv_response(name: str, rows: Iterable[Sequence], *, header: Sequence | None = None) -> HttpResponse:
    """A CSV download of ``rows`` (see ``csv_text``), as an attachment named
    ``download_name(name, "csv")``."""
    response = HttpResponse(csv_text(rows, header=header), content_type=CSV_CONTENT_TYPE)
    return set_download_name(response, name, "csv")


def _xlsx_value(value):
    value = neutralise_cell(value)
    if isinstance(value, Decimal):
        # A number, so the spreadsheet can compute with it (XLSX has no decimal type).
        return float(value)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # Control characters XML cannot hold would make openpyxl refuse the whole file.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def xlsx_bytes(rows: Iterable[Sequence], *, header: Sequence | None = None, title: str = "") -> bytes:
    """An XLSX workbook of one sheet (named ``title``, cut to Excel's 31 characters) holding
    ``header`` (if any) and ``rows``, every cell neutralised and every text cell stored as
    text, never as a formula; ``Decimal``s become numbers."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.workbook.child import INVALID_TITLE_REGEX

    book = Workbook()
    sheet = book.active
    title = INVALID_TITLE_REGEX.sub("_", str(title or ""))[:31]
    if title:
        sheet.title = title
    for row_number, row in enumerate(_with_header(rows, header), start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=_xlsx_value(value))
            # openpyxl itself takes a text starting with "=" for a formula; say it is text.
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(
    name: str, rows: Iterable[Sequence], *, header: Sequence | None = None, title: str = ""
) -> HttpResponse:
    """An XLSX download (see ``xlsx_bytes``), as an attachment named
    ``download_name(name, "xlsx")``."""
    response = HttpResponse(xlsx_bytes(rows, header=header, title=title), content_type=XLSX_CONTENT_TYPE)
    return set_download_name(response, name, "xlsx")
