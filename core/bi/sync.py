"""The store side of the mirror: the one-round-trip probe of what changed, and pulls into polars
frames — small deltas over the pooled SQLAlchemy connection, big ones through Arrow (connectorx).

The same SQLAlchemy Core queries serve SQLite and PostgreSQL; connectorx gets them compiled."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
from sqlalchemy import Engine, Float, Numeric, Select, cast, func, literal, select
from sqlalchemy.engine import make_url

from core.bi.schema import BY_NAME, TABLES, TableSpec, polars_schema
from core.config import PROJECT_ROOT
from core.models import Base

PURGE_FEED = "change_logs"  # the probe key of the purge feed (ChangeLog rows with action purge)


def _table(name: str):
    return Base.metadata.tables[name]


def connectorx_uri(store_url: str) -> str:
    """connectorx wants `sqlite:////abs/path` and `postgresql://…` without a driver suffix."""
    url = make_url(store_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{Path(url.database).resolve()}"
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _columns(spec: TableSpec, *, with_watermark: bool = True) -> list:
    """The pulled columns; decimals travel as floats (connectorx rejects SQLite NUMERIC columns
    that hold both integers and reals) and become DECIMAL again in polars, rounded exactly."""
    t = _table(spec.name)
    return [
        cast(t.c[c], Float).label(c)
        if isinstance(t.c[c].type, Numeric) and not isinstance(t.c[c].type, Float)
        else t.c[c]
        for c in (spec.store_columns if with_watermark else spec.columns)
    ]


def probe_query() -> Select:
    """One row: per watermarked table the newest watermark, per other table a fingerprint."""
    columns = []
    for spec in TABLES:
        t = _table(spec.name)
        if spec.watermark:
            columns.append(select(func.max(t.c[spec.watermark])).scalar_subquery().label(spec.name))
        else:
            fingerprint = func.count() * 1_000_003 + func.coalesce(func.sum(t.c.id), 0)
            columns.append(select(fingerprint).scalar_subquery().label(spec.name))
    logs = _table(PURGE_FEED)
    columns.append(select(func.max(logs.c.changed_at)).scalar_subquery().label(PURGE_FEED))
    return select(*columns)


def probe(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        row = conn.execute(probe_query()).one()
    return dict(row._mapping)


def _only(spec: TableSpec, query: Select) -> Select:
    """The rows the mirror keeps of a table it copies only in part."""
    if spec.only is None:
        return query
    column, value = spec.only
    return query.where(_table(spec.name).c[column] == literal(value))


def delta_query(spec: TableSpec, since: dt.datetime | None) -> Select:
    t = _table(spec.name)
    query = _only(spec, select(*_columns(spec)))
    if spec.watermark and since is not None:
        query = query.where(t.c[spec.watermark] >= since)
    return query


def children_query(spec: TableSpec, since: dt.datetime | None) -> Select:
    """All rows of a child table whose parent changed since `since`."""
    parent_name, fk = spec.parent
    parent = BY_NAME[parent_name]
    p = _table(parent_name)
    changed = select(p.c.id)
    if since is not None:
        changed = changed.where(p.c[parent.watermark] >= since)
    t = _table(spec.name)
    return select(*_columns(spec)).where(t.c[fk].in_(changed))


def ids_query(spec: TableSpec, ids: list[int]) -> Select:
    t = _table(spec.name)
    return _only(spec, select(*_columns(spec)).where(t.c.id.in_(ids)))


def purge_query(since: dt.datetime | None) -> Select:
    logs = _table(PURGE_FEED)
    query = select(logs.c.entity, logs.c.record_id, logs.c.changed_at).where(
        logs.c.action == literal("purge")
    )
    if since is not None:
        query = query.where(logs.c.changed_at >= since)
    return query


def id_range_query(spec: TableSpec, low: int, high: int) -> Select:
    """A slice of the whole table for a full copy (the watermark is not needed there)."""
    t = _table(spec.name)
    query = _only(spec, select(*_columns(spec, with_watermark=False)))
    return query.where(t.c.id >= low, t.c.id < high)


class PullFailed(RuntimeError):
    """The Arrow pull worker failed; its stderr is the message."""


def _read_arrow(path: str) -> pa.Table:
    with pa.OSFile(path, "rb") as source:
        return pa.ipc.open_file(source).read_all()


def _typed(table: pa.Table, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    return frame.select(pl.col(c).cast(dtype) for c, dtype in schema.items())


class Puller:
    """Runs pulls against one store: up to `small` rows over the pooled SQLAlchemy connection,
    more through Arrow in the pull worker (core/bi/pull_worker.py says why a child process)."""

    def __init__(self, engine: Engine, store_url: str, workdir: Path, *, small: int = 20_000):
        self.engine = engine
        self.uri = connectorx_uri(store_url)
        self.workdir = workdir
        self.small = small

    def _sql(self, query: Select) -> str:
        return str(query.compile(self.engine, compile_kwargs={"literal_binds": True}))

    def _pooled(self, schema: dict, query: Select) -> pl.DataFrame:
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return pl.DataFrame(rows, schema=schema, orient="row")

    def frame(self, spec: TableSpec, query: Select) -> pl.DataFrame:
        """The rows of `query`: over the pool when few, else through the Arrow worker."""
        schema = polars_schema(spec, with_watermark=True)
        frame = self._pooled(schema, query.limit(self.small + 1))
        if frame.height <= self.small:
            return frame
        return self.arrow_one(schema, query)

    def arrow(self, jobs: list[tuple[Select, int]]) -> Iterator[tuple[int, pa.Table]]:
        """(index, Arrow table) per (query, id partitions) job, in order, as the worker
        delivers them; DuckDB casts them to the mirror's column types on insert."""
        queries = [{"sql": self._sql(q), "partitions": parts} for q, parts in jobs]
        job = {"uri": self.uri, "queries": queries}
        self.workdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.workdir, prefix="pull-") as folder:
            job["dir"] = folder
            worker = subprocess.Popen(
                [sys.executable, "-m", "core.bi.pull_worker"],
                cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            worker.stdin.write(json.dumps(job))
            worker.stdin.close()
            try:
                for line in worker.stdout:
                    done = json.loads(line)
                    table = _read_arrow(done["path"])
                    Path(done["path"]).unlink()
                    yield done["index"], table
            finally:
                if worker.poll() is None:
                    worker.kill()
                error = worker.stderr.read()
                worker.wait()
            if worker.returncode != 0:
                raise PullFailed(error.strip()[-2000:])

    def arrow_one(self, schema: dict, query: Select) -> pl.DataFrame:
        return _typed([table for _, table in self.arrow([(query, 1)])][0], schema)

    def purges(self, since: dt.datetime | None) -> list[tuple[str, int, dt.datetime]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(purge_query(since)).all()]

    def id_bounds(self, spec: TableSpec) -> tuple[int, int]:
        t = _table(spec.name)
        with self.engine.connect() as conn:
            low, high = conn.execute(select(func.min(t.c.id), func.max(t.c.id))).one()
        return (low or 0, high or 0)

    def tables(
        self, specs: list[TableSpec], chunk_rows: int
    ) -> Iterator[tuple[TableSpec, pa.Table | pl.DataFrame, float]]:
        """Whole tables in id-range chunks through one worker: (spec, chunk, fraction of all
        rows done) — the fraction drives the first build's progress bar."""
        jobs, schemas, owners, sizes = [], [], [], []
        for spec in specs:
            low, high = self.id_bounds(spec)
            starts = range(low, high + 1, chunk_rows) if high else [0]
            for start in starts:
                size = min(chunk_rows, high - start + 1) if high else 0
                query = id_range_query(spec, start, start + chunk_rows)
                jobs.append((query, 2 if size > 100_000 else 1))
                schemas.append(polars_schema(spec))
                owners.append(spec)
                sizes.append(size)
        total, done = max(1, sum(sizes)), 0
        # A small store is quicker to copy over the pool than to start the worker for.
        if total <= self.small:
            pulls = enumerate(self._pooled(s, q) for s, (q, _) in zip(schemas, jobs, strict=True))
        else:
            pulls = None
        for index, frame in pulls or self.arrow(jobs):
            done += sizes[index]
            yield owners[index], frame, done / total

    def fingerprint(self, spec: TableSpec) -> tuple[int, int]:
        """(row count, sum of ids): cheap to compare with the mirror's."""
        t = _table(spec.name)
        query = _only(spec, select(func.count(), func.coalesce(func.sum(t.c.id), 0)))
        with self.engine.connect() as conn:
            count, total = conn.execute(query).one()
        return (int(count), int(total))

    def ids(self, spec: TableSpec) -> pl.DataFrame:
        t = _table(spec.name)
        return self.arrow_one({"id": pl.Int64()}, _only(spec, select(t.c.id)))
