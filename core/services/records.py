"""Generic, permission-aware record operations driven by an EntitySpec (DESIGN.md §2, §3, §6):
list, get, create, update, soft delete, restore, and the row stream behind CSV export.

Every read goes through `scope_clause`; every write checks its action, validates, logs each
change (CUS-12) in the caller's transaction and turns a stale version into EditConflict."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ColumnElement

from core.entities import EntitySpec, Kind, get_spec
from core.errors import EditConflict, NotFound, ValidationFailed
from core.models import OptionItem, User
from core.permissions import Actor, require
from core.services import attachments, changelog
from core.services.record_query import Filters, not_deleted, sort_columns, visible_select
from core.types import utcnow
from core.validation import Upload, validate

MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    page: int
    page_size: int
    total_capped: bool = False  # more rows match than were counted (total is a lower bound)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def list_visible(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    filters: Filters | None = None,
    sort: str | None = None,
    page: int = 1,
    page_size: int = 20,
    search: str = "",
    where: Iterable[ColumnElement[bool]] = (),
    count_limit: int | None = None,
) -> Page:
    """One page of the rows the actor may see, filtered and sorted in the database; `total`
    counts every matching row — or, with `count_limit`, stops counting past it (total =
    count_limit + 1, total_capped), so a list over millions of rows stays fast. A page past
    the end returns the last page."""
    require(actor, spec.view_action)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    query = visible_select(actor, spec, filters=filters, search=search, where=tuple(where))
    counted = query.with_only_columns(spec.model.id)
    if count_limit is not None:
        counted = counted.limit(count_limit + 1)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    capped = count_limit is not None and total > count_limit
    page = max(1, min(page, max(1, math.ceil(total / page_size))))
    rows = session.scalars(
        query.order_by(*sort_columns(spec, sort)).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return Page(rows=list(rows), total=total, page=page, page_size=page_size, total_capped=capped)


def iter_visible(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    filters: Filters | None = None,
    sort: str | None = None,
    search: str = "",
    where: Iterable[ColumnElement[bool]] = (),
    chunk_size: int = 1000,
) -> Iterator[list]:
    """Every matching row for export, in chunks fetched with a streaming cursor (bounded memory).
    Needs the entity's export action; rows must be in both the view and the export scope."""
    require(actor, spec.action("export"))
    query = visible_select(
        actor,
        spec,
        filters=filters,
        search=search,
        where=tuple(where),
        actions=(spec.action("export"),),
    ).order_by(*sort_columns(spec, sort, whole=True))
    result = session.scalars(query.execution_options(yield_per=chunk_size))
    # The identity map holds rows weakly, so exported chunks are freed as the caller moves on.
    for chunk in result.partitions():
        yield list(chunk)


def get_visible(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    record_id: int,
    action: str | None = None,
    include_deleted: bool = False,
):
    """The record if the actor may reach it with `action` (default: view), else NotFound —
    the same answer whether it does not exist or is out of scope."""
    require(actor, action or spec.view_action)
    actions = (action,) if action else ()
    query = visible_select(actor, spec, actions=actions, include_deleted=include_deleted)
    record = session.scalar(query.where(spec.model.id == record_id))
    if record is None:
        raise NotFound(entity=spec.name, id=record_id)
    return record


def _option_values(session: Session, spec: EntitySpec, record=None) -> dict[str, set[str]]:
    """Active values of each option list, plus the record's current value (still accepted)."""
    found: dict[str, set[str]] = {}
    for f in spec.fields:
        if f.kind == Kind.OPTION and f.options:
            values = session.scalars(
                select(OptionItem.value).where(
                    OptionItem.list_name == f.options, OptionItem.is_active.is_(True)
                )
            )
            found.setdefault(f.options, set()).update(values)
            if record is not None and getattr(record, f.name):
                found[f.options].add(getattr(record, f.name))
    return found


def _reference_error(session: Session, spec: EntitySpec, name: str, value: Any):
    f = spec.field(name)
    if value is None or f.kind not in (Kind.USER, Kind.REF):
        return None
    if f.kind == Kind.USER:
        ok = session.scalar(select(User.id).where(User.id == value, User.is_active.is_(True)))
    else:
        model = get_spec(f.ref).model
        ok = session.scalar(select(model.id).where(model.id == value, not_deleted(model)))
    return None if ok else ("records.validation.unknown_ref", {})


def _unique_error(session: Session, spec: EntitySpec, name: str, value: Any, record_id):
    if not spec.field(name).unique or value in (None, ""):
        return None
    model = spec.model
    query = select(model.id, model.deleted_at).where(getattr(model, name) == value)
    if record_id is not None:
        query = query.where(model.id != record_id)
    clash = session.execute(query.limit(1)).first()
    if clash is None:
        return None
    key = "duplicate_deleted" if clash.deleted_at is not None else "duplicate"
    return (f"records.validation.{key}", {})


def clean(
    session: Session, spec: EntitySpec, values: Mapping[str, Any], *, record=None
) -> dict[str, Any]:
    """Validate input against the spec and the store (options, references, uniqueness)."""
    options = _option_values(session, spec, record)
    cleaned = validate(spec, values, creating=record is None, options=options)
    errors = {}
    record_id = record.id if record is not None else None
    for name, value in cleaned.items():
        problem = _reference_error(session, spec, name, value) or _unique_error(
            session, spec, name, value, record_id
        )
        if problem:
            errors[name] = problem
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _store_images(session: Session, actor: Actor, spec: EntitySpec, record, uploads) -> None:
    for name, upload in uploads.items():
        attachment = attachments.store(
            session, actor=actor, upload=upload, subject_type=spec.name, subject_id=record.id
        )
        setattr(record, name, attachment.id)


def _flush(session: Session, spec: EntitySpec) -> None:
    """Flush; a stale version is an edit conflict, a unique clash a duplicate (a race the
    pre-check lost). Either way the caller's transaction rolls back: nothing is half-saved."""
    try:
        session.flush()
    except StaleDataError:
        raise EditConflict(entity=spec.name) from None
    except IntegrityError as exc:
        unique = [f.name for f in spec.fields if f.unique]
        if not unique or "unique" not in str(exc.orig).lower():
            raise
        raise ValidationFailed({unique[0]: ("records.validation.duplicate", {})}) from None


def create(session: Session, *, actor: Actor, spec: EntitySpec, values: Mapping[str, Any]):
    """Create a record from form input: needs `<actions>.create`; sets created_by and (for
    models with an owner) owner to the actor unless given; logs one "create" row."""
    require(actor, spec.action("create"))
    cleaned = clean(session, spec, values)
    uploads = {k: v for k, v in cleaned.items() if isinstance(v, Upload)}
    fields = {k: v for k, v in cleaned.items() if k not in uploads}
    record = spec.model(**fields)
    if hasattr(record, "created_by_id"):
        record.created_by_id = actor.user_id
    if hasattr(record, "owner_id") and record.owner_id is None:
        record.owner_id = actor.user_id
    session.add(record)
    _flush(session, spec)
    _store_images(session, actor, spec, record, uploads)
    _flush(session, spec)
    changelog.log(
        session, actor_id=actor.user_id, entity=spec.name, record_id=record.id, action="create"
    )
    return record


def update(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    record_id: int,
    values: Mapping[str, Any],
    expected_version: int | None,
):
    """Change the fields present in `values`: needs `<actions>.edit` and the record in the edit
    scope; `expected_version` is the version the user's form was built from (EditConflict when
    someone saved in between). One "update" change-log row per field that really changed."""
    require(actor, spec.action("edit"))
    record = get_visible(
        session, actor=actor, spec=spec, record_id=record_id, action=spec.action("edit")
    )
    if expected_version is not None and record.version != expected_version:
        raise EditConflict(entity=spec.name)
    cleaned = clean(session, spec, values, record=record)
    uploads = {k: v for k, v in cleaned.items() if isinstance(v, Upload)}
    changes = {
        k: (getattr(record, k), v)
        for k, v in cleaned.items()
        if k not in uploads and getattr(record, k) != v
    }
    for name, (_old, new) in changes.items():
        setattr(record, name, new)
    for name in uploads:
        changes[name] = (getattr(record, name), None)
        attachments.retire(session, attachment_id=getattr(record, name))
    _store_images(session, actor, spec, record, uploads)
    for name in uploads:
        changes[name] = (changes[name][0], getattr(record, name))
    if changes:
        _flush(session, spec)
        changelog.log_changes(
            session, actor_id=actor.user_id, entity=spec.name, record_id=record.id, changes=changes
        )
    return record


def soft_delete(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    record_id: int,
    expected_version: int | None = None,
) -> None:
    """Move a record to the recycle bin (CUS-12): needs `<actions>.delete` in scope."""
    require(actor, spec.action("delete"))
    record = get_visible(
        session, actor=actor, spec=spec, record_id=record_id, action=spec.action("delete")
    )
    if expected_version is not None and record.version != expected_version:
        raise EditConflict(entity=spec.name)
    record.deleted_at = utcnow()
    _flush(session, spec)
    changelog.log(
        session, actor_id=actor.user_id, entity=spec.name, record_id=record.id, action="delete"
    )


def restore(session: Session, *, actor: Actor, spec: EntitySpec, record_id: int):
    """Bring a deleted record back from the recycle bin: needs the spec's restore action."""
    require(actor, spec.restore_action)
    record = get_visible(session, actor=actor, spec=spec, record_id=record_id, include_deleted=True)
    if record.deleted_at is None:
        return record
    record.deleted_at = None
    _flush(session, spec)
    changelog.log(
        session, actor_id=actor.user_id, entity=spec.name, record_id=record.id, action="restore"
    )
    return record
