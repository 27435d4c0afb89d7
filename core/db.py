"""Engine and sessions (one engine per URL, cached), `transaction()`, SQLite pragmas, schema upgrade."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from core.config import PROJECT_ROOT, get_settings

_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker[Session]] = {}
_lock = threading.Lock()


def _on_sqlite_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets BI readers and the mirror sync run beside a writer; busy_timeout makes two
    # writers queue instead of failing at once.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: the configured store), created once per process."""
    url = url or get_settings().database_url
    with _lock:
        if url not in _engines:
            _engines[url] = _make_engine(url)
            _factories[url] = sessionmaker(_engines[url], expire_on_commit=False)
        return _engines[url]


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    url = url or get_settings().database_url
    get_engine(url)
    return _factories[url]


@contextmanager
def transaction(url: str | None = None) -> Iterator[Session]:
    """One transaction per user action: commit on success, roll back on any error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    """Forget every engine (tests switch databases between cases)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _factories.clear()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "core" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_schema(url: str | None = None) -> None:
    """Bring the store's schema to the newest migration (the app runs this on start)."""
    from alembic import command

    url = url or get_settings().database_url
    get_engine(url)
    command.upgrade(alembic_config(url), "head")


def refresh_statistics(engine: Engine) -> None:
    """Refresh the query planner's table statistics (after bulk loads). Without them SQLite
    guesses that `deleted_at IS NULL` is selective and walks that index instead of the one a
    search or filter needs (measured at scale L: 0.7 s instead of 8 ms for a prefix search)."""
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


STATISTICS_DRIFT = 10  # statistics are stale once the table grew or shrank this many times


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _analyzed_row_counts(session: Session) -> dict[str, int]:
    """Table → the row count its last ANALYZE saw (the first number of a sqlite_stat1 row)."""
    exists = text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if not session.scalar(exists):
        return {}
    query = text("SELECT tbl, max(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl")
    return dict(session.execute(query).all())


def stale_statistics_tables(session: Session) -> list[str]:
    """SQLite tables holding rows whose planner statistics (sqlite_stat1) are missing or whose
    row count changed STATISTICS_DRIFT-fold since they were gathered."""
    tables = session.scalars(
        text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ).all()
    analyzed = _analyzed_row_counts(session)
    stale = []
    for name in tables:
        rows = session.scalar(text(f"SELECT count(*) FROM {_quoted(name)}"))
        before = analyzed.get(name)
        if rows and (not before or max(rows, before) >= STATISTICS_DRIFT * min(rows, before)):
            stale.append(name)
    return stale


def refresh_stale_statistics(session: Session, *, now=None) -> dict:
    """Job (every 6 h): ANALYZE the SQLite tables whose planner statistics are missing or stale
    (`stale_statistics_tables`); a stale sqlite_stat1 made the 1M-row lists 20x slower. This is
    what `PRAGMA optimize` promises, but SQLite before 3.46 (Debian 12 ships 3.40) only looks at
    tables the same connection queried, so on the job's fresh connection it did nothing.
    PostgreSQL is skipped: autovacuum runs ANALYZE there."""
    if not is_sqlite(session):
        return {"skipped": "postgresql"}
    stale = stale_statistics_tables(session)
    for name in stale:
        session.execute(text(f"ANALYZE {_quoted(name)}"))
    return {"analyzed": stale}


def is_sqlite(session_or_engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "sqlite"
