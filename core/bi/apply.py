"""The DuckDB side of the mirror: bookkeeping tables, whole-table rebuilds, applying deltas
(upsert by id, child re-sync, purges) in one transaction, and the count reconciliation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import duckdb
import polars as pl

from core.bi import rollups, views
from core.bi.local_time import local_sql
from core.bi.schema import (
    BY_NAME,
    LISTED_IDS,
    PURGE_ENTITIES,
    TABLES,
    TableSpec,
    create_index,
    duckdb_columns,
    in_ids,
    mirrored_select,
)
from core.bi.sync import PURGE_FEED, Puller, children_query, delta_query, ids_query

META_DDL = "CREATE TABLE IF NOT EXISTS _mirror_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
MARKS_DDL = "CREATE TABLE IF NOT EXISTS _mirror_marks (name VARCHAR PRIMARY KEY, mark TIMESTAMP)"
UPSERT_META = "INSERT OR REPLACE INTO _mirror_meta VALUES ($key, $value)"
UPSERT_MARKS = "INSERT OR REPLACE INTO _mirror_marks VALUES {values}"
DELETE_BY_ID = "DELETE FROM {table} WHERE id IN (SELECT id FROM _delta)"
INSERT_DELTA = "INSERT INTO {table} ({columns}) SELECT {select} FROM _delta"
PURGE_CHILDREN = """
DELETE FROM {table} WHERE {fk} IN (SELECT record_id FROM _purged WHERE tbl = $table)"""
# A purge deletes the row unless its id was reused by a row created after the purge.
DELETE_PURGED = """
DELETE FROM {table} WHERE EXISTS (
    SELECT 1 FROM _purged p
    WHERE p.tbl = $table AND p.record_id = {table}.id {guard})"""
PURGE_GUARD = "AND ({table}.created_at IS NULL OR {table}.created_at <= {purged_at})"


def ensure_meta(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute(META_DDL)
    cur.execute(MARKS_DDL)


def read_meta(cur: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(cur.sql("SELECT key, value FROM _mirror_meta").fetchall())


def read_marks(cur: duckdb.DuckDBPyConnection) -> dict[str, dt.datetime | None]:
    return dict(cur.sql("SELECT name, mark FROM _mirror_marks").fetchall())


def _write_marks(cur, marks: dict, names: Iterable[str], old: dict) -> None:
    rows = [
        (name, max(mark, old.get(name) or mark))
        for name in names
        if isinstance(mark := marks.get(name), dt.datetime)
    ]
    if rows:  # one statement with parameters: cheaper than registering a frame (measured)
        values = ", ".join("(?, CAST(? AS TIMESTAMP))" for _ in rows)
        cur.execute(UPSERT_MARKS.format(values=values), [v for row in rows for v in row])


def write_state(cur: duckdb.DuckDBPyConnection, marks: dict, meta: dict[str, str]) -> None:
    cur.execute("BEGIN")
    cur.execute("DELETE FROM _mirror_marks")
    _write_marks(cur, marks, marks, {})
    for key, value in meta.items():
        cur.execute(UPSERT_META, {"key": key, "value": value})
    cur.execute("COMMIT")


def _insert(cur, table: str, spec: TableSpec, frame: pl.DataFrame) -> None:
    cur.register("_delta", frame)
    try:
        cur.execute(_insert_delta(table, spec))
    finally:
        cur.unregister("_delta")


def _insert_delta(table: str, spec: TableSpec) -> str:
    columns = ", ".join(spec.columns)
    return INSERT_DELTA.format(table=table, columns=columns, select=mirrored_select(spec))


def _enriched(spec: TableSpec, rows: str, parent: str, *, pulled: bool) -> str:
    """The rows with the columns copied from their parent (schema.TableSpec.enrich); `pulled`
    rows come from the store (local time still to apply), else from a mirror table."""
    if pulled:
        columns = mirrored_select(spec, alias="d")
    else:
        columns = ", ".join(f"d.{c}" for c in spec.columns)
    extra = ", ".join(f"{select} AS {ddl.split()[0]}" for ddl, select in spec.enrich)
    fk = spec.parent[1]
    return f"SELECT {columns}, {extra} FROM {rows} d LEFT JOIN {parent} p ON p.id = d.{fk}"


def _sort(cur, spec: TableSpec, parent: str | None) -> None:
    """Store the fresh copy in date order (and with its parent's columns, read from the table
    `parent`, filled in)."""
    rows = f"_new_{spec.name}"
    if spec.enrich:
        rows = f"({_enriched(spec, rows, parent, pulled=False)})"
    order = f" ORDER BY {spec.sort}" if spec.sort else ""
    cur.execute(f"CREATE OR REPLACE TABLE _sorted_{spec.name} AS SELECT * FROM {rows}{order}")
    cur.execute(f"DROP TABLE _new_{spec.name}")
    cur.execute(f"ALTER TABLE _sorted_{spec.name} RENAME TO _new_{spec.name}")


def _swap_in(cur, spec: TableSpec) -> None:
    cur.execute(f"DROP TABLE IF EXISTS {spec.name}")
    cur.execute(f"ALTER TABLE _new_{spec.name} RENAME TO {spec.name}")
    for column in spec.indexes:  # after the rename: DuckDB renames no indexed table
        create_index(cur, spec.name, column)


def rebuild(
    cur,
    puller: Puller,
    specs: list[TableSpec],
    chunk_rows: int,
    progress: Callable[[float, str], None] | None = None,
    *,
    in_place: bool = False,
) -> None:
    """Fill fresh copies of the tables chunk by chunk, then swap them all in at once (readers
    keep using the old copies meanwhile). `in_place` (nobody reads the mirror yet: the first
    build) swaps each table in, indexed, as soon as it is complete."""
    for spec in specs:
        cur.execute(f"DROP TABLE IF EXISTS _new_{spec.name}")
        cur.execute(f"CREATE TABLE _new_{spec.name} ({duckdb_columns(spec)})")
    report = progress or (lambda _fraction, _stage: None)
    pending = {s.name for s in specs}  # not yet under their own name

    def finish(spec: TableSpec) -> None:
        if spec.sort or spec.enrich:
            parent = spec.parent[0] if spec.parent else None
            _sort(cur, spec, f"_new_{parent}" if parent in pending else parent)
        if in_place:
            _swap_in(cur, spec)
            pending.discard(spec.name)

    # A table is finished as soon as its last chunk is in, while the pull worker goes on
    # reading the next tables: the two processes share the cores instead of taking turns.
    copying = None
    for spec, frame, fraction in puller.tables(specs, chunk_rows):
        if copying is not None and spec.name != copying.name:
            finish(copying)
        copying = spec
        _insert(cur, f"_new_{spec.name}", spec, frame)
        report(0.85 * fraction, spec.name)  # copying is most of the work
    if copying is not None:
        finish(copying)
    report(0.92, "rollups")
    cur.execute("BEGIN")
    for spec in specs:
        if spec.name in pending:
            _swap_in(cur, spec)
    views.ensure_views(cur)
    rollups.rebuild_all(cur)
    cur.execute("COMMIT")


def _delete_ids(cur, table: str, frame: pl.DataFrame, column: str = "id") -> None:
    """Remove the rows whose `column` is one of the frame's ids (schema.in_ids says how)."""
    many = frame.height > LISTED_IDS
    if many:
        cur.register("_ids", frame.select("id"))
    cur.execute(f"DELETE FROM {table} WHERE {column} {in_ids(frame['id'].to_list(), '_ids')}")
    if many:
        cur.unregister("_ids")


def _upsert(cur, spec: TableSpec, frame: pl.DataFrame, parent_ids: pl.DataFrame | None,
            touched: rollups.Touched | None = None) -> None:  # fmt: skip
    frame = frame.unique("id", keep="last")
    if parent_ids is not None and parent_ids.height:
        cur.register("_parents", parent_ids)
        if touched:
            listed = parent_ids["id"].to_list()
            touched.capture_children(cur, spec.name, spec.parent[1], listed)
        _delete_ids(cur, spec.name, parent_ids, spec.parent[1])
        cur.unregister("_parents")
    if frame.height:
        cur.register("_delta", frame)
        ids = frame["id"].to_list()
        if touched:
            touched.capture(cur, spec.name, ids)  # the rows as they were
        _delete_ids(cur, spec.name, frame)
        if spec.enrich:
            cur.execute(
                f"INSERT INTO {spec.name} " + _enriched(spec, "_delta", spec.parent[0], pulled=True)
            )
        else:
            cur.execute(_insert_delta(spec.name, spec))
        if touched:
            touched.capture(cur, spec.name, ids)  # and as they are now
        cur.unregister("_delta")


def _since(marks: dict, name: str, safety: dt.timedelta) -> dt.datetime | None:
    mark = marks.get(name)
    return mark - safety if mark is not None else None


def _pull(puller: Puller, todo: set[str], old: dict, safety: dt.timedelta):
    """{table: (rows, replaced parent ids or None)} for every table to pull."""
    pulled: dict[str, tuple[pl.DataFrame, pl.DataFrame | None]] = {}
    for spec in TABLES:
        parent_changed = (
            spec.parent and spec.parent[0] in pulled and pulled[spec.parent[0]][0].height
        )
        if spec.name not in todo and not parent_changed:
            continue
        frames, parents = [], None
        if spec.name in todo:
            frames.append(puller.frame(spec, delta_query(spec, _since(old, spec.name, safety))))
        if parent_changed:
            since = _since(old, spec.parent[0], safety)
            frames.append(puller.frame(spec, children_query(spec, since)))
            parents = pulled[spec.parent[0]][0].select("id")
        if spec.watermark is None and spec.name in todo:
            parents = None  # a full pull: replace the table
        pulled[spec.name] = (pl.concat(frames), parents)
    return pulled


def sync_tables(cur, puller: Puller, todo: set[str], marks: dict, safety: dt.timedelta) -> bool:
    """Pull what changed since each table's mark (minus the safety window) and apply it in one
    DuckDB transaction; the new marks are the probe's (taken before the pulls). True if rows
    arrived or left."""
    old = read_marks(cur)
    purged = puller.purges(_since(old, PURGE_FEED, safety)) if PURGE_FEED in todo else []
    pulled = _pull(puller, todo, old, safety)
    touched = rollups.Touched()
    cur.execute("BEGIN")
    try:
        for name, (frame, parents) in pulled.items():
            spec = BY_NAME[name]
            if spec.watermark is None and name in todo:
                cur.execute(f"DELETE FROM {name}")
                touched.replaced(name)
            _upsert(cur, spec, frame, parents, touched)
        removed = _apply_purges(cur, purged, touched)
        rollups.update(cur, touched)
        _write_marks(cur, marks, todo, old)
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    return removed > 0 or any(frame.height for frame, _ in pulled.values())


def _apply_purges(cur, purged: list[tuple[str, int, dt.datetime]], touched) -> int:
    rows = [(PURGE_ENTITIES[e], rid, at) for e, rid, at in purged if e in PURGE_ENTITIES]
    if not rows:
        return 0
    frame = pl.DataFrame(
        rows,
        schema={"tbl": pl.String, "record_id": pl.Int64, "changed_at": pl.Datetime("us")},
        orient="row",
    )
    cur.register("_purged", frame)
    for table in frame["tbl"].unique().to_list():
        ids = frame.filter(pl.col("tbl") == table).select(id=pl.col("record_id"))
        cur.register("_delta", ids)
        touched.capture(cur, table, ids["id"].to_list())
        cur.unregister("_delta")
        guard = ""
        if "created_at" in BY_NAME[table].columns:
            guard = PURGE_GUARD.format(table=table, purged_at=local_sql("p.changed_at"))
        cur.execute(DELETE_PURGED.format(table=table, guard=guard), {"table": table})
        for child in (c for c in TABLES if c.parent and c.parent[0] == table):
            # The store's foreign key cascades; so does the mirror.
            cur.execute(PURGE_CHILDREN.format(table=child.name, fk=child.parent[1]),
                        {"table": table})  # fmt: skip
    cur.unregister("_purged")
    return len(rows)


def differing(cur, store: dict[str, tuple[int, int]]) -> list[TableSpec]:
    """The tables of `store` whose (row count, id sum) differs from the store's fingerprint."""
    found = []
    for spec in (BY_NAME[name] for name in store):
        mirrored = cur.sql(f"SELECT count(*), coalesce(sum(id), 0) FROM {spec.name}").fetchall()
        if tuple(mirrored[0]) != store[spec.name]:
            found.append(spec)
    return found


def reconcile(cur, puller: Puller, chunk_rows: int, specs: list[TableSpec]) -> dict[str, int]:
    """Compare the id sets of `specs` with the store's and repair them: {table: rows removed +
    rows added}."""
    fixed = {}
    for spec in specs:
        fixed[spec.name] = _repair(cur, puller, spec, chunk_rows)
    if fixed:
        rollups.rebuild_all(cur)
    return fixed


GONE_IDS = "SELECT id FROM {table} WHERE id NOT IN (SELECT id FROM _store_ids)"
MISSING_IDS = "SELECT id FROM _store_ids WHERE id NOT IN (SELECT id FROM {table})"


def _repair(cur, puller: Puller, spec: TableSpec, chunk_rows: int) -> int:
    cur.register("_store_ids", puller.ids(spec))
    gone = cur.sql(GONE_IDS.format(table=spec.name)).pl()
    missing = cur.sql(MISSING_IDS.format(table=spec.name)).pl()
    cur.unregister("_store_ids")
    if missing.height > chunk_rows // 10:
        rebuild(cur, puller, [spec], chunk_rows)
        return gone.height + missing.height
    frames = [
        puller.frame(spec, ids_query(spec, missing["id"][i : i + 10_000].to_list()))
        for i in range(0, missing.height, 10_000)
    ]
    cur.execute("BEGIN")
    cur.register("_delta", gone)
    cur.execute(DELETE_BY_ID.format(table=spec.name))
    cur.unregister("_delta")
    for frame in frames:
        _upsert(cur, spec, frame, None)
    cur.execute("COMMIT")
    return gone.height + missing.height
