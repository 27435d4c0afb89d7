"""Organisation and accounts (PLT-1, PLT-2, PLT-3): departments, users, roles, login attempts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base
from core.types import Timestamped, Versioned, utcnow


class DataScope(StrEnum):
    """Whose records a role's actions reach, narrowest first (PLT-3)."""

    SELF = "self"
    SUBORDINATES = "subordinates"  # self + everyone below in the superior chain
    DEPARTMENT = "department"
    DEPARTMENT_TREE = "department_tree"
    ALL = "all"


class Department(Timestamped, Versioned, Base):
    __tablename__ = "departments"
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, name="fk_departments_head_id_users")
    )
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class User(Timestamped, Versioned, Base):
    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    name_initials: Mapped[str] = mapped_column(String(50), default="", index=True)  # pinyin 首字母
    email: Mapped[str] = mapped_column(String(200), default="")
    mobile: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[str] = mapped_column(String(50), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    superior_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(10))
    # Cookies issued before this instant are refused (password change, admin reset, disable).
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow())
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)

    roles: Mapped[list[Role]] = relationship(secondary="user_roles", lazy="selectin")


class Role(Timestamped, Versioned, Base):
    __tablename__ = "roles"
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    data_scope: Mapped[DataScope] = mapped_column(String(20), default=DataScope.SELF)
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. "crm.customer.view"
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)


class UserRole(Base):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[int] = mapped_column(
        ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True
    )


class LoginAttempt(Base):
    """Kept in the store so that a restart does not reset the lockout (PLT-1)."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), index=True)
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow(), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class Favourite(Base):
    """A star a user puts on a colleague (address book) or a record (lists)."""

    __tablename__ = "favourites"
    __table_args__ = (UniqueConstraint("user_id", "subject_type", "subject_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=utcnow())


class SavedView(Timestamped, Base):
    """A named filter set on one list, per user."""

    __tablename__ = "saved_views"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(50))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
