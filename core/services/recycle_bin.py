"""The recycle bin (CUS-12): soft-deleted records of every registered entity, with who deleted
them and when (from the change log); restore, and purge (hard delete with the rows that belong
to the record, refused while other records still reference it). Needs crm.recycle.restore."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.entities import EntitySpec, all_specs
from core.errors import DomainError
from core.i18n import t
from core.models import Attachment, Base, ChangeLog, Comment, Customer, Favourite, FollowUp, User
from core.permissions import Actor, require
from core.services import changelog, pool_limits, records
from core.services.record_query import visible_select

# Service modules that register specs; imported so the bin lists every entity.
SERVICE_MODULES = (
    "core.services.leads",
    "core.services.customers",
    "core.services.contacts",
    "core.services.opportunities",
    "core.services.contracts",
    "core.services.receivables",
    "core.services.followups",
    "core.services.products",
)
DISPLAY_ORDER = ("customer", "contact", "lead", "opportunity", "contract", "receivable_plan",
                 "receivable", "followup", "product", "product_category")  # fmt: skip
# Rows that belong to a record although their foreign key does not cascade: purged with it.
OWNED_CHILDREN = {("pool_events", "customer_id"), ("opportunity_stage_changes", "opportunity_id")}


class StillReferenced(DomainError):
    """Other records still point at this one; `what` lists them (e.g. "联系人 3")."""

    key = "recycle.error.referenced"


class NotDeleted(DomainError):
    key = "recycle.error.not_deleted"


@dataclass(frozen=True)
class DeletedRow:
    id: int
    title: str
    owner: str
    deleted_at: dt.datetime
    deleted_by: str


def bin_specs(actor: Actor) -> list[EntitySpec]:
    """Entities with a recycle bin (soft delete) whose restore action the actor holds; one spec
    per model (the first registered)."""
    for module in SERVICE_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            continue
    found: dict[type, EntitySpec] = {}
    for spec in all_specs():
        if hasattr(spec.model, "deleted_at") and actor.can(spec.restore_action):
            found.setdefault(spec.model, spec)
    order = {name: i for i, name in enumerate(DISPLAY_ORDER)}
    return sorted(found.values(), key=lambda s: order.get(s.name, len(order)))


def _deleted_query(actor: Actor, spec: EntitySpec, search: str):
    query = visible_select(
        actor, spec, actions=(spec.restore_action,), include_deleted=True, search=search
    )
    return query.where(spec.model.deleted_at.is_not(None))


def count_deleted(session: Session, *, actor: Actor, spec: EntitySpec, search: str = "") -> int:
    require(actor, spec.restore_action)
    query = _deleted_query(actor, spec, search)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _deleters(session: Session, spec: EntitySpec, ids: list[int]) -> dict[int, str]:
    """Who deleted each record last (its newest "delete" change-log row)."""
    rows = session.execute(
        select(ChangeLog.record_id, User.display_name)
        .outerjoin(User, User.id == ChangeLog.actor_id)
        .where(
            ChangeLog.entity == spec.name,
            ChangeLog.record_id.in_(ids),
            ChangeLog.action == "delete",
        )
        .order_by(ChangeLog.id)
    )
    return {rid: name or "" for rid, name in rows}


def list_deleted(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    page: int = 1,
    page_size: int = 20,
    search: str = "",
) -> list[DeletedRow]:
    """One page of deleted records in the actor's restore scope, most recently deleted first."""
    require(actor, spec.restore_action)
    model = spec.model
    rows = session.scalars(
        _deleted_query(actor, spec, search)
        .order_by(model.deleted_at.desc(), model.id.desc())
        .offset((max(1, page) - 1) * page_size)
        .limit(page_size)
    ).all()
    ids = [r.id for r in rows]
    who = _deleters(session, spec, ids) if ids else {}
    owners = {}
    if spec.owned and ids:
        owner_ids = sorted({r.owner_id for r in rows if r.owner_id is not None})
        owners = dict(
            session.execute(select(User.id, User.display_name).where(User.id.in_(owner_ids))).all()
        )
    return [
        DeletedRow(
            id=r.id,
            title=str(getattr(r, spec.title_field, "") or ""),
            owner=owners.get(getattr(r, "owner_id", None), ""),
            deleted_at=r.deleted_at,
            deleted_by=who.get(r.id, ""),
        )
        for r in rows
    ]


def restore(session: Session, *, actor: Actor, spec: EntitySpec, ids: list[int]) -> int:
    """Restore the records (each logged "restore"); any one out of scope refuses all, and so
    does a restored customer that takes its owner past the cap on customers owned (CUS-5)."""
    restored = [
        records.restore(session, actor=actor, spec=spec, record_id=record_id)
        for record_id in sorted(set(ids))
    ]
    if spec.model is Customer:
        owners = {r.owner_id for r in restored if r.owner_id is not None}
        pool_limits.check_owned_after_gains(session, user_ids=owners)
    return len(restored)


def _title_of_table(table: str) -> str:
    for spec in all_specs():
        if spec.model.__tablename__ == table:
            return spec.title_key
    return f"recycle.table.{table}"


def references(session: Session, spec: EntitySpec, record_id: int) -> list[tuple[str, int]]:
    """(i18n title key, count) of rows elsewhere that still point at the record through a
    foreign key that neither cascades nor belongs to it."""
    target = spec.model.__table__
    found: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is not target or fk.ondelete == "CASCADE":
                continue
            if (table.name, fk.parent.name) in OWNED_CHILDREN:
                continue
            count = session.scalar(
                select(func.count()).select_from(table).where(fk.parent == record_id)
            )
            if count:
                key = _title_of_table(table.name)
                found[key] = found.get(key, 0) + count
    return sorted(found.items())


def _purge_belongings(session: Session, actor: Actor, spec: EntitySpec, record_id: int) -> None:
    """Follow-ups, attachments, comments and stars about the record, and its owned children."""
    followups = select(FollowUp.id).where(
        FollowUp.subject_type == spec.name, FollowUp.subject_id == record_id
    )
    for fid in session.scalars(followups).all():
        changelog.log(
            session, actor_id=actor.user_id, entity="followup", record_id=fid, action="purge"
        )
    session.execute(delete(FollowUp).where(FollowUp.id.in_(followups)))
    for model in (Comment, Favourite):
        session.execute(
            delete(model).where(model.subject_type == spec.name, model.subject_id == record_id)
        )
    target = spec.model.__table__
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is target and (table.name, fk.parent.name) in OWNED_CHILDREN:
                session.execute(delete(table).where(fk.parent == record_id))


def purge(session: Session, *, actor: Actor, spec: EntitySpec, record_id: int) -> None:
    """Delete a record in the recycle bin for good, with its follow-ups, attachments, comments,
    stars and owned child rows; refused (StillReferenced, nothing deleted) while other records
    still point at it. The change log keeps its history and gets a "purge" row."""
    require(actor, spec.restore_action)
    record = records.get_visible(
        session,
        actor=actor,
        spec=spec,
        record_id=record_id,
        action=spec.restore_action,
        include_deleted=True,
    )
    if record.deleted_at is None:
        raise NotDeleted()
    _purge_belongings(session, actor, spec, record_id)
    session.flush()
    blockers = references(session, spec, record_id)
    if blockers:
        what = "、".join(f"{t(key)} {count}" for key, count in blockers)
        raise StillReferenced(what=what)
    session.expunge(record)
    session.execute(delete(spec.model).where(spec.model.id == record_id))
    session.execute(
        delete(Attachment).where(
            Attachment.subject_type == spec.name, Attachment.subject_id == record_id
        )
    )
    changelog.log(
        session, actor_id=actor.user_id, entity=spec.name, record_id=record_id, action="purge"
    )
