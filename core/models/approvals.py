"""Approval engine (OFF-7): categories, flows with ordered steps, requests, decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base
from core.types import BusinessRecord, Money, Owned, utcnow


class ApprovalKind(StrEnum):
    GENERAL = "general"
    LEAVE = "leave"
    TRIP = "trip"
    OVERTIME = "overtime"
    REIMBURSEMENT = "reimbursement"
    LOAN = "loan"
    CONTRACT = "contract"
    RECEIVABLE = "receivable"


class ApproverKind(StrEnum):
    USERS = "users"  # named users
    SUPERIOR = "superior"  # the submitter's superior, N levels up
    CHOSEN = "chosen"  # picked by the submitter


class ApproverMode(StrEnum):
    ANY = "any"
    ALL = "all"


class RequestStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApprovalCategory(BusinessRecord, Base):
    __tablename__ = "approval_categories"
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[ApprovalKind] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApprovalFlow(BusinessRecord, Base):
    __tablename__ = "approval_flows"
    category_id: Mapped[int] = mapped_column(ForeignKey("approval_categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    cc_user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class ApprovalStep(Base):
    __tablename__ = "approval_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_id: Mapped[int] = mapped_column(
        ForeignKey("approval_flows.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    approver_kind: Mapped[ApproverKind] = mapped_column(String(10))
    mode: Mapped[ApproverMode] = mapped_column(String(5), default=ApproverMode.ANY)
    approver_user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    superior_levels: Mapped[int] = mapped_column(Integer, default=1)


class ApprovalRequest(BusinessRecord, Owned, Base):
    """One submission; owner = the submitter. Category-specific fields live in typed columns
    where reports read them (leave days, trip days, amounts) and rows in ApprovalRequestItem."""

    __tablename__ = "approval_requests"
    category_id: Mapped[int] = mapped_column(ForeignKey("approval_categories.id"), index=True)
    flow_id: Mapped[int | None] = mapped_column(ForeignKey("approval_flows.id"))
    kind: Mapped[ApprovalKind] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        String(10), default=RequestStatus.DRAFT, index=True
    )
    current_step: Mapped[int | None] = mapped_column(Integer)  # position of the pending step
    chosen_approver_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    leave_type: Mapped[str] = mapped_column(String(20), default="")
    starts_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    duration: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # days (leave, trip) or hours
    amount: Mapped[Money | None] = mapped_column(nullable=True)
    subject_type: Mapped[str] = mapped_column(String(20), default="")  # contract / receivable
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ApprovalRequestItem(Base):
    """A trip itinerary row or an expense row."""

    __tablename__ = "approval_request_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True
    )
    item_date: Mapped[dt.date | None] = mapped_column(Date)
    from_place: Mapped[str] = mapped_column(String(100), default="")
    to_place: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[Money | None] = mapped_column(nullable=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))


class ApprovalDecision(Base):
    __tablename__ = "approval_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True
    )
    step_position: Mapped[int] = mapped_column(Integer)
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    decision: Mapped[str] = mapped_column(String(10))  # approved / rejected
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow())


class ApprovalCc(Base):
    __tablename__ = "approval_ccs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
