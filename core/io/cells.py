"""Exported rows, fast (CUS-11, issue 3: 1,000,000 customers in seconds): only the exported
columns are selected, raw values skip ORM objects and type conversion, and each column gets
one formatter built once — names behind ids, option labels, translated choices, plain numbers
and ISO times, formula-like text neutralised."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import Float, String, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.db import is_sqlite
from core.entities import EntitySpec, FieldSpec, Kind, choice_key, get_spec
from core.i18n import t
from core.models import OptionItem, User
from core.permissions import Actor, require
from core.services.record_query import Filters, sort_columns, visible_select

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Formatter = Callable[[Any], str]


def neutralise(cell: str) -> str:
    """'=1+1' → "'=1+1": spreadsheets show it as text instead of evaluating it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _raw_column(spec: EntitySpec, f: FieldSpec, sqlite: bool):
    """The column as the driver returns it: SQLite keeps times as ISO text and numbers as
    REAL, so skip SQLAlchemy's per-value conversion there (a third of the export time)."""
    column = getattr(spec.model, f.name)
    if sqlite and f.kind in (Kind.DATE, Kind.DATETIME):
        return type_coerce(column, String).label(f.name)
    if sqlite and f.kind in (Kind.MONEY, Kind.DECIMAL):
        return type_coerce(column, Float).label(f.name)
    return column


def export_rows(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    fields: list[FieldSpec],
    filters: Filters | None = None,
    sort: str | None = None,
    search: str = "",
    where: Iterable[ColumnElement[bool]] = (),
    chunk_size: int = 5000,
) -> Iterator[list[tuple]]:
    """The rows of the list (filters, search, the caller's clauses, sort) in the actor's view
    and export scope, as tuples of raw values in `fields` order, a chunk at a time."""
    require(actor, spec.action("export"))
    query = visible_select(
        actor, spec, filters=filters, search=search, where=tuple(where),
        actions=(spec.action("export"),),
    )  # fmt: skip
    sqlite = is_sqlite(session)
    statement = query.with_only_columns(*[_raw_column(spec, f, sqlite) for f in fields])
    statement = statement.order_by(*sort_columns(spec, sort))
    result = session.execute(statement.execution_options(yield_per=chunk_size))
    for part in result.partitions():
        yield [tuple(row) for row in part]


def _number(f: FieldSpec, spec: EntitySpec) -> Formatter:
    scale = getattr(getattr(spec.model, f.name).type, "scale", None) or 2
    if f.kind == Kind.INT:
        return lambda v: "" if v is None else str(int(v))
    return lambda v: "" if v is None else f"{float(v):.{scale}f}"


def _when(f: FieldSpec) -> Formatter:
    width = 10 if f.kind == Kind.DATE else 19

    def text(v) -> str:
        if v is None:
            return ""
        if isinstance(v, str):
            return v.replace("T", " ")[:width]
        return v.isoformat() if f.kind == Kind.DATE else v.strftime("%Y-%m-%d %H:%M:%S")

    return text


def _named(names: dict, fallback: Callable[[Any], str]) -> Formatter:
    return lambda v: "" if v is None else neutralise(str(names.get(v) or fallback(v)))


class CellFormat:
    """Per-column formatters for one export; names behind ids are loaded once (users, options)
    or per chunk (referenced records)."""

    def __init__(self, session: Session, spec: EntitySpec, fields: list[FieldSpec]) -> None:
        self.session, self.spec, self.fields = session, spec, fields
        self.refs: dict[str, dict[int, str]] = {}
        users = {}
        if any(f.kind == Kind.USER for f in fields):
            users = dict(session.execute(select(User.id, User.display_name)).all())
        self.formatters = [self._formatter(f, users) for f in fields]

    def _options(self, list_name: str) -> dict[str, str]:
        rows = self.session.execute(
            select(OptionItem.value, OptionItem.label).where(OptionItem.list_name == list_name)
        )
        return dict(rows.all())

    def _formatter(self, f: FieldSpec, users: dict) -> Formatter:
        match f.kind:
            case Kind.INT | Kind.MONEY | Kind.DECIMAL:
                return _number(f, self.spec)
            case Kind.DATE | Kind.DATETIME:
                return _when(f)
            case Kind.BOOL:
                yes, no = t("records.yes"), t("records.no")
                return lambda v: "" if v is None else (yes if v else no)
            case Kind.USER:
                return _named(users, lambda v: f"#{v}")
            case Kind.OPTION:
                return _named(self._options(f.options), str)
            case Kind.CHOICE:
                return _named({c: t(choice_key(f, c)) for c in f.choices}, str)
            case Kind.REF:
                titles = self.refs.setdefault(f.ref, {})
                return _named(titles, lambda v: f"#{v}")
            case Kind.IMAGE:
                return lambda v: "" if v is None else t("records.image_attached")
        return lambda v: "" if v is None else neutralise(str(v))

    def _load_refs(self, rows: list[tuple]) -> None:
        for index, f in enumerate(self.fields):
            if f.kind != Kind.REF:
                continue
            titles = self.refs[f.ref]
            titles.clear()  # only this chunk's: an export of millions keeps memory flat
            wanted = {r[index] for r in rows if r[index] is not None}
            if wanted:
                ref = get_spec(f.ref)
                title = getattr(ref.model, ref.title_field)
                found = select(ref.model.id, title).where(ref.model.id.in_(sorted(wanted)))
                titles.update((i, str(n)) for i, n in self.session.execute(found))

    def cells(self, rows: list[tuple]) -> list[list[str]]:
        """The chunk's rows as CSV cells."""
        self._load_refs(rows)
        formatters = self.formatters
        return [[fmt(v) for fmt, v in zip(formatters, row, strict=True)] for row in rows]
