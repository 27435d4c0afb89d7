"""Office (OFF-2 … OFF-9): schedule events, tasks, announcements, work logs, check-ins."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.types import BusinessRecord, Owned, utcnow


class TaskPriority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class TaskStatus(StrEnum):
    TODO = "todo"
    DONE = "done"


class WorkLogKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Event(BusinessRecord, Owned, Base):
    """日程: visible only to its owner and its participants (OFF-3)."""

    __tablename__ = "events"
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(30), default="")
    colour: Mapped[str] = mapped_column(String(10), default="#3b82f6")
    reminder_minutes: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    notes: Mapped[str] = mapped_column(Text, default="")


class EventParticipant(Base):
    __tablename__ = "event_participants"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class Task(BusinessRecord, Owned, Base):
    """任务; `parent_id` makes a subtask. Owner = 负责人 (the assignee)."""

    __tablename__ = "tasks"
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    priority: Mapped[TaskPriority] = mapped_column(String(10), default=TaskPriority.NONE)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[TaskStatus] = mapped_column(String(10), default=TaskStatus.TODO, index=True)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))


class TaskMember(Base):
    """A participant (参与) or a person kept informed (知会) on a task."""

    __tablename__ = "task_members"
    __table_args__ = (UniqueConstraint("task_id", "user_id", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(12), default="participant")  # participant / cc


class Announcement(BusinessRecord, Base):
    __tablename__ = "announcements"
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(30), default="")
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    is_for_everyone: Mapped[bool] = mapped_column(Boolean, default=True)


class AnnouncementAudience(Base):
    __tablename__ = "announcement_audience"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))


class AnnouncementRead(Base):
    __tablename__ = "announcement_reads"
    __table_args__ = (UniqueConstraint("announcement_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    read_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow())


class WorkLog(BusinessRecord, Owned, Base):
    """日报/周报/月报 (OFF-6); `period_date` is the day, the week's Monday or the month's 1st."""

    __tablename__ = "work_logs"
    kind: Mapped[WorkLogKind] = mapped_column(String(10), default=WorkLogKind.DAILY)
    period_date: Mapped[dt.date] = mapped_column(Date, index=True)
    done: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")


class WorkLogRecipient(Base):
    __tablename__ = "work_log_recipients"
    __table_args__ = (UniqueConstraint("work_log_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_log_id: Mapped[int] = mapped_column(
        ForeignKey("work_logs.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class WorkLogCustomer(Base):
    """A customer visited or discussed in a work log."""

    __tablename__ = "work_log_customers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_log_id: Mapped[int] = mapped_column(
        ForeignKey("work_logs.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)


class CheckIn(BusinessRecord, Owned, Base):
    """定位签到 (OFF-9); a check-in with a customer counts as a visit in rankings."""

    __tablename__ = "check_ins"
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow(), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
