"""What the analytic mirror copies: per table the columns reports read, the column that tells
what changed (the watermark), and for child tables the parent they are re-synced with.

Column types come from the SQLAlchemy models, so the mirror follows a migration."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, String, Text

from core.bi.local_time import local_sql
from core.models import Base

# Bump when TABLES changes: a mirror file built from another version is rebuilt from scratch.
SCHEMA_VERSION = 10


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[str, ...]
    # Store column that moves on every change (database clock, indexed); None = no such column.
    watermark: str | None = "updated_at"
    # (parent table, foreign key): rows are replaced wholesale whenever their parent changes,
    # so children deleted together with a parent edit (contract lines) disappear too.
    parent: tuple[str, str] | None = None
    # Reports filter by this date: a full copy is stored in its order, so DuckDB's per-row-group
    # min/max lets a period skip the rest of the table (rows added later are mostly recent).
    sort: str | None = "created_at"
    # (column, value): the mirror keeps only these rows (reports read trips, not every request).
    only: tuple[str, str] | None = None
    # Columns copied from the parent row `p` whenever the rows arrive ((DDL, select) pairs), so
    # reports and rollups read child rows without a join.
    enrich: tuple[tuple[str, str], ...] = ()
    # Indexed columns: a refresh replaces rows by id (and child rows by parent) with an index
    # lookup instead of a scan of millions of rows.
    indexes: tuple[str, ...] = ("id",)

    @property
    def store_columns(self) -> tuple[str, ...]:
        """Columns pulled from the store: the mirrored ones plus the watermark."""
        if self.watermark and self.watermark not in self.columns:
            return (*self.columns, self.watermark)
        return self.columns


_OWNED = ("owner_id", "created_at", "deleted_at")

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "users",
        ("id", "username", "display_name", "department_id", "superior_id", "is_active"),
        sort=None,
    ),
    TableSpec("departments", ("id", "name", "parent_id", "sort_order"), sort=None),
    TableSpec(
        "customers",
        (
            "id",
            *_OWNED,
            "level",
            "source",
            "industry",
            "province",
            "is_dealt",
            "is_locked",
            "next_contact_at",
            "last_followup_at",
            "owned_since",
            "pool_id",
        ),
    ),
    TableSpec("contacts", ("id", *_OWNED, "customer_id")),
    TableSpec("leads", ("id", *_OWNED, "is_converted", "converted_at", "customer_id")),
    TableSpec("stage_groups", ("id", "name", "is_default", "is_active", "deleted_at"), sort=None),
    TableSpec("stages", ("id", "group_id", "name", "position", "win_probability"), sort=None),
    TableSpec(
        "opportunities",
        (
            "id",
            *_OWNED,
            "customer_id",
            "stage_group_id",
            "stage_id",
            "status",
            "amount",
            "closed_at",
        ),
    ),
    # Append-only history: its own timestamp is the watermark.
    TableSpec(
        "opportunity_stage_changes",
        ("id", "opportunity_id", "from_stage_id", "to_stage_id", "to_status", "changed_at"),
        watermark="changed_at",
        sort="opportunity_id",
    ),
    TableSpec("product_categories", ("id", "name", "parent_id", "deleted_at"), sort=None),
    TableSpec("products", ("id", "name", "category_id", "deleted_at"), sort=None),
    TableSpec(
        "contracts",
        (
            "id",
            *_OWNED,
            "customer_id",
            "opportunity_id",
            "order_date",
            "end_date",
            "amount",
            "approval_status",
        ),
        sort="order_date",
        indexes=("id", "customer_id"),  # a customer's first deal is looked up by customer
    ),
    TableSpec(
        "contract_lines",
        ("id", "contract_id", "product_id", "quantity", "subtotal"),
        parent=("contracts", "contract_id"),
        sort="order_date",
        indexes=("id", "contract_id"),
        enrich=(
            ("owner_id BIGINT", "p.owner_id"),
            ("order_date DATE", "p.order_date"),
            ("customer_id BIGINT", "p.customer_id"),
            (
                "ok BOOLEAN",
                "coalesce(p.deleted_at IS NULL AND p.approval_status = 'approved', false)",
            ),
        ),
    ),
    TableSpec(
        "receivable_plans",
        (
            "id",
            *_OWNED,
            "contract_id",
            "customer_id",
            "planned_amount",
            "planned_date",
            "remind_days",
            "status",
        ),
        sort="planned_date",
    ),
    TableSpec(
        "receivables",
        ("id", *_OWNED, "customer_id", "contract_id", "received_date", "amount", "approval_status"),
        sort="received_date",
    ),
    TableSpec("follow_ups", ("id", *_OWNED, "customer_id", "kind")),
    TableSpec(
        "pools",
        (
            "id",
            "is_default",
            "is_active",
            "recall_enabled",
            "exempt_dealt",
            "warn_days",
            "deleted_at",
        ),
        sort=None,
    ),
    # No timestamp of its own: replaced whenever its pool changes, and on reconcile.
    TableSpec(
        "pool_rules",
        ("id", "pool_id", "customer_level", "days_without_followup", "days_without_deal"),
        watermark=None,
        parent=("pools", "pool_id"),
        sort=None,
    ),
    TableSpec(
        "pool_events",
        ("id", "customer_id", "kind", "from_owner_id", "to_owner_id", "happened_at"),
        sort="happened_at",
    ),
    # Only business trips (OFF-7) count in reports (BI-6).
    TableSpec(
        "approval_requests",
        ("id", *_OWNED, "kind", "status", "starts_at"),
        only=("kind", "trip"),
    ),
    TableSpec("check_ins", ("id", *_OWNED, "customer_id")),
    TableSpec(
        "sales_targets",
        ("id", "year", "month", "department_id", "user_id", "metric", "amount"),
        sort=None,
    ),
)

BY_NAME = {spec.name: spec for spec in TABLES}

# ChangeLog.entity of a purge → mirrored table (the entity names of core/entities.py and the
# table names themselves are both accepted).
PURGE_ENTITIES: dict[str, str] = {
    "customer": "customers",
    "contact": "contacts",
    "lead": "leads",
    "opportunity": "opportunities",
    "contract": "contracts",
    "receivable_plan": "receivable_plans",
    "receivable": "receivables",
    "followup": "follow_ups",
    "follow_up": "follow_ups",
    "product": "products",
    "product_category": "product_categories",
    "checkin": "check_ins",
    "check_in": "check_ins",
    "approval": "approval_requests",
    "approval_request": "approval_requests",
    **{spec.name: spec.name for spec in TABLES},
}


def _dtype(column) -> pl.DataType:
    kind = column.type
    if isinstance(kind, Boolean):
        return pl.Boolean()
    if isinstance(kind, Integer):
        return pl.Int64()
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        return pl.Decimal(kind.precision or 14, kind.scale or 2)
    if isinstance(kind, Float):
        return pl.Float64()
    if isinstance(kind, DateTime):
        return pl.Datetime("us")
    if isinstance(kind, Date):
        return pl.Date()
    if isinstance(kind, String | Text):
        return pl.String()
    raise TypeError(f"no mirror type for {column.table.name}.{column.name}: {kind!r}")


def polars_schema(spec: TableSpec, *, with_watermark: bool = False) -> dict[str, pl.DataType]:
    table = Base.metadata.tables[spec.name]
    names = spec.store_columns if with_watermark else spec.columns
    return {name: _dtype(table.c[name]) for name in names}


_DUCK = {
    pl.Boolean: "BOOLEAN",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
    pl.Datetime: "TIMESTAMP",
    pl.Date: "DATE",
    pl.String: "VARCHAR",
}


LISTED_IDS = 1000  # up to this many ids go into the SQL as a literal list


def in_ids(ids: list[int] | None, registered: str, column: str = "id") -> str:
    """`IN (…)` over the ids: a literal list when short — DuckDB then looks them up in the index
    and prunes by min/max instead of scanning the table — else the `column` of the frame
    registered as `registered` (the caller registers it when len(ids) > LISTED_IDS)."""
    if ids is not None and len(ids) <= LISTED_IDS:
        return f"IN ({', '.join(str(int(i)) for i in ids) or 'NULL'})"
    return f"IN (SELECT {column} FROM {registered})"


def create_index(cur, table: str, column: str) -> None:
    """A fresh index (unique name: the table it replaces may still hold one)."""
    cur.execute(f"CREATE INDEX ix_{table}_{column}_{uuid.uuid4().hex[:8]} ON {table}({column})")


def mirrored_select(spec: TableSpec, alias: str = "") -> str:
    """The select list that copies pulled rows into the mirror table: timestamps become
    business-local time (local_time says why), everything else as pulled."""
    prefix = f"{alias}." if alias else ""
    parts = []
    for name, dtype in polars_schema(spec).items():
        source = f"{prefix}{name}"
        parts.append(f"{local_sql(source)} AS {name}" if dtype == pl.Datetime("us") else source)
    return ", ".join(parts)


def duckdb_columns(spec: TableSpec) -> str:
    """The column list of the mirror table, e.g. `id BIGINT, amount DECIMAL(14,2), …`."""
    parts = []
    for name, dtype in polars_schema(spec).items():
        if isinstance(dtype, pl.Decimal):
            parts.append(f"{name} DECIMAL({dtype.precision},{dtype.scale})")
        else:
            parts.append(f"{name} {_DUCK[dtype.base_type()]}")
    return ", ".join(parts + [ddl for ddl, _ in spec.enrich])
