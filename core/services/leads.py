"""Leads (CUS-2): early prospects — create, edit, transfer, and convert into a customer with its
contact (and optionally an opportunity) in one transaction, taking the lead's follow-ups and files
along. A converted lead is read-only and points at its customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from core.entities import STARRED_VIEW, FieldSpec, Kind, ViewSpec, audit_fields, define
from core.errors import DomainError, ValidationFailed
from core.models import Attachment, Contact, Customer, FollowUp, Lead, Opportunity
from core.permissions import Actor, require
from core.services import changelog, contacts, customers, followups, ownership, records

OPEN = (("is_converted", False),)
# The lists a sales team works from show open leads; converted ones have a view of their own.
VIEWS = (
    ViewSpec("all", label="lead.view_open", equals=OPEN),
    ViewSpec("mine", owner="me", equals=OPEN),
    ViewSpec("subordinates", owner="subordinates", equals=OPEN),
    STARRED_VIEW,
    ViewSpec("converted", label="lead.status_converted", equals=(("is_converted", True),)),
)

LEAD = define(
    "lead",
    Lead,
    i18n="lead",
    actions="crm.lead",
    search_fields=("name", "company", "mobile", "phone"),
    search_hint="lead.search_hint",
    views=VIEWS,
    fields=[
        FieldSpec("name", required=True, filterable=True),
        FieldSpec("company", filterable=True),
        FieldSpec("mobile", Kind.MOBILE),
        FieldSpec("phone", Kind.PHONE, in_list=False),
        FieldSpec("email", Kind.EMAIL, in_list=False),
        FieldSpec("source", Kind.OPTION, options="source", filterable=True),
        FieldSpec("industry", Kind.OPTION, options="industry", filterable=True),
        FieldSpec("level", Kind.OPTION, options="lead_level", filterable=True),
        FieldSpec("address", in_list=False),
        FieldSpec("next_contact_at", Kind.DATETIME, filterable=True),
        FieldSpec("notes", Kind.TEXTAREA, in_list=False),
        FieldSpec("is_converted", Kind.BOOL, readonly=True, in_form=False, filterable=True),
        FieldSpec("converted_at", Kind.DATETIME, readonly=True, in_form=False, in_list=False),
        FieldSpec("customer_id", Kind.REF, ref="customer", readonly=True, in_form=False),
        *audit_fields(owner=True),
    ],
)


class LeadConverted(DomainError):
    """A converted lead is read-only (CUS-2)."""

    key = "lead.error.converted"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _for_change(session: Session, actor: Actor, lead_id: int, verb: str) -> Lead:
    lead = records.get_visible(
        session, actor=actor, spec=LEAD, record_id=lead_id, action=LEAD.action(verb)
    )
    if lead.is_converted:
        raise LeadConverted()
    return lead


def get(session: Session, *, actor: Actor, lead_id: int) -> Lead:
    """The lead if the actor may see it (owner in scope), else NotFound."""
    return records.get_visible(session, actor=actor, spec=LEAD, record_id=lead_id)


def customer_name(session: Session, *, lead: Lead) -> str:
    """The name of the customer a converted lead became ("" before conversion)."""
    if lead.customer_id is None:
        return ""
    return session.scalar(select(Customer.name).where(Customer.id == lead.customer_id)) or ""


def create(session: Session, *, actor: Actor, values: Mapping[str, Any]) -> Lead:
    """A new lead owned by the actor (crm.lead.create), validated by the lead's fields."""
    return records.create(session, actor=actor, spec=LEAD, values=values)


def update(
    session: Session,
    *,
    actor: Actor,
    lead_id: int,
    values: Mapping[str, Any],
    expected_version: int | None,
) -> Lead:
    """Edit a lead (crm.lead.edit, owner in scope); a converted lead refuses (LeadConverted)."""
    _for_change(session, actor, lead_id, "edit")
    return records.update(
        session,
        actor=actor,
        spec=LEAD,
        record_id=lead_id,
        values=values,
        expected_version=expected_version,
    )


def transfer(session: Session, *, actor: Actor, lead_id: int, to_user_id: int) -> Lead:
    """Give the lead a new owner (crm.lead.transfer, owner in scope, active new owner); not
    once converted. Logged as "transfer" (owner old → new)."""
    require(actor, LEAD.action("transfer"))
    lead = _for_change(session, actor, lead_id, "transfer")
    ownership.check_active_user(session, to_user_id)
    if lead.owner_id != to_user_id:
        ownership.log_transfer(session, actor, "lead", lead, to_user_id)
        ownership.flush(session, "lead")
    return lead


def delete(session: Session, *, actor: Actor, lead_id: int, expected_version=None) -> None:
    """Move a lead to the recycle bin (crm.lead.delete, owner in scope), converted or not."""
    records.soft_delete(
        session, actor=actor, spec=LEAD, record_id=lead_id, expected_version=expected_version
    )


def attach_file(session: Session, *, actor: Actor, lead_id: int, upload):
    """Attach a file to a lead the actor may edit (not once converted)."""
    from core.services import record_files

    _for_change(session, actor, lead_id, "edit")
    return record_files.attach(session, actor=actor, spec=LEAD, record_id=lead_id, upload=upload)


def remove_file(session: Session, *, actor: Actor, lead_id: int, attachment_id: int) -> None:
    from core.services import record_files

    _for_change(session, actor, lead_id, "edit")
    record_files.remove(
        session, actor=actor, spec=LEAD, record_id=lead_id, attachment_id=attachment_id
    )


# --- conversion ---------------------------------------------------------------------------


def conversion_defaults(lead: Lead) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the conversion form starts with: (customer values, contact values) from the lead."""
    customer = {
        "name": lead.company or lead.name,
        "phone": lead.phone or lead.mobile,
        "source": lead.source,
        "industry": lead.industry,
        "address": lead.address,
        "next_contact_at": lead.next_contact_at,
        "notes": lead.notes,
    }
    contact = {
        "name": lead.name,
        "mobile": lead.mobile,
        "phone": lead.phone,
        "email": lead.email,
        "address": lead.address,
    }
    return customer, contact


@dataclass(frozen=True)
class Conversion:
    customer: Customer
    contact: Contact
    opportunity: Opportunity | None


def _prefixed(part: str, exc: ValidationFailed) -> ValidationFailed:
    """Field errors of one part of the conversion form, keyed "<part>.<field>"."""
    return ValidationFailed({f"{part}.{name}": problem for name, problem in exc.errors.items()})


def _move_history(session: Session, lead: Lead, customer: Customer) -> None:
    """The lead's follow-ups and files now belong to the customer (its timeline keeps them)."""
    session.execute(
        sql_update(FollowUp)
        .where(FollowUp.subject_type == "lead", FollowUp.subject_id == lead.id)
        .values(subject_type="customer", subject_id=customer.id, customer_id=customer.id),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        sql_update(Attachment)
        .where(Attachment.subject_type == "lead", Attachment.subject_id == lead.id)
        .values(subject_type="customer", subject_id=customer.id),
        execution_options={"synchronize_session": False},
    )
    followups.refresh_last_followup(session, customer_id=customer.id)


def _create_part(part: str, create, *args, **kwargs):
    try:
        return create(*args, **kwargs)
    except ValidationFailed as exc:
        raise _prefixed(part, exc) from None


def _opportunity(session: Session, actor: Actor, customer: Customer, values) -> Opportunity:
    from core.services import opportunities  # engineer C's service (CUS-6)

    values = {**values, "customer_id": customer.id}
    opp = _create_part("opportunity", opportunities.create, session, actor=actor, values=values)
    opp.owner_id = customer.owner_id
    return opp


def convert(
    session: Session,
    *,
    actor: Actor,
    lead_id: int,
    customer: Mapping[str, Any] | None = None,
    contact: Mapping[str, Any] | None = None,
    opportunity: Mapping[str, Any] | None = None,
    confirm_duplicate: bool = False,
) -> Conversion:
    """Convert a lead (CUS-2) into a customer, its contact and, when `opportunity` values are
    given, an opportunity — all or nothing in the caller's transaction. Rules: crm.lead.edit on
    the lead (owner in scope) plus create rights on what is made; not twice; values default to
    the lead's (`conversion_defaults`); the customer's duplicate check applies (confirm to save
    anyway); everything belongs to the lead's owner, within their cap on customers owned
    (PoolLimitReached); the lead's follow-ups and files move to the customer; field errors come
    back keyed "customer.name", "contact.mobile" …; both the lead and the customer get a
    "convert" row in their history."""
    lead = _for_change(session, actor, lead_id, "edit")
    customer_values, contact_values = conversion_defaults(lead)
    customer_values |= dict(customer or {})
    contact_values |= dict(contact or {})
    made = _create_part(
        "customer",
        customers.create,
        session,
        actor=actor,
        values=customer_values,
        confirm_duplicate=confirm_duplicate,
        owner_id=lead.owner_id or actor.user_id,
    )
    contact_values["customer_id"] = made.id
    person = _create_part("contact", contacts.create, session, actor=actor, values=contact_values)
    person.owner_id = made.owner_id
    deal = _opportunity(session, actor, made, opportunity) if opportunity is not None else None
    _move_history(session, lead, made)
    lead.is_converted, lead.converted_at, lead.customer_id = True, now(), made.id
    ownership.flush(session, "lead")
    _log_conversion(session, actor, lead, made)
    return Conversion(made, person, deal)


def _log_conversion(session: Session, actor: Actor, lead: Lead, customer: Customer) -> None:
    for entity, record_id, field, value in (
        ("lead", lead.id, "customer_id", customer.id),
        ("customer", customer.id, "converted_from", lead.name),
    ):
        changelog.log(
            session,
            actor_id=actor.user_id,
            entity=entity,
            record_id=record_id,
            action="convert",
            field=field,
            new=value,
        )
