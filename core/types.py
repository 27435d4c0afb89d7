"""Shared column types and mixins: ids, money, database-clock timestamps, soft delete, versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class utcnow(FunctionElement):
    """The database clock in UTC with sub-second precision (the mirror's watermark needs it)."""

    type = DateTime()
    inherit_cache = True


@compiles(utcnow, "sqlite")
def _utcnow_sqlite(element, compiler, **kw):
    return "(strftime('%Y-%m-%d %H:%M:%f', 'now'))"


@compiles(utcnow, "postgresql")
def _utcnow_pg(element, compiler, **kw):
    # clock_timestamp, not now(): now() is the transaction start, and a long transaction's rows
    # would fall behind the mirror's watermark.
    return "(clock_timestamp() AT TIME ZONE 'utc')"


@compiles(utcnow)
def _utcnow_default(element, compiler, **kw):
    return "CURRENT_TIMESTAMP"


class Unindexed(ColumnElement):
    """A column SQLite will not read through its index (compiled as `+column`).

    For skewed predicates like `deleted_at IS NULL` (almost every row): without histograms
    SQLite's planner estimates them from the average rows per value and, once a few rows are
    deleted, walks that index instead of the one a filter or search needs (measured at scale
    L: a prefix search over leads took 1.6 s instead of 5 ms). PostgreSQL keeps real
    statistics and gets the plain column."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column) -> None:
        self.column = column
        self.type = column.type


@compiles(Unindexed)
def _unindexed(element, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(Unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw) -> str:
    return f"+{compiler.process(element.column, **kw)}"


IntPK = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
Money = Annotated[Decimal, mapped_column(Numeric(14, 2))]
Str50 = Annotated[str, mapped_column(String(50))]
Str100 = Annotated[str, mapped_column(String(100))]
Str200 = Annotated[str, mapped_column(String(200))]
UserFK = Annotated[int, mapped_column(ForeignKey("users.id"), index=True)]


class Timestamped:
    """`id`, `created_at`, `updated_at` (indexed, set by the database clock)."""

    id: Mapped[IntPK]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow(), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=utcnow(), onupdate=utcnow(), index=True
    )


class CreatedBy:
    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"), nullable=True)


class Owned:
    """负责人: the user whose records these are; the data scope filters on it."""

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"), nullable=True, index=True)


class SoftDeleted:
    """Deleted rows stay (recycle bin, CUS-12) until purged."""

    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True, index=True)


class Versioned:
    """Optimistic locking: a stale save raises StaleDataError, turned into EditConflict."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


class BusinessRecord(Timestamped, CreatedBy, SoftDeleted, Versioned):
    """The conventions every business table shares (DESIGN.md §2)."""
