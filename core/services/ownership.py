"""Owner changes shared by the account services (CUS-2, CUS-3, CUS-4): the new owner must be an
active user, every move is a "transfer" row in the record's history, stale saves conflict."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.errors import EditConflict, ValidationFailed
from core.models import User
from core.permissions import Actor
from core.services import changelog


def flush(session: Session, entity: str = "customer") -> None:
    """Flush; a stale version (someone saved the record meanwhile) is an EditConflict."""
    try:
        session.flush()
    except StaleDataError:
        raise EditConflict(entity=entity) from None


def check_active_user(session: Session, user_id: int | None) -> User:
    """The user a record is given to must exist and be enabled (else a field error)."""
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise ValidationFailed({"owner_id": ("records.validation.unknown_ref", {})})
    return user


def log_transfer(session: Session, actor: Actor, entity: str, record, to_user_id: int) -> None:
    """Log the move (owner old → new) and give `record` to `to_user_id`."""
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity=entity,
        record_id=record.id,
        action="transfer",
        field="owner_id",
        old=record.owner_id,
        new=to_user_id,
    )
    record.owner_id = to_user_id
