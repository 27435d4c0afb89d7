"""Customer management (CUS-2 … CUS-10): leads, customers, contacts, pools, opportunities,
contracts, receivables, products, follow-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from core import match_keys
from core.models.base import Base
from core.types import BusinessRecord, Money, Owned, Timestamped, utcnow


class ApprovalStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    VOID = "void"


class OpportunityStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"
    INVALID = "invalid"


class PlanStatus(StrEnum):
    TO_COLLECT = "to_collect"
    PARTIAL = "partial"
    DONE = "done"
    OVERDUE = "overdue"


class TeamAccess(StrEnum):
    READ = "read"
    WRITE = "write"


class ProductCategory(BusinessRecord, Base):
    __tablename__ = "product_categories"
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("product_categories.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Product(BusinessRecord, Owned, Base):
    __tablename__ = "products"
    name: Mapped[str] = mapped_column(String(100), index=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("product_categories.id"), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="")
    price: Mapped[Money] = mapped_column(default=Decimal("0"))
    is_on_sale: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    image_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id", use_alter=True))


class Lead(BusinessRecord, Owned, Base):
    __tablename__ = "leads"
    name: Mapped[str] = mapped_column(String(100), index=True)
    company: Mapped[str] = mapped_column(String(200), default="", index=True)  # global search
    source: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(30), default="", index=True)
    mobile: Mapped[str] = mapped_column(String(20), default="", index=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    industry: Mapped[str] = mapped_column(String(50), default="")
    level: Mapped[str] = mapped_column(String(20), default="")
    next_contact_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_converted: Mapped[bool] = mapped_column(Boolean, default=False)
    converted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    # 查重 keys (CUS-3), kept in step with name, company, phone and mobile on every ORM write
    name_key: Mapped[str] = mapped_column(String(200), default="", server_default="", index=True)
    company_key: Mapped[str] = mapped_column(String(200), default="", server_default="", index=True)
    company_key_reversed: Mapped[str] = mapped_column(
        String(200), default="", server_default="", index=True
    )
    phone_key: Mapped[str] = mapped_column(String(40), default="", server_default="", index=True)
    mobile_key: Mapped[str] = mapped_column(String(40), default="", server_default="", index=True)

    @validates("name", "company", "phone", "mobile")
    def _keep_match_keys(self, field: str, value: str | None) -> str | None:
        for key, text in match_keys.keys_for("leads", {field: value}).items():
            setattr(self, key, text)
        return value


class Pool(BusinessRecord, Base):
    """公海: a pool of customers with no owner; members may claim, pool admins assign."""

    __tablename__ = "pools"
    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    daily_claim_limit: Mapped[int] = mapped_column(Integer, default=0)  # 0 = no limit
    reclaim_cooldown_days: Mapped[int] = mapped_column(Integer, default=0)
    owned_customer_limit: Mapped[int] = mapped_column(Integer, default=0)
    locked_customer_limit: Mapped[int] = mapped_column(Integer, default=0)
    recall_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    exempt_dealt: Mapped[bool] = mapped_column(Boolean, default=True)
    warn_days: Mapped[int] = mapped_column(Integer, default=3)


class PoolMember(Base):
    __tablename__ = "pool_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)


class PoolRule(Base):
    """Recall rule per customer level: back to the pool after N days without follow-up / deal."""

    __tablename__ = "pool_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    customer_level: Mapped[str] = mapped_column(String(20), default="")  # "" = every level
    days_without_followup: Mapped[int | None] = mapped_column(Integer)
    days_without_deal: Mapped[int | None] = mapped_column(Integer)


class Customer(BusinessRecord, Owned, Base):
    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_owner_updated", "owner_id", "updated_at"),)
    name: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[str] = mapped_column(String(20), default="", index=True)
    source: Mapped[str] = mapped_column(String(50), default="")
    industry: Mapped[str] = mapped_column(String(50), default="")
    province: Mapped[str] = mapped_column(String(30), default="")
    city: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="", index=True)
    website: Mapped[str] = mapped_column(String(200), default="")
    is_dealt: Mapped[bool] = mapped_column(Boolean, default=False)
    dealt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    next_contact_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    last_followup_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    owned_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("pools.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    # 查重 keys (CUS-3), kept in step with name and phone on every ORM write
    name_key: Mapped[str] = mapped_column(String(200), default="", server_default="", index=True)
    name_key_reversed: Mapped[str] = mapped_column(
        String(200), default="", server_default="", index=True
    )
    phone_key: Mapped[str] = mapped_column(String(40), default="", server_default="", index=True)

    @validates("name", "phone")
    def _keep_match_keys(self, field: str, value: str | None) -> str | None:
        for key, text in match_keys.keys_for("customers", {field: value}).items():
            setattr(self, key, text)
        return value


class CustomerTeamMember(Base):
    __tablename__ = "customer_team_members"
    __table_args__ = (UniqueConstraint("customer_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    access: Mapped[TeamAccess] = mapped_column(String(10), default=TeamAccess.READ)


class PoolEvent(Base):
    """Pool history: who released, claimed, assigned or recalled a customer, and why."""

    __tablename__ = "pool_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("pools.id"))
    kind: Mapped[str] = mapped_column(String(20))  # release / claim / assign / recall
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    happened_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow(), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow(), index=True)


class Contact(BusinessRecord, Owned, Base):
    __tablename__ = "contacts"
    name: Mapped[str] = mapped_column(String(50), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    mobile: Mapped[str] = mapped_column(String(20), default="", index=True)
    phone: Mapped[str] = mapped_column(String(30), default="", index=True)  # global search
    email: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(50), default="")
    is_decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)
    gender: Mapped[str] = mapped_column(String(10), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    next_contact_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    notes: Mapped[str] = mapped_column(Text, default="")


class StageGroup(BusinessRecord, Base):
    __tablename__ = "stage_groups"
    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Stage(Timestamped, Base):
    __tablename__ = "stages"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("stage_groups.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer)
    win_probability: Mapped[int] = mapped_column(Integer, default=0)  # percent


class Opportunity(BusinessRecord, Owned, Base):
    __tablename__ = "opportunities"
    name: Mapped[str] = mapped_column(String(200), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    stage_group_id: Mapped[int] = mapped_column(ForeignKey("stage_groups.id"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"), index=True)
    status: Mapped[OpportunityStatus] = mapped_column(String(10), default=OpportunityStatus.OPEN)
    expected_close_date: Mapped[dt.date | None] = mapped_column(Date)
    amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    discount_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    lost_reason: Mapped[str] = mapped_column(String(100), default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    notes: Mapped[str] = mapped_column(Text, default="")


class OpportunityStageChange(Base):
    __tablename__ = "opportunity_stage_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    to_status: Mapped[str] = mapped_column(String(10), default=OpportunityStatus.OPEN)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow(), index=True)


class OpportunityLine(Base):
    __tablename__ = "opportunity_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    price: Mapped[Money]
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    discount_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    subtotal: Mapped[Money]


class Contract(BusinessRecord, Owned, Base):
    __tablename__ = "contracts"
    __table_args__ = (Index("ix_contracts_owner_order_date", "owner_id", "order_date"),)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    order_date: Mapped[dt.date] = mapped_column(Date, index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    discount_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    customer_signatory_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    company_signatory_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approval_status: Mapped[ApprovalStatus] = mapped_column(
        String(10), default=ApprovalStatus.DRAFT, index=True
    )
    approval_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("approval_requests.id", use_alter=True)
    )
    received_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    notes: Mapped[str] = mapped_column(Text, default="")


class ContractLine(Base):
    __tablename__ = "contract_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    price: Mapped[Money]
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    discount_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    subtotal: Mapped[Money]
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=utcnow(), onupdate=utcnow(), index=True
    )


class ReceivablePlan(BusinessRecord, Owned, Base):
    __tablename__ = "receivable_plans"
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    period: Mapped[int] = mapped_column(Integer)  # 期数, 1-based
    planned_amount: Mapped[Money]
    planned_date: Mapped[dt.date] = mapped_column(Date, index=True)
    remind_days: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[PlanStatus] = mapped_column(String(12), default=PlanStatus.TO_COLLECT)
    notes: Mapped[str] = mapped_column(Text, default="")


class Receivable(BusinessRecord, Owned, Base):
    __tablename__ = "receivables"
    number: Mapped[str] = mapped_column(String(50), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("receivable_plans.id"))
    received_date: Mapped[dt.date] = mapped_column(Date, index=True)
    method: Mapped[str] = mapped_column(String(30), default="")
    amount: Mapped[Money]
    approval_status: Mapped[ApprovalStatus] = mapped_column(
        String(10), default=ApprovalStatus.DRAFT, index=True
    )
    approval_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("approval_requests.id", use_alter=True)
    )
    notes: Mapped[str] = mapped_column(Text, default="")


class FollowUp(BusinessRecord, Owned, Base):
    """A follow-up on a lead, customer, contact, opportunity or contract (CUS-10).

    `customer_id` is filled whenever the subject belongs to a customer, so customer timelines,
    the recall rule and BI read one column."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_subject", "subject_type", "subject_id"),
        Index("ix_follow_ups_owner_followed", "owner_id", "followed_at"),
    )
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="")  # follow-up type option
    content: Mapped[str] = mapped_column(Text)
    followed_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow())
    next_contact_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
