"""Bulk writer for demo data: numpy columns → Arrow → ADBC ingest (SQLite or PostgreSQL).

Ids are assigned here (max(id)+1 …) so children refer to parents without round trips. Secondary
indexes of the tables written are dropped first and rebuilt once at the end: building an index
over sorted data is ~8× faster than maintaining it row by row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    func,
    select,
)
from sqlalchemy.engine import make_url

from core.db import get_engine, refresh_statistics
from core.models import Base

_SCALARS = (str, int, float, bool, bytes, np.integer, np.floating, np.bool_)


def _adbc_connect(url: str):
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc

        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("demo data needs a file or server database, not :memory:")
        return adbc.connect(parsed.database)
    import adbc_driver_postgresql.dbapi as adbc

    return adbc.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False))


def _length(values: dict) -> int:
    for value in values.values():
        if not isinstance(value, _SCALARS) and value is not None:
            return len(value)
    raise ValueError("at least one column must be an array")


def _broadcast(value, n: int, col) -> pa.Array:
    if isinstance(col.type, (DateTime, Date, Numeric, Float)) and not isinstance(value, str):
        return _convert(col, np.full(n, value), n)
    if isinstance(value, (bool, np.bool_)):
        return _convert(col, np.full(n, bool(value)), n)
    if isinstance(value, (int, np.integer)):
        return _convert(col, np.full(n, value, dtype=np.int64), n)
    if isinstance(value, bytes):
        return pa.repeat(pa.scalar(value, pa.binary()), n)
    return pa.repeat(pa.scalar(str(value), pa.string()), n)


def _times(values: np.ndarray) -> pa.Array:
    """int64 microseconds since the epoch, 0 = NULL."""
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values.view("datetime64[us]"), mask=values == 0)


def _convert(col, values, n: int) -> pa.Array:
    kind = col.type
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(kind, DateTime):
        return _times(values)
    if isinstance(kind, Date):
        days = np.asarray(values, dtype=np.int64)
        return pa.array(days.astype("datetime64[D]"), mask=days == 0)
    if isinstance(kind, Boolean):
        return pa.array(np.asarray(values, dtype=bool))
    if isinstance(kind, (Numeric, Float)):
        return pa.array(np.asarray(values, dtype=np.float64), from_pandas=True)
    if isinstance(kind, Integer):
        if isinstance(values, pa.Array):
            return values.cast(pa.int64())
        if np.asarray(values).dtype.kind == "f":
            raise TypeError(f"{col.table.name}.{col.name}: integers expected, got floats")
        ints = np.asarray(values, dtype=np.int64)
        mask = (ints == 0) if (col.nullable and col.name.endswith("_id")) else None
        return pa.array(ints, mask=mask)
    if isinstance(kind, LargeBinary):
        return pa.array(values, pa.binary())
    if isinstance(values, pa.Array):
        return values.cast(pa.string())
    return pa.array(values, pa.string())


def _for_dialect(col, arr: pa.Array, pg: bool) -> pa.Array:
    """SQLite wants ISO text for dates (SQLAlchemy's format) and 0/1; PostgreSQL exact types."""
    kind = col.type
    if pg:
        if isinstance(kind, Numeric) and not isinstance(kind, Float):
            return arr.cast(pa.decimal128(kind.precision or 18, kind.scale or 0))
        if isinstance(kind, Integer) and not isinstance(kind, Boolean):
            return arr.cast(pa.int32()) if type(kind) is Integer else arr
        return arr
    if isinstance(kind, DateTime):
        return pc.strftime(arr, format="%Y-%m-%d %H:%M:%S")
    if isinstance(kind, Date):
        return pc.strftime(arr, format="%Y-%m-%d")
    if isinstance(kind, Boolean):
        return arr.cast(pa.int64())
    return arr


class Writer:
    """Appends column dicts to existing tables; call `close()` to rebuild indexes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = get_engine(url)
        self.pg = self.engine.dialect.name == "postgresql"
        self.conn = _adbc_connect(url)
        self.rows: Counter[str] = Counter()
        self._next: dict[str, int] = {}
        self._dropped: set[str] = set()

    def ids(self, table: str, n: int) -> np.ndarray:
        """`n` fresh ids for `table`, continuing after what the store already holds."""
        if table not in self._next:
            id_col = Base.metadata.tables[table].c.id
            with self.engine.connect() as conn:
                self._next[table] = (conn.scalar(select(func.max(id_col))) or 0) + 1
        start = self._next[table]
        self._next[table] = start + n
        return np.arange(start, start + n, dtype=np.int64)

    def append(self, table: str, columns: dict) -> None:
        if table not in self._dropped:
            self._drop_indexes(table)
        tbl = Base.metadata.tables[table]
        n = _length(columns)
        if n == 0:
            return
        arrays, names = [], []
        for col in tbl.columns:
            if col.name in columns:
                value = columns[col.name]
                arr = (
                    _broadcast(value, n, col)
                    if isinstance(value, _SCALARS)
                    else _convert(col, value, n)
                )
            elif col.name == "version":
                arr = _convert(col, np.ones(n, dtype=np.int64), n)
            elif col.default is not None and col.default.is_scalar:
                arr = _broadcast(col.default.arg, n, col)
            elif col.nullable or col.server_default is not None or col.autoincrement is True:
                continue
            else:
                raise ValueError(f"{table}.{col.name} is required")
            arrays.append(_for_dialect(col, arr, self.pg))
            names.append(col.name)
        unknown = set(columns) - {c.name for c in tbl.columns}
        if unknown:
            raise ValueError(f"{table}: unknown columns {sorted(unknown)}")
        with self.conn.cursor() as cur:
            cur.adbc_ingest(table, pa.Table.from_arrays(arrays, names=names), mode="append")
        self.rows[table] += n

    def commit(self) -> None:
        self.conn.commit()

    def _drop_indexes(self, table: str) -> None:
        self.commit()
        with self.engine.begin() as conn:
            for index in Base.metadata.tables[table].indexes:
                if not index.unique:
                    index.drop(bind=conn, checkfirst=True)
        self._dropped.add(table)

    def rebuild_indexes(self, on_table: Callable[[int, int, str], None] | None = None) -> None:
        """Recreate the dropped indexes, largest tables last; `on_table(i, n, name)` reports."""
        self.commit()
        tables = sorted(self._dropped, key=lambda t: self.rows[t])
        with self.engine.begin() as conn:
            for i, table in enumerate(tables):
                if on_table:
                    on_table(i, len(tables), table)
                for index in Base.metadata.tables[table].indexes:
                    if not index.unique:
                        index.create(bind=conn, checkfirst=True)
        self._dropped.clear()

    def _fix_sequences(self) -> None:
        """Ids were given explicitly: move PostgreSQL's sequences past them."""
        with self.engine.begin() as conn:
            for table in self._next:
                tbl = Base.metadata.tables[table]
                seq = func.pg_get_serial_sequence(table, "id")
                top = select(func.coalesce(func.max(tbl.c.id), 0) + 1).scalar_subquery()
                conn.execute(select(func.setval(seq, top, False)))

    def close(self, on_table: Callable[[int, int, str], None] | None = None) -> None:
        try:
            self.rebuild_indexes(on_table)
            if self.pg:
                self._fix_sequences()
            refresh_statistics(self.engine)  # the planner needs them after a bulk load
        finally:
            self._release()

    def abort(self) -> None:
        """After a failure: keep what was written consistent with the schema (indexes back)."""
        try:
            self.conn.rollback()
            self.rebuild_indexes()
        finally:
            self._release()

    def _release(self) -> None:
        self.conn.close()
        # ADBC links its own SQLite: closing its file drops this process's POSIX locks, and the
        # pooled sqlite3 connections then fail with "disk I/O error" (seen after the app's first
        # start; see core/bi/pull_worker.py). Fresh connections take their locks again.
        self.engine.dispose()
