"""Follow-ups (CUS-10): calls, visits, messages … on a lead, customer, contact, opportunity or
contract, with attachments; they keep the customer's last follow-up and next contact times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from core.entities import FieldSpec, Kind, audit_fields, define
from core.errors import NotFound, ValidationFailed
from core.models import Attachment, Contact, Contract, Customer, FollowUp, Lead, Opportunity, User
from core.permissions import Actor, require, scope_clause
from core.services import attachments, changelog, records
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
    subject = visible_subject(
        session, actor=actor, subject_type=subject_type, subject_id=subject_id
    )
    if subject_type == "lead" and subject.is_converted:
        from core.services.leads import LeadConverted

        raise LeadConverted()
    values = records.clean(
        session,
        FOLLOWUP,
        {
            "kind": kind,
            "content": content,
            "followed_at": followed_at or now(),
            "next_contact_at": next_contact_at,
        },
    )
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
        attachments_store(session, actor, upload, record.id)
    touch_customer(
        session,
        customer_id=record.customer_id,
        followed_at=record.followed_at,
        next_contact_at=record.next_contact_at,
    )
    _touch_subject(session, subject_type, subject, record.next_contact_at)
    changelog.log(
        session, actor_id=actor.user_id, entity="followup", record_id=record.id, action="create"
    )
    return record


def attachments_store(session: Session, actor: Actor, upload: Upload, followup_id: int) -> None:
    attachments.store(
        session, actor=actor, upload=upload, subject_type="followup", subject_id=followup_id
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


def update_followup(
    session: Session, *, actor: Actor, followup_id: int, values, expected_version: int | None
) -> FollowUp:
    """Edit a follow-up's type, content or times (crm.followup.edit, in scope); same time rules
    as `add`; the customer's last follow-up time is recomputed."""
    record = records.update(
        session,
        actor=actor,
        spec=FOLLOWUP,
        record_id=followup_id,
        values=values,
        expected_version=expected_version,
    )
    _check_times(record.followed_at, record.next_contact_at)
    refresh_last_followup(session, customer_id=record.customer_id)
    return record


@dataclass(frozen=True)
class FileInfo:
    id: int
    filename: str
    size: int


@dataclass(frozen=True)
class Entry:
    """One follow-up in a timeline, with its author's name and files (without their bytes)."""

    id: int
    subject_type: str
    subject_id: int
    kind: str
    content: str
    followed_at: dt.datetime
    next_contact_at: dt.datetime | None
    owner_id: int | None
    author: str
    files: tuple[FileInfo, ...]


def _subject_clause(subject_type: str, subject_id: int):
    if subject_type == "customer":
        # A customer's timeline holds everything about it: its contacts, deals, the old lead.
        return FollowUp.customer_id == subject_id
    return (FollowUp.subject_type == subject_type) & (FollowUp.subject_id == subject_id)


def _files(session: Session, ids: list[int]) -> dict[int, list[FileInfo]]:
    found: dict[int, list[FileInfo]] = {}
    if not ids:
        return found
    rows = session.execute(
        select(Attachment.id, Attachment.subject_id, Attachment.filename, Attachment.size)
        .where(
            Attachment.subject_type == "followup",
            Attachment.subject_id.in_(ids),
            Attachment.deleted_at.is_(None),
        )
        .order_by(Attachment.id)
    )
    for a_id, owner, name, size in rows:
        found.setdefault(owner, []).append(FileInfo(a_id, name, size))
    return found


def timeline(
    session: Session, *, actor: Actor, subject_type: str, subject_id: int, limit: int = 20
) -> tuple[list[Entry], int]:
    """The subject's follow-ups, newest first (at most `limit`), and how many there are. Anyone
    who can see the subject sees its whole timeline, whoever wrote each entry (CUS-10)."""
    visible_subject(session, actor=actor, subject_type=subject_type, subject_id=subject_id)
    where = (_subject_clause(subject_type, subject_id), not_deleted(FollowUp))
    total = session.scalar(select(func.count()).select_from(FollowUp).where(*where)) or 0
    rows = session.execute(
        select(FollowUp, User.display_name)
        .outerjoin(User, User.id == FollowUp.owner_id)
        .where(*where)
        .order_by(FollowUp.followed_at.desc(), FollowUp.id.desc())
        .limit(limit)
    ).all()
    files = _files(session, [r.id for r, _ in rows])
    entries = [
        Entry(
            id=r.id,
            subject_type=r.subject_type,
            subject_id=r.subject_id,
            kind=r.kind,
            content=r.content,
            followed_at=r.followed_at,
            next_contact_at=r.next_contact_at,
            owner_id=r.owner_id,
            author=name or "",
            files=tuple(files.get(r.id, ())),
        )
        for r, name in rows
    ]
    return entries, total


def file(session: Session, *, actor: Actor, attachment_id: int) -> Attachment:
    """A follow-up's file, if the actor may see the follow-up's subject."""
    attachment = attachments.get(session, attachment_id=attachment_id)
    record = (
        session.get(FollowUp, attachment.subject_id)
        if attachment.subject_type == "followup"
        else None
    )
    if record is None or record.deleted_at is not None or attachment.deleted_at is not None:
        raise NotFound(entity="attachment", id=attachment_id)
    subject_type, subject_id = record.subject_type, record.subject_id
    visible_subject(session, actor=actor, subject_type=subject_type, subject_id=subject_id)
    return attachment


def subject_titles(session: Session, pairs) -> dict[tuple[str, int], str]:
    """Names of follow-up subjects {(type, id): name} for timelines and the follow-up list."""
    wanted: dict[str, set[int]] = {}
    for subject_type, subject_id in pairs:
        if subject_type in SUBJECTS:
            wanted.setdefault(subject_type, set()).add(subject_id)
    found = {}
    for subject_type, ids in wanted.items():
        model = SUBJECTS[subject_type]
        rows = session.execute(select(model.id, model.name).where(model.id.in_(sorted(ids))))
        found |= {(subject_type, i): n for i, n in rows}
    return found
