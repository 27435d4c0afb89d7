"""Follow-ups (CUS-10): calls, visits, messages … on a lead, customer, contact, opportunity or
contract, with attachments; they keep the customer's last follow-up and next contact times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from core.entities import FieldSpec, Kind, audit_fields, define
from core.errors import NotFound, ValidationFailed
from core.models import Contact, Contract, Customer, FollowUp, Lead, Opportunity
from core.permissions import Actor, require, scope_clause
from core.services import attachments as files_store
from core.services import changelog, records
from core.services import customers as _customers  # noqa: F401 — registers the "customer" spec
from core.services.record_files import clean_upload
from core.services.record_query import not_deleted
from core.validation import Upload

SUBJECTS: dict[str, type] = {
    "lead": Lead,
    "customer": Customer,
    "contact": Contact,
    "opportunity": Opportunity,
    "contract": Contract,
}
MAX_FILES = 10
CLOCK_SKEW = dt.timedelta(minutes=5)

FOLLOWUP = define(
    "followup",
    FollowUp,
    i18n="followup",
    actions="crm.followup",
    default_sort="-followed_at",
    search_fields=("content",),
    fields=[
        FieldSpec("followed_at", Kind.DATETIME, filterable=True),
        FieldSpec("kind", Kind.OPTION, options="followup_type", filterable=True),
        FieldSpec("content", Kind.TEXT, required=True, max_length=2000),
        FieldSpec("customer_id", Kind.REF, ref="customer", readonly=True, in_form=False),
        FieldSpec(
            "subject_type",
            Kind.CHOICE,
            choices=tuple(SUBJECTS),
            readonly=True,
            in_form=False,
            filterable=True,
        ),
        FieldSpec("next_contact_at", Kind.DATETIME, filterable=True),
        FieldSpec("owner_id", Kind.USER, filterable=True, readonly=True),
        *audit_fields(),
    ],
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def visible_subject(
    session: Session, *, actor: Actor, subject_type: str, subject_id: int, action: str = "view"
):
    """The lead/customer/contact/opportunity/contract if the actor may reach it, else NotFound."""
    model = SUBJECTS.get(subject_type)
    if model is None:
        raise NotFound(entity=subject_type, id=subject_id)
    clause = scope_clause(actor, model, f"crm.{subject_type}.{action}")
    subject = session.scalar(
        select(model).where(model.id == subject_id, clause, not_deleted(model))
    )
    if subject is None:
        raise NotFound(entity=subject_type, id=subject_id)
    return subject


def customer_of(subject_type: str, subject) -> int | None:
    """The customer a subject belongs to (a lead belongs to one only once converted)."""
    if subject_type == "customer":
        return subject.id
    return getattr(subject, "customer_id", None)


def _check_times(followed_at: dt.datetime, next_contact_at: dt.datetime | None) -> None:
    errors = {}
    if followed_at > now() + CLOCK_SKEW:
        errors["followed_at"] = ("followup.error.in_future", {})
    if next_contact_at is not None and next_contact_at < followed_at:
        errors["next_contact_at"] = ("followup.error.next_before_followed", {})
    if errors:
        raise ValidationFailed(errors)


def _clean_files(files: Iterable[Upload]) -> list[Upload]:
    files = list(files)
    if len(files) > MAX_FILES:
        raise ValidationFailed(
            {"attachments": ("followup.error.too_many_files", {"max": MAX_FILES})}
        )
    return [clean_upload(f, field="attachments") for f in files]


def touch_customer(
    session: Session, *, customer_id: int | None, followed_at, next_contact_at
) -> None:
    """Customer.last_followup_at = the latest follow-up; next_contact_at from the newest one.
    A plain UPDATE: this is bookkeeping, not an edit that should conflict with an open form."""
    if customer_id is None:
        return
    latest = case(
        (
            or_(Customer.last_followup_at.is_(None), Customer.last_followup_at < followed_at),
            followed_at,
        ),
        else_=Customer.last_followup_at,
    )
    values = {"last_followup_at": latest}
    if next_contact_at is not None:
        values["next_contact_at"] = next_contact_at
    session.execute(
        update(Customer).where(Customer.id == customer_id).values(**values),
        execution_options={"synchronize_session": False},
    )


def _touch_subject(session: Session, subject_type: str, subject, next_contact_at) -> None:
    if next_contact_at is None or subject_type not in ("lead", "contact"):
        return
    model = SUBJECTS[subject_type]
    session.execute(
        update(model).where(model.id == subject.id).values(next_contact_at=next_contact_at),
        execution_options={"synchronize_session": False},
    )


def add(
    session: Session,
    *,
    actor: Actor,
    subject_type: str,
    subject_id: int,
    kind: str = "",
    content: str,
    followed_at: dt.datetime | None = None,
    next_contact_at: dt.datetime | None = None,
    attachments: Iterable[Upload] = (),
) -> FollowUp:
    """Record a follow-up (CUS-10). Rules: needs crm.followup.create and a subject the actor can
    see; a converted lead takes none (its follow-ups moved to the customer); `kind` comes from
    the "followup_type" option list; content is required (≤ 2000 characters); the time defaults
    to now and may not lie in the future; the next contact time may not precede it; at most 10
    files of ≤ 10 MB. The follow-up's customer is the subject's; that customer's last follow-up
    and next contact times (and a lead's or contact's next contact time) follow."""
    require(actor, FOLLOWUP.action("create"))
    subject = _writable_subject(session, actor, subject_type, subject_id)
    typed = {"kind": kind, "content": content, "next_contact_at": next_contact_at}
    values = records.clean(session, FOLLOWUP, typed | {"followed_at": followed_at or now()})
    _check_times(values["followed_at"], values["next_contact_at"])
    files = _clean_files(attachments)
    record = FollowUp(
        **values,
        subject_type=subject_type,
        subject_id=subject.id,
        customer_id=customer_of(subject_type, subject),
        owner_id=actor.user_id,
        created_by_id=actor.user_id,
    )
    session.add(record)
    session.flush()
    for upload in files:
        files_store.store(
            session, actor=actor, upload=upload, subject_type="followup", subject_id=record.id
        )
    _after_write(session, actor, record, subject)
    return record


def _writable_subject(session: Session, actor: Actor, subject_type: str, subject_id: int):
    subject = visible_subject(
        session, actor=actor, subject_type=subject_type, subject_id=subject_id
    )
    if subject_type == "lead" and subject.is_converted:
        from core.services.leads import LeadConverted  # leads imports this module

        raise LeadConverted()
    return subject


def _after_write(session: Session, actor: Actor, record: FollowUp, subject) -> None:
    touch_customer(
        session,
        customer_id=record.customer_id,
        followed_at=record.followed_at,
        next_contact_at=record.next_contact_at,
    )
    _touch_subject(session, record.subject_type, subject, record.next_contact_at)
    changelog.log(
        session, actor_id=actor.user_id, entity="followup", record_id=record.id, action="create"
    )


def refresh_last_followup(session: Session, *, customer_id: int | None) -> None:
    """Recompute a customer's last follow-up time from its live follow-ups (after a delete)."""
    if customer_id is None:
        return
    latest = (
        select(func.max(FollowUp.followed_at))
        .where(FollowUp.customer_id == customer_id, not_deleted(FollowUp))
        .scalar_subquery()
    )
    session.execute(
        update(Customer).where(Customer.id == customer_id).values(last_followup_at=latest),
        execution_options={"synchronize_session": False},
    )


def delete(session: Session, *, actor: Actor, followup_id: int) -> None:
    """Move a follow-up to the recycle bin: needs crm.followup.delete and the follow-up in scope
    (its author's records); the customer's last follow-up time is recomputed."""
    record = records.get_visible(
        session, actor=actor, spec=FOLLOWUP, record_id=followup_id, action=FOLLOWUP.action("delete")
    )
    customer_id = record.customer_id
    records.soft_delete(session, actor=actor, spec=FOLLOWUP, record_id=followup_id)
    refresh_last_followup(session, customer_id=customer_id)
