"""CSV export of exactly the rows a list shows (filters, search, scope), streamed from the store in
chunks: UTF-8 with BOM (Excel opens Chinese correctly), translated headers, and text cells that
a spreadsheet would run as a formula neutralised with a leading apostrophe (CUS-11)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.entities import EntitySpec, FieldSpec
from core.i18n import set_locale, t
from core.io.cells import FORMULA_STARTS, CellFormat, export_rows, neutralise
from core.permissions import Actor
from core.services.record_query import Filters

__all__ = ["BOM", "FORMULA_STARTS", "csv_bytes", "csv_chunks", "csv_file", "csv_line", "neutralise"]

BOM = "\ufeff"


def csv_line(values: list[str]) -> str:
    """One CSV record (quoted as needed, CRLF-terminated)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


_line = csv_line


def export_columns(spec: EntitySpec, columns: Iterable[str] | None) -> list[FieldSpec]:
    names = list(columns) if columns else [f.name for f in spec.list_fields()]
    return [spec.field(n) for n in names]


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
    chunk_size: int = 5000,
) -> Iterator[bytes]:
    """The CSV as encoded chunks: BOM + header first, then one chunk per `chunk_size` rows."""
    if locale:
        set_locale(locale)
    fields = export_columns(spec, columns)
    yield (BOM + csv_line([t(f.label) for f in fields])).encode("utf-8")
    cells = CellFormat(session, spec, fields)
    for rows in export_rows(
        session,
        actor=actor,
        spec=spec,
        fields=fields,
        filters=filters,
        sort=sort,
        search=search,
        where=where,
        chunk_size=chunk_size,
    ):
        yield cells.csv(rows).encode("utf-8")


def unlinked_file(suffix: str, write: Callable[[str], object]) -> IO[bytes]:
    """A temporary file filled by `write(path)`, returned open for reading and already unlinked
    (it vanishes when closed): an open binary file is what a download button accepts besides
    bytes, and the export never sits in memory while it is written."""
    handle, path = tempfile.mkstemp(suffix=suffix)
    os.close(handle)
    try:
        write(path)
        return open(path, "rb")  # noqa: SIM115 — the caller reads and closes it
    finally:
        os.unlink(path)


def csv_file(session: Session, **kwargs) -> IO[bytes]:
    """The whole CSV written chunk by chunk to an unlinked file on disk (see unlinked_file)."""

    def write(path: str) -> None:
        with open(path, "wb") as out:
            for chunk in csv_chunks(session, **kwargs):
                out.write(chunk)

    return unlinked_file(".csv", write)


def csv_bytes(session: Session, **kwargs) -> bytes:
    return b"".join(csv_chunks(session, **kwargs))
