"""What sales records (opportunities, contracts, receivables) may point at: a customer the actor
can see, a contact or opportunity of that customer, an active user (CUS-6, CUS-7)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.entities import EntitySpec, get_spec, register
from core.errors import EditConflict, ValidationFailed
from core.models import Contact, Customer, User
from core.permissions import Actor, scope_clause
from core.services.record_query import not_deleted

UNKNOWN = ("records.validation.unknown_ref", {})


def ensure_spec(name: str, model: type, title_field: str = "name") -> None:
    """Register a minimal spec for `name` unless its own module has (customers and contacts
    belong to core/services/customers.py and contacts.py; their full spec replaces this one)."""
    try:
        get_spec(name)
    except KeyError:
        register(
            EntitySpec(
                name=name,
                model=model,
                i18n=name,
                fields=(),
                actions=f"crm.{name}",
                owned=True,
                title_field=title_field,
            )
        )


ensure_spec("customer", Customer)
ensure_spec("contact", Contact)


def visible_id(session: Session, actor: Actor, model, action: str, record_id) -> bool:
    """True when the live record `record_id` of `model` is within the actor's `action` scope."""
    if record_id is None:
        return False
    query = select(model.id).where(
        model.id == record_id, not_deleted(model), scope_clause(actor, model, action)
    )
    return session.scalar(query) is not None


def check_customer(session: Session, actor: Actor, customer_id, field="customer_id") -> None:
    """The customer must exist and be visible to the actor (or the field gets an error)."""
    if not visible_id(session, actor, Customer, "crm.customer.view", customer_id):
        raise ValidationFailed({field: UNKNOWN})


def check_belongs(
    session: Session, model, record_id, customer_id: int, field: str, key: str
) -> None:
    """`record_id` (a contact or opportunity) must be live and belong to `customer_id`."""
    if record_id is None:
        return
    owner = session.scalar(
        select(model.customer_id).where(model.id == record_id, not_deleted(model))
    )
    if owner is None:
        raise ValidationFailed({field: UNKNOWN})
    if owner != customer_id:
        raise ValidationFailed({field: (key, {})})


def check_user(session: Session, user_id, field: str) -> None:
    if user_id is None:
        return
    ok = session.scalar(select(User.id).where(User.id == user_id, User.is_active.is_(True)))
    if ok is None:
        raise ValidationFailed({field: UNKNOWN})


def flush(session: Session, spec: EntitySpec) -> None:
    """Flush; a row someone else saved meanwhile (stale version) is an edit conflict."""
    try:
        session.flush()
    except StaleDataError:
        raise EditConflict(entity=spec.name) from None


def utc_now() -> dt.datetime:
    """Naive UTC now, as times are stored."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def customer_choices(session: Session, actor: Actor, limit: int = 1000) -> list[tuple[int, str]]:
    """Visible customers as (id, name) for a select box, by name."""
    rows = session.execute(
        select(Customer.id, Customer.name)
        .where(scope_clause(actor, Customer, "crm.customer.view"), not_deleted(Customer))
        .order_by(Customer.name, Customer.id)
        .limit(limit)
    )
    return [(i, n) for i, n in rows]


def contact_choices(session: Session, customer_id: int | None) -> list[tuple[int, str]]:
    """The customer's live contacts as (id, name)."""
    if customer_id is None:
        return []
    rows = session.execute(
        select(Contact.id, Contact.name)
        .where(Contact.customer_id == customer_id, not_deleted(Contact))
        .order_by(Contact.name, Contact.id)
    )
    return [(i, n) for i, n in rows]
