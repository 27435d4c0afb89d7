"""Read an uploaded table for import (CUS-11): CSV in UTF-8, UTF-8 with BOM or GBK/GB18030
(detected), or the first worksheet of an Excel .xlsx file (openpyxl, read-only streaming).
Cells come back as text, or as date/datetime values where Excel typed them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024
ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312


class UnreadableFile(DomainError):
    key = "import.error.unreadable"


class EmptyFile(DomainError):
    key = "import.error.empty"


class TooManyRows(DomainError):
    key = "import.error.too_many_rows"


@dataclass(frozen=True)
class Table:
    """The header row and the data rows; `first_row` is the sheet row number of rows[0]."""

    headers: list[str]
    rows: list[list[Any]]
    encoding: str = ""
    first_row: int = 2

    def row_number(self, index: int) -> int:
        return self.first_row + index


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile()


def _is_blank(row: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)


def _finish(rows: list[list[Any]], encoding: str) -> Table:
    """First non-blank row is the header; trailing blank rows go, blank rows inside stay so
    row numbers match the sheet (they are skipped when importing)."""
    while rows and _is_blank(rows[-1]):
        rows.pop()
    start = next((i for i, r in enumerate(rows) if not _is_blank(r)), None)
    if start is None:
        raise EmptyFile()
    headers = ["" if c is None else str(c).strip() for c in rows[start]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise EmptyFile()
    data = [(list(r) + [None] * len(headers))[: len(headers)] for r in rows[start + 1 :]]
    if len(data) > MAX_ROWS:
        raise TooManyRows(max=MAX_ROWS)
    return Table(headers=headers, rows=data, encoding=encoding, first_row=start + 2)


def read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    first_line = text.split("\n", 1)[0]
    # The header decides the delimiter: Excel's CSV uses ",", some exports tabs or ";".
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return _finish(rows, "gbk" if encoding == "gb18030" else encoding)


def _excel_cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13800138000.0 typed as a number is a mobile, not a float
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile() from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_excel_cell(c) for c in row])
            if len(rows) > MAX_ROWS + 10:
                raise TooManyRows(max=MAX_ROWS)
    finally:
        book.close()
    return _finish(rows, "xlsx")


def read_table(data: bytes, filename: str) -> Table:
    """CSV or .xlsx by the file's name (and its first bytes: an .xlsx is a zip)."""
    if len(data) > MAX_BYTES:
        raise TooManyRows(max=MAX_ROWS)
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return read_xlsx(data)
    if filename.lower().endswith(".xls"):
        raise UnreadableFile()  # the old binary format: ask for .xlsx or CSV
    return read_csv(data)
