"""Change history (CUS-12): one ChangeLog row per changed field, one per create/delete/restore,
written in the caller's transaction; and the history of a record for the detail view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ChangeLog, User


def as_text(value: Any) -> str | None:
    """The canonical text of a value in the log (parsed back for display by the field kind)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def log(
    session: Session,
    *,
    actor_id: int | None,
    entity: str,
    record_id: int,
    action: str,
    field: str = "",
    old: Any = None,
    new: Any = None,
) -> None:
    session.add(
        ChangeLog(
            entity=entity,
            record_id=record_id,
            action=action,
            field=field,
            old_value=as_text(old),
            new_value=as_text(new),
            actor_id=actor_id,
        )
    )


def log_changes(
    session: Session,
    *,
    actor_id: int | None,
    entity: str,
    record_id: int,
    changes: dict[str, tuple[Any, Any]],
) -> None:
    """One "update" row per changed field: {field: (old, new)}."""
    for name, (old, new) in changes.items():
        log(
            session,
            actor_id=actor_id,
            entity=entity,
            record_id=record_id,
            action="update",
            field=name,
            old=old,
            new=new,
        )


@dataclass(frozen=True)
class HistoryEntry:
    changed_at: dt.datetime
    actor_name: str
    action: str
    field: str
    old_value: str | None
    new_value: str | None


def history(
    session: Session, *, entity: str, record_id: int, limit: int = 200
) -> list[HistoryEntry]:
    """The record's changes, newest first, with the name of who made each one."""
    rows = session.execute(
        select(ChangeLog, User.display_name)
        .outerjoin(User, User.id == ChangeLog.actor_id)
        .where(ChangeLog.entity == entity, ChangeLog.record_id == record_id)
        .order_by(ChangeLog.changed_at.desc(), ChangeLog.id.desc())
        .limit(limit)
    ).all()
    return [
        HistoryEntry(
            changed_at=row.changed_at,
            actor_name=name or "",
            action=row.action,
            field=row.field,
            old_value=row.old_value,
            new_value=row.new_value,
        )
        for row, name in rows
    ]
