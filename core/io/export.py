"""CSV export of exactly the rows a list shows (filters, search, scope), streamed from the store in
chunks: UTF-8 with BOM (Excel opens Chinese correctly), translated headers, and text cells that
a spreadsheet would run as a formula neutralised with a leading apostrophe (CUS-11)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.entities import NUMBER_KINDS, EntitySpec, FieldSpec
from core.i18n import set_locale, t
from core.permissions import Actor
from core.services import records
from core.services.lookups import Lookups
from core.services.record_query import Filters

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """'=1+1' → "'=1+1": spreadsheets show it as text instead of evaluating it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_line(values: list[str]) -> str:
    """One CSV record (quoted as needed, CRLF-terminated)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


_line = csv_line


def export_columns(spec: EntitySpec, columns: Iterable[str] | None) -> list[FieldSpec]:
    names = list(columns) if columns else [f.name for f in spec.list_fields()]
    return [spec.field(n) for n in names]


def _cells(lookups: Lookups, fields: list[FieldSpec], row) -> list[str]:
    cells = []
    for f in fields:
        text = lookups.cell(f, getattr(row, f.name))
        # Our own number formatting cannot start a formula; a negative amount stays a number.
        cells.append(text if f.kind in NUMBER_KINDS else neutralise(text))
    return cells


def csv_chunks(
    session: Session,
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
) -> Iterator[bytes]:
    """The CSV as encoded chunks: BOM + header first, then one chunk per `chunk_size` rows."""
    if locale:
        set_locale(locale)
    fields = export_columns(spec, columns)
    yield (BOM + _line([t(f.label) for f in fields])).encode("utf-8")
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
        yield "".join(_line(_cells(lookups, fields, row)) for row in rows).encode("utf-8")


def csv_file(session: Session, **kwargs) -> IO[bytes]:
    """The whole CSV in a spooled temporary file (memory up to 8 MB, then disk), rewound."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 — caller reads it
    for chunk in csv_chunks(session, **kwargs):
        spool.write(chunk)
    spool.seek(0)
    return spool


def csv_bytes(session: Session, **kwargs) -> bytes:
    return b"".join(csv_chunks(session, **kwargs))
