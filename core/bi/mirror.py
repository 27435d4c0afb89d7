"""The analytic mirror (DESIGN.md §4): a DuckDB file with columnar copies of what reports read,
kept in step with the relational store by incremental, throttled, thread-safe refreshes.

Use `get_mirror()` (one per store and process), `ensure_ready(progress)` before a BI render,
`mirror.query(sql, **params)` in reports, and `mark_dirty()` after writes made outside a Session.
Hard deletes reach it through `ChangeLog(entity=…, record_id=…, action="purge")` rows written
with the delete, and otherwise through the periodic `reconcile()`."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from core.bi import apply, views
from core.bi.schema import SCHEMA_VERSION, TABLES
from core.bi.sync import PURGE_FEED, Puller, probe
from core.config import get_settings
from core.db import get_engine
from core.i18n import business_zone

Progress = Callable[[float, str], None]


class _Dirty:
    """Bumped whenever this process commits a write: the next refresh skips the throttle."""

    generation = 0


def mark_dirty() -> None:
    """Call after writing to the store outside an ORM Session (bulk Core inserts, jobs)."""
    _Dirty.generation += 1


@event.listens_for(Session, "after_flush")
def _session_wrote(session, _flush_context) -> None:
    session.info["bi_wrote"] = True


@event.listens_for(Session, "after_commit")
def _session_committed(session) -> None:
    if session.info.pop("bi_wrote", False):
        mark_dirty()


@event.listens_for(Session, "after_rollback")
def _session_rolled_back(session) -> None:
    session.info.pop("bi_wrote", None)


@functools.lru_cache(maxsize=512)
def _parameter_names(sql: str) -> frozenset[str]:
    return frozenset(re.findall(r"\$([A-Za-z_]\w*)", sql))


def _store_identity(store_url: str) -> str:
    return make_url(store_url).render_as_string(hide_password=True)


def _open(path: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """Open the file; when another process holds it, use a file of this process's own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    try:
        return duckdb.connect(str(path), config=config), path
    except duckdb.IOException:
        own = path.with_name(f"{path.stem}.{os.getpid()}{path.suffix}")
        return duckdb.connect(str(own), config=config), own


class Mirror:
    """Columnar copies of the store's tables in DuckDB, refreshed incrementally.

    `safety_seconds` must exceed the time between a row's `updated_at` (the database clock
    when the statement ran) and its commit: a row is pulled when `updated_at >= watermark -
    safety`, and a table is pulled once more `safety` seconds after it was last seen changing,
    so a write committed while a refresh runs is picked up by a later one."""

    def __init__(
        self,
        store_url: str | None = None,
        path: Path | str | None = None,
        *,
        safety_seconds: float = 2.0,
        min_interval: float = 1.0,
        chunk_rows: int = 1_000_000,
        memory_limit: str = "2GB",
        reconcile_every: float | None = 900.0,
    ) -> None:
        settings = get_settings()
        self.store_url = store_url or settings.database_url
        self.safety = dt.timedelta(seconds=safety_seconds)
        self.min_interval = min_interval
        self.chunk_rows = chunk_rows
        self._con, self.path = _open(Path(path or settings.mirror_path))
        self._con.execute(f"SET memory_limit = '{memory_limit}'")
        self._writer = self._con.cursor()
        self._local = threading.local()
        self._lock = threading.RLock()
        self._puller = Puller(get_engine(self.store_url), self.store_url, self.path.parent)
        self._last_probe: dict[str, object] = {}
        self._pending: dict[str, float] = {}  # table → pull once more after this monotonic time
        self._last_refresh = float("-inf")
        self._seen_generation = -1
        self.data_version = 0  # bumps whenever mirrored data changed (a cache key for pages)
        self.reconcile_every = reconcile_every
        self._reconciling = threading.Lock()
        self._last_reconcile = time.monotonic()
        apply.ensure_meta(self._writer)
        self.is_built = apply.read_meta(self._writer) == self._meta_expected()
        if self.is_built:
            views.ensure_views(self._writer)

    # --- reading ---------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's own cursor (a partly read result would block a shared connection)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._con.cursor()
        return cur

    def query(self, sql: str, **params) -> pl.DataFrame:
        """Run a report's DuckDB SQL with `$name` parameters (extra ones are ignored, so one
        set of scope parameters serves several queries); the whole result as polars."""
        names = _parameter_names(sql)
        used = {k: v for k, v in params.items() if k in names}
        # Through Arrow: `.pl()` on a relation costs about twice as much (measured).
        return pl.from_arrow(self.cursor().sql(sql, params=used or None).to_arrow_table())

    # --- building and refreshing -----------------------------------------------------------

    def _meta_expected(self) -> dict[str, str]:
        return {
            "schema_version": str(SCHEMA_VERSION),
            "store": _store_identity(self.store_url),
            "time_zone": business_zone().key,  # local times in the mirror follow it
        }

    def build(self, progress: Progress | None = None) -> None:
        """Copy every mirrored table in full (first start, schema change, another store);
        `progress(fraction, stage)` follows the rows copied (stage = the table being copied),
        then the pre-aggregation (stage "rollups")."""
        with self._lock:
            started = time.monotonic()
            marks = probe(self._puller.engine)  # before copying: later writes are pulled after
            # Before the first build nobody reads the mirror: tables go live one by one.
            apply.rebuild(self._writer, self._puller, list(TABLES), self.chunk_rows, progress,
                          in_place=not self.is_built)  # fmt: skip
            apply.write_state(self._writer, marks, self._meta_expected())
            self._after_sync(marks, started, changed=set(marks))
            self.is_built = True
            self.data_version += 1
            if progress:
                progress(1.0, "")

    def _due(self) -> bool:
        return (
            _Dirty.generation != self._seen_generation
            or time.monotonic() - self._last_refresh >= self.min_interval
        )

    def refresh(self, *, force: bool = False) -> bool:
        """Bring the mirror up to date unless refreshed less than `min_interval` ago and this
        process wrote nothing since; True when mirrored data changed."""
        if not force and not self._due():
            return False
        with self._lock:
            if not force and not self._due():
                return False  # another thread refreshed while this one waited
            if not self.is_built:
                self.build()
                return True
            wrote = self._sync()
        self._reconcile_in_background()
        return wrote

    def _sync(self) -> bool:
        started = time.monotonic()
        self._seen_generation = _Dirty.generation
        self._last_refresh = started
        marks = probe(self._puller.engine)
        changed = {k for k, v in marks.items() if self._last_probe.get(k, ...) != v}
        todo = changed | set(self._pending)
        wrote = False
        if todo:
            wrote = apply.sync_tables(self._writer, self._puller, todo, marks, self.safety)
        self._after_sync(marks, started, changed)
        if wrote:
            self.data_version += 1
        return wrote

    def _after_sync(self, marks: dict, started: float, changed: set[str]) -> None:
        """Remember the probe; keep each table that changed pending until a pull has started
        `safety` seconds after the change was seen (late commits below the newest mark)."""
        self._last_probe = marks
        for name in list(self._pending):
            if started >= self._pending[name]:
                del self._pending[name]
        deadline = time.monotonic() + self.safety.total_seconds() + 0.05
        for name in changed:
            self._pending[name] = deadline

    def reconcile(self) -> dict[str, int]:
        """Compare each table's row count and id sum with the store's and repair those that
        differ (hard deletes made without a purge log, rows committed later than the safety
        window): {table: rows fixed}. The store is read before taking the lock, so refreshes
        carry on meanwhile; a row that arrives in between only costs an id comparison."""
        store = {spec.name: self._puller.fingerprint(spec) for spec in TABLES}
        with self._lock:
            self._sync()  # the mirror as of now, so only real differences remain
            specs = apply.differing(self._writer, store)
            if not specs:
                return {}
            store = {spec.name: self._puller.fingerprint(spec) for spec in specs}
            specs = apply.differing(self._writer, store)  # confirmed under the lock
            fixed = apply.reconcile(self._writer, self._puller, self.chunk_rows, specs)
            if fixed:
                self.data_version += 1
            return fixed

    def _reconcile_in_background(self) -> None:
        """Every `reconcile_every` seconds a refresh starts one reconciliation beside it."""
        if self.reconcile_every is None or self._reconciling.locked():
            return
        if time.monotonic() - self._last_reconcile < self.reconcile_every:
            return
        self._last_reconcile = time.monotonic()

        def run() -> None:
            with self._reconciling:
                self.reconcile()

        threading.Thread(target=run, name="bi-mirror-reconcile", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            self._con.close()
            if self.path.stem.endswith(f".{os.getpid()}"):  # this process's fallback file
                self.path.unlink(missing_ok=True)
                Path(f"{self.path}.wal").unlink(missing_ok=True)


_mirrors: dict[tuple[str, str], Mirror] = {}
_registry_lock = threading.Lock()


def get_mirror(store_url: str | None = None, path: Path | str | None = None) -> Mirror:
    """The process's mirror of the configured store (opened once, built on first refresh)."""
    settings = get_settings()
    key = (store_url or settings.database_url, str(path or settings.mirror_path))
    with _registry_lock:
        if key not in _mirrors:
            _mirrors[key] = Mirror(*key)
        return _mirrors[key]


def ensure_ready(progress: Progress | None = None) -> Mirror:
    """The process's mirror, built (with progress) if needed and refreshed: call before a render."""
    mirror = get_mirror()
    if not mirror.is_built:
        mirror.build(progress)
    mirror.refresh()
    return mirror


@atexit.register
def close_all() -> None:
    with _registry_lock:
        for mirror in _mirrors.values():
            mirror.close()
        _mirrors.clear()


__all__ = ["Mirror", "PURGE_FEED", "close_all", "ensure_ready", "get_mirror", "mark_dirty"]
