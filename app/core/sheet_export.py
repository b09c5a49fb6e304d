"""Writing the portal's downloads as XLSX and CSV, the same way for every export.

What a user typed goes out as text, never as something a spreadsheet would run: a cell starting
like a formula gets a leading apostrophe, and every string cell is marked as text.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl (~20 MB with numpy) is imported when a workbook is made, not by every process
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def new_workbook() -> "Workbook":
    from openpyxl import Workbook

    return Workbook()


def column_letter(n: int) -> str:
    """A spreadsheet's column name: 1 → A, 27 → AA."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def won_format(header: str) -> str | None:
    """The default column format: thousands separators for amounts in won."""
    return "#,##0" if "(원)" in header else None


def write_sheet(ws: Worksheet, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
                number_format: Callable[[str], str | None] = won_format) -> None:
    """A header row, the rows, column widths from the headers and each column's number format."""
    ws.title = title[:31]
    ws.append(list(headers))
    for row in rows:
        ws.append([safe(v) for v in row])
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[column_letter(i)].width = max(10, min(40, len(str(header)) * 2 + 2))
        fmt = number_format(str(header))
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
    ws.freeze_panes = "A2"


def save(wb: Workbook) -> bytes:
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever was typed
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    wb = new_workbook()
    write_sheet(wb.active, title, headers, rows)
    return save(wb)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else safe(v) for v in row])
    # The byte-order mark lets spreadsheet programs recognise UTF-8 Korean.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
