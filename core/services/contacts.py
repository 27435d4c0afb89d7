"""Contacts (CUS-4): the people at a customer — many per customer, decision makers flagged.
A new contact takes its customer's owner, so it stays with the account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.entities import FieldSpec, Kind, audit_fields, define
from core.errors import ValidationFailed
from core.models import Contact, Customer
from core.permissions import Actor, require, scope_clause
from core.services import customers as _customers  # noqa: F401 — registers the "customer" spec
from core.services import records
from core.services.record_query import not_deleted

GENDERS = ("男", "女")  # the stored values (demo data and imports use them)

CONTACT = define(
    "contact",
    Contact,
    i18n="contact",
    actions="crm.contact",
    search_fields=("name", "mobile", "phone", "email"),
    search_hint="contact.search_hint",
    fields=[
        FieldSpec("name", required=True, filterable=True),
        FieldSpec("customer_id", Kind.REF, ref="customer", required=True, filterable=True),
        FieldSpec("mobile", Kind.MOBILE),
        FieldSpec("phone", Kind.PHONE, in_list=False),
        FieldSpec("email", Kind.EMAIL),
        FieldSpec("title", label="contact.job_title", filterable=True),
        FieldSpec("is_decision_maker", Kind.BOOL, filterable=True, default=False),
        FieldSpec("gender", Kind.CHOICE, choices=GENDERS, filterable=True),
        FieldSpec("address", in_list=False),
        FieldSpec("next_contact_at", Kind.DATETIME, filterable=True),
        FieldSpec("notes", Kind.TEXTAREA, in_list=False),
        *audit_fields(owner=True),
    ],
)


def _visible_customer(session: Session, actor: Actor, customer_id: int | None) -> Customer:
    customer = None
    if customer_id is not None:
        customer = session.scalar(
            select(Customer).where(
                Customer.id == customer_id,
                not_deleted(Customer),
                scope_clause(actor, Customer, "crm.customer.view"),
            )
        )
    if customer is None:
        raise ValidationFailed({"customer_id": ("records.validation.unknown_ref", {})})
    return customer


def create(session: Session, *, actor: Actor, values: Mapping[str, Any]) -> Contact:
    """A new contact (crm.contact.create) of a customer the actor can see. Its owner is the
    customer's owner (a pool customer's contact: the actor), so the account's people stay
    with whoever holds the account (CUS-4)."""
    require(actor, CONTACT.action("create"))
    cleaned = records.clean(session, CONTACT, values)
    customer = _visible_customer(session, actor, cleaned["customer_id"])
    contact = records.create(session, actor=actor, spec=CONTACT, values=values)
    contact.owner_id = customer.owner_id or actor.user_id
    session.flush()
    return contact


def update(
    session: Session,
    *,
    actor: Actor,
    contact_id: int,
    values: Mapping[str, Any],
    expected_version: int | None,
) -> Contact:
    """Edit a contact (crm.contact.edit, owner in scope); moving it to another customer needs
    that customer to be visible too. A stale version raises EditConflict."""
    contact = records.get_visible(
        session, actor=actor, spec=CONTACT, record_id=contact_id, action=CONTACT.action("edit")
    )
    cleaned = records.clean(session, CONTACT, values, record=contact)
    if cleaned.get("customer_id", contact.customer_id) != contact.customer_id:
        _visible_customer(session, actor, cleaned["customer_id"])
    return records.update(
        session,
        actor=actor,
        spec=CONTACT,
        record_id=contact_id,
        values=values,
        expected_version=expected_version,
    )


def for_customer_clause(customer_id: int):
    """List clause: the contacts of one customer (the customer's 联系人 tab)."""
    return Contact.customer_id == customer_id
