"""Shared records: attachments, comments, change log, option lists, numbering, targets, job locks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.types import BusinessRecord, Money, Timestamped, utcnow


class Attachment(Timestamped, Base):
    """A file stored in the relational store, so a database backup holds everything."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_subject", "subject_type", "subject_id"),)
    subject_type: Mapped[str] = mapped_column(String(20), default="")
    subject_id: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Comment(BusinessRecord, Base):
    """A comment on a task or a work log."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_subject", "subject_type", "subject_id"),)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)


class ChangeLog(Base):
    """One row per changed field (or one per action without fields) — CUS-12."""

    __tablename__ = "change_logs"
    __table_args__ = (Index("ix_change_logs_subject", "entity", "record_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(
        String(20)
    )  # create / update / delete / restore / transfer …
    field: Mapped[str] = mapped_column(String(50), default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow(), index=True)


class OptionItem(Timestamped, Base):
    """An entry of an admin-edited option list: industry, source, level, follow-up type, …"""

    __tablename__ = "option_items"
    __table_args__ = (UniqueConstraint("list_name", "value"),)
    list_name: Mapped[str] = mapped_column(String(30), index=True)
    value: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(50))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class NumberingRule(Timestamped, Base):
    """Segments like [{"kind": "text", "value": "HT"}, {"kind": "date", "format": "%Y%m%d"},
    {"kind": "seq", "width": 4}]; the sequence resets daily / monthly / yearly / never."""

    __tablename__ = "numbering_rules"
    entity: Mapped[str] = mapped_column(String(30), unique=True)
    segments: Mapped[list[dict]] = mapped_column(JSON)
    reset: Mapped[str] = mapped_column(String(10), default="never")


class NumberingCounter(Base):
    __tablename__ = "numbering_counters"
    __table_args__ = (UniqueConstraint("rule_id", "period_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("numbering_rules.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(10))
    value: Mapped[int] = mapped_column(Integer, default=0)


class SalesTarget(Timestamped, Base):
    """BI-7 target: one amount per (year, month, department or user, metric)."""

    __tablename__ = "sales_targets"
    __table_args__ = (UniqueConstraint("year", "month", "department_id", "user_id", "metric"),)
    year: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[int] = mapped_column(Integer)  # 1 … 12
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    metric: Mapped[str] = mapped_column(String(12))  # contract / receivable
    amount: Mapped[Money] = mapped_column(default=Decimal("0"))


class JobRun(Base):
    """A job's lock and last run, so that one app instance among several runs each job."""

    __tablename__ = "job_runs"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    locked_by: Mapped[str] = mapped_column(String(100), default="")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_result: Mapped[dict] = mapped_column(JSON, default=dict)


class AppSetting(Base):
    """Small key/value settings kept in the store (e.g. whether demo data was seeded)."""

    __tablename__ = "app_settings"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
