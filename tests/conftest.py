"""Shared fixtures: a fresh store per test (SQLite everywhere; PostgreSQL too where a test
directory asks for it), the CI rule that nothing may skip, and a small seeded organisation."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text

from core import db as core_db
from core.models import Base

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("CRM_TEST_POSTGRES_URL", "")

os.environ.setdefault("CRM_LOGIN_SLEEP_TIME", "0")


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing service skips with a reason; in CI it fails (nothing may skip)."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter and reporter.stats.get("skipped"):
        session.exitstatus = 1


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_url():
    """One schema per test process with every table; tests truncate after themselves."""
    if not PG_URL:
        skip_or_fail("PostgreSQL tests need CRM_TEST_POSTGRES_URL (CI sets it)")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 — any connection failure means "no server here"
        admin.dispose()
        skip_or_fail(f"PostgreSQL at {PG_URL} not reachable: {exc.__class__.__name__}")
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = core_db.get_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def open_store(kind: str, request, tmp_path, monkeypatch):
    """Yield the URL of a fresh store of `kind` ("sqlite" or "postgresql"), then clean it up."""
    if kind == "sqlite":
        path = tmp_path / "crm.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    try:
        yield url
    finally:
        if kind == "postgresql":
            _truncate_postgres(url)
        core_db.dispose_engines()


@pytest.fixture
def db_url(request, tmp_path, monkeypatch):
    """A fresh SQLite store (tests/services and tests/bi also run each test on PostgreSQL)."""
    yield from open_store("sqlite", request, tmp_path, monkeypatch)


@pytest.fixture
def session(db_url):
    """A session on the fresh store; the test commits what it wants other sessions to see."""
    with core_db.session_factory(db_url)() as s:
        yield s


@pytest.fixture
def org(session):
    """The demo organisation in miniature, committed: see tests/factories.py."""
    from tests.factories import build_org

    people = build_org(session)
    session.commit()
    return people
