"""Alembic migrations build exactly the schema the models describe, on SQLite and (in CI)
PostgreSQL, and can be rolled back to nothing and replayed."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from core.db import alembic_config, dispose_engines
from core.models import Base
from tests.conftest import PG_URL, skip_or_fail


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request, tmp_path):
    """The URL of an empty store: a new SQLite file, or a throwaway PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        dispose_engines()
        return
    if not PG_URL:
        skip_or_fail("PostgreSQL migration test needs CRM_TEST_POSTGRES_URL (CI sets it)")
    schema = f"m_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 — any connection failure means "no server here"
        admin.dispose()
        skip_or_fail(f"PostgreSQL at {PG_URL} not reachable: {exc.__class__.__name__}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _describe(diff) -> str:
    """One line per difference: ('add_fk', <constraint>) → 'add_fk contracts.approval_request_id'."""
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return "; ".join(_describe(d) for d in diff)
    kind, obj = diff[0], diff[1] if len(diff) > 1 else None
    if kind in ("add_fk", "remove_fk"):
        cols = ", ".join(f"{obj.parent.name}.{c.name}" for c in obj.columns)
        return f"{kind} {cols} (constraint {obj.name})"
    if kind in ("add_table", "remove_table", "add_index", "remove_index"):
        return f"{kind} {obj.name}"
    return " ".join(str(part) for part in diff)


def _differences(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return [_describe(d) for d in compare_metadata(context, Base.metadata)]
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_head_builds_exactly_the_schema_of_the_models(empty_store):
    command.upgrade(alembic_config(empty_store), "head")

    assert _tables(empty_store) == set(Base.metadata.tables)
    diffs = _differences(empty_store)
    assert not diffs, "migrations differ from core.models:\n" + "\n".join(diffs)


def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds_them(empty_store):
    cfg = alembic_config(empty_store)
    command.upgrade(cfg, "head")

    command.downgrade(cfg, "base")
    assert _tables(empty_store) == set()

    command.upgrade(cfg, "head")
    diffs = _differences(empty_store)
    assert not diffs, "schema after downgrade + upgrade differs:\n" + "\n".join(diffs)


def test_upgrade_fills_the_duplicate_check_keys_of_existing_customers_and_leads(empty_store):
    cfg = alembic_config(empty_store)
    command.upgrade(cfg, "0002")
    text_columns = ("level", "source", "industry", "address", "notes")
    engine = create_engine(empty_store)
    try:
        with engine.begin() as conn:
            blank = {c: "" for c in text_columns}
            conn.execute(
                text(
                    "INSERT INTO customers (id, version, name, phone, province, city, website,"
                    " is_dealt, is_locked, level, source, industry, address, notes) VALUES (1, 1,"
                    " :name, :phone, '', '', '', false, false, :level, :source, :industry,"
                    " :address, :notes)"
                ),
                {"name": "华为技术（深圳）有限公司", "phone": "+86 755 2878 0808"} | blank,
            )
            conn.execute(
                text(
                    "INSERT INTO leads (id, version, name, company, phone, mobile, email,"
                    " is_converted, level, source, industry, address, notes) VALUES (1, 1, '王总',"
                    " 'ＡＢＣ 科技有限公司', '', '139 0000 1111', '', false, :level, :source,"
                    " :industry, :address, :notes)"
                ),
                blank,
            )
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            customer = conn.execute(
                text("SELECT name_key, name_key_reversed, phone_key FROM customers")
            ).one()
            lead = conn.execute(
                text(
                    "SELECT name_key, company_key, company_key_reversed, phone_key, mobile_key"
                    " FROM leads"
                )
            ).one()
    finally:
        engine.dispose()
    assert tuple(customer) == ("华为技术深圳", "圳深术技为华", "075528780808")
    assert tuple(lead) == ("王总", "abc科技", "技科cba", "", "13900001111")
