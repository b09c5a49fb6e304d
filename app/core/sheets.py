"""Reading an uploaded XLSX sheet of rows under a header row, for the imports that check every row
before they write anything (the reviewer pool, an alliance's demand survey).

``read_table`` gives each row's cells by column key with its line, and the "header (B열)" name of
every column for the problems; it raises the caller's error with a list of ``Problem`` for what
is wrong with the file as a whole (not a workbook, unknown or missing columns, too many rows).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask_babel import lazy_gettext as _l

from app.core.sheet_export import column_letter

MAX_COLUMNS = 40


@dataclass(frozen=True)
class Problem:
    line: int
    column: str  # the header, e.g. "이메일 (A열)"; empty for the file as a whole
    message: object


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def read_table(data: bytes, headers: dict[str, str], required: set[str], max_rows: int,
               error: Callable[[list[Problem]], Exception]) -> tuple[list[tuple[int, dict]], dict[str, str]]:
    """(line, {key: text}) for every non-empty row, and {key: "header (X열)"}; ``headers`` maps a
    header to its key. Raises ``error(problems)`` for a file that cannot be read as a table."""
    from openpyxl import load_workbook  # on first upload only: most processes never read a workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise error([Problem(0, "", _l("XLSX 파일을 읽을 수 없습니다. 양식 파일에 입력해 올리십시오."))])
    header, body = None, []
    try:
        # Row by row, and stopped at the limit: a small upload can unpack into a huge sheet.
        for line, cells in enumerate(wb.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if header is None:
                header = cells
            elif any(cell_text(v) for v in cells):
                body.append((line, cells))
                if len(body) > max_rows:
                    raise error([Problem(line, "", _l("한 번에 %(n)d행까지 가져올 수 있습니다.", n=max_rows))])
    finally:
        wb.close()
    if header is None:
        raise error([Problem(1, "", _l("첫 행에 열 이름이 없습니다."))])
    where: dict[str, int] = {}
    problems = []
    for i, cell in enumerate(header):
        name = cell_text(cell)
        if not name:
            continue
        key = headers.get(name)
        if key is None:
            problems.append(Problem(1, f"{name} ({column_letter(i + 1)}열)", _l("알 수 없는 열입니다. 양식의 열 이름을 쓰십시오.")))
        elif key in where:
            problems.append(Problem(1, f"{name} ({column_letter(i + 1)}열)", _l("같은 이름의 열이 두 번 있습니다.")))
        else:
            where[key] = i
    names = {key: name for name, key in headers.items()}
    problems += [Problem(1, names[key], _l("필수 열이 없습니다.")) for key in sorted(required - set(where))]
    if problems:
        raise error(problems)
    if not body:
        raise error([Problem(2, "", _l("가져올 행이 없습니다."))])
    rows = [(n, {key: cell_text(r[i]) if i < len(r) else "" for key, i in where.items()}) for n, r in body]
    letters = {key: f"{names[key]} ({column_letter(i + 1)}열)" for key, i in where.items()}
    return rows, letters
