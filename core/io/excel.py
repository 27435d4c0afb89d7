"""Excel (.xlsx) export of exactly the rows a list shows (filters, search, scope, selection),
streamed: rows come from the store in chunks and xlsxwriter's constant-memory mode writes each
row to disk as it goes (CUS-11). Numbers and dates stay typed; text is always written as text
with Excel's quote prefix, so a cell like "=1+1" can never run as a formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

import xlsxwriter
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.entities import EntitySpec, FieldSpec, Kind
from core.i18n import set_locale, t
from core.io.export import FORMULA_STARTS, export_columns, unlinked_file
from core.permissions import Actor
from core.services import records
from core.services.lookups import Lookups
from core.services.record_query import Filters

MAX_ROWS_PER_SHEET = 1_048_576  # Excel's limit, header included
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})
_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class _Sheets:
    """Writes rows, starting a new worksheet (with the header) when one is full."""

    def __init__(self, workbook, title: str, headers: list[str]) -> None:
        self.workbook = workbook
        self.title = (title.translate(_BAD_SHEET_CHARS).strip() or "Sheet")[:25]
        self.headers = headers
        self.formats = {
            "header": workbook.add_format({"bold": True, "bg_color": "#F2F3F5", "border": 1}),
            "text": workbook.add_format({"quote_prefix": True}),
            "money": workbook.add_format({"num_format": "#,##0.00"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }
        self.count = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.count += 1
        name = self.title if self.count == 1 else f"{self.title} ({self.count})"
        self.sheet = self.workbook.add_worksheet(name)
        for col, header in enumerate(self.headers):
            self.sheet.set_column(col, col, min(max(10, 2 * len(header) + 2), 40))
            self.sheet.write_string(0, col, header, self.formats["header"])
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def write(self, cells: list[tuple[str, object]]) -> None:
        if self.row >= MAX_ROWS_PER_SHEET:
            self._new_sheet()
        for col, (kind, value) in enumerate(cells):
            self._cell(col, kind, value)
        self.row += 1

    def _cell(self, col: int, kind: str, value) -> None:
        if value is None or value == "":
            return
        if kind == "number":
            self.sheet.write_number(self.row, col, value)
        elif kind in ("money", "date", "datetime"):
            writer = self.sheet.write_number if kind == "money" else self.sheet.write_datetime
            writer(self.row, col, value, self.formats[kind])
        else:
            risky = str(value).startswith(FORMULA_STARTS)
            fmt = self.formats["text"] if risky else None
            self.sheet.write_string(self.row, col, str(value), fmt)


def _typed(lookups: Lookups, f: FieldSpec, value) -> tuple[str, object]:
    if value is None:
        return ("text", None)
    match f.kind:
        case Kind.MONEY | Kind.DECIMAL:
            return ("money", float(value))
        case Kind.INT:
            return ("number", value)
        case Kind.DATE:
            return ("date", dt.datetime.combine(value, dt.time()))
        case Kind.DATETIME:
            return ("datetime", value)
    return ("text", lookups.display(f, value))


def write_xlsx(
    session: Session,
    path: str,
    *,
    actor: Actor,
    spec: EntitySpec,
    columns: Iterable[str] | None = None,
    filters: Filters | None = None,
    sort: str | None = None,
    search: str = "",
    where: Iterable[ColumnElement[bool]] = (),
    locale: str | None = None,
    chunk_size: int = 1000,
) -> int:
    """Write the workbook to `path`; returns the number of data rows. Needs the export action;
    rows are those of records.iter_visible (view and export scope)."""
    if locale:
        set_locale(locale)
    fields = export_columns(spec, columns)
    workbook = xlsxwriter.Workbook(path, _OPTIONS)
    sheets = _Sheets(workbook, t(spec.title_key), [t(f.label) for f in fields])
    written = 0
    try:
        for rows in records.iter_visible(
            session,
            actor=actor,
            spec=spec,
            filters=filters,
            sort=sort,
            search=search,
            where=where,
            chunk_size=chunk_size,
        ):
            lookups = Lookups.for_rows(session, spec, rows, fields)
            for row in rows:
                sheets.write([_typed(lookups, f, getattr(row, f.name)) for f in fields])
            written += len(rows)
    finally:
        workbook.close()
    return written


def xlsx_file(session: Session, **kwargs) -> IO[bytes]:
    """The workbook as an unlinked file on disk, open for reading (see unlinked_file)."""
    return unlinked_file(".xlsx", lambda path: write_xlsx(session, path, **kwargs))


def xlsx_bytes(session: Session, **kwargs) -> bytes:
    with xlsx_file(session, **kwargs) as fh:
        return fh.read()
