"""Saved views and stars on every list: the spec's built-in views (all, mine, my subordinates',
starred, converted leads …) and each user's named filter sets (SavedView); starring records
(Favourite with subject_type = the spec's name)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.entities import NUMBER_KINDS, RANGE_KINDS, SET_KINDS, EntitySpec, Kind, ViewSpec
from core.errors import NotFound, ValidationFailed
from core.models import Favourite, SavedView
from core.permissions import Actor, OrgTree, require
from core.services.record_query import visible_select

SAVED_PREFIX = "saved:"
NAME_MAX = 50


@dataclass(frozen=True)
class ViewQuery:
    """What a chosen view adds to the list query: domain clauses, and for a saved view the
    filters, search and sort it was saved with."""

    where: tuple[ColumnElement[bool], ...] = ()
    filters: dict[str, Any] = field(default_factory=dict)
    search: str = ""
    sort: str = ""


def builtin_view(spec: EntitySpec, name: str) -> ViewSpec:
    for view in spec.builtin_views:
        if view.name == name:
            return view
    raise NotFound(entity="view", id=name)


def builtin_clauses(session: Session, *, actor: Actor, spec: EntitySpec, view: ViewSpec):
    """The clauses of a built-in view; the data scope is applied by the list on top."""
    model = spec.model
    clauses: list[ColumnElement[bool]] = []
    if view.owner and hasattr(model, "owner_id"):
        if view.owner == "me":
            clauses.append(model.owner_id == actor.user_id)
        else:
            below = OrgTree.load(session).subordinates(actor.user_id)
            clauses.append(model.owner_id.in_(sorted(below)))
    if view.starred:
        clauses.append(model.id.in_(_starred_subquery(actor, spec)))
    clauses += [getattr(model, column) == value for column, value in view.equals]
    return clauses


def resolve(session: Session, *, actor: Actor, spec: EntitySpec, key: str) -> ViewQuery:
    """A view key ("mine", "saved:12" …) → its query. A saved view of someone else, or one that
    was deleted, is NotFound; a built-in view name the spec lacks too."""
    require(actor, spec.view_action)
    if not key.startswith(SAVED_PREFIX):
        view = builtin_view(spec, key)
        return ViewQuery(where=tuple(builtin_clauses(session, actor=actor, spec=spec, view=view)))
    saved = _own_view(session, actor, spec, key)
    payload = saved.filters or {}
    base = payload.get("base") or "all"
    try:
        where = builtin_clauses(session, actor=actor, spec=spec, view=builtin_view(spec, base))
    except NotFound:
        where = []
    return ViewQuery(
        where=tuple(where),
        filters=decode_filters(spec, payload.get("filters", {})),
        search=str(payload.get("search", "")),
        sort=str(payload.get("sort", "")),
    )


def _own_view(session: Session, actor: Actor, spec: EntitySpec, key: str) -> SavedView:
    try:
        view_id = int(key.removeprefix(SAVED_PREFIX))
    except ValueError:
        raise NotFound(entity="view", id=key) from None
    saved = session.get(SavedView, view_id)
    if saved is None or saved.user_id != actor.user_id or saved.entity != spec.name:
        raise NotFound(entity="view", id=key)
    return saved


def list_saved(session: Session, *, actor: Actor, spec: EntitySpec) -> list[SavedView]:
    """The actor's own saved views of this list, by name."""
    return list(
        session.scalars(
            select(SavedView)
            .where(SavedView.user_id == actor.user_id, SavedView.entity == spec.name)
            .order_by(SavedView.name, SavedView.id)
        )
    )


def save_view(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    name: str,
    filters: Mapping[str, Any],
    search: str = "",
    sort: str = "",
    base: str = "all",
) -> SavedView:
    """Save the current filters, search and sort (on top of built-in view `base`) under a name.
    Names are required, at most 50 characters and unique among the user's views of this list;
    saving under an existing name of the user's replaces that view's filters."""
    require(actor, spec.view_action)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": ("records.validation.required", {})})
    if len(name) > NAME_MAX:
        raise ValidationFailed({"name": ("records.validation.too_long", {"max": NAME_MAX})})
    builtin_view(spec, base)
    payload = {"base": base, "filters": encode_filters(spec, filters), "search": search or ""}
    payload["sort"] = sort or ""
    existing = session.scalar(
        select(SavedView).where(
            SavedView.user_id == actor.user_id,
            SavedView.entity == spec.name,
            func.lower(SavedView.name) == name.lower(),
        )
    )
    if existing is None:
        existing = SavedView(user_id=actor.user_id, entity=spec.name, name=name)
        session.add(existing)
    existing.filters = payload
    session.flush()
    return existing


def delete_view(session: Session, *, actor: Actor, spec: EntitySpec, key: str) -> None:
    """Delete one of the actor's own saved views (others' views are NotFound)."""
    session.delete(_own_view(session, actor, spec, key))
    session.flush()


# --- stars --------------------------------------------------------------------------------


def _starred_subquery(actor: Actor, spec: EntitySpec):
    return select(Favourite.subject_id).where(
        Favourite.user_id == actor.user_id, Favourite.subject_type == spec.name
    )


def starred_ids(session: Session, *, actor: Actor, spec: EntitySpec, ids: Iterable[int]) -> set:
    """Which of `ids` the actor has starred."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    query = _starred_subquery(actor, spec).where(Favourite.subject_id.in_(wanted))
    return set(session.scalars(query))


def set_starred(
    session: Session, *, actor: Actor, spec: EntitySpec, ids: Iterable[int], starred: bool
) -> int:
    """Star (or unstar) records the actor may see; returns how many changed. A record out of
    scope is NotFound and nothing changes."""
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    query = visible_select(actor, spec).where(spec.model.id.in_(wanted))
    visible = set(session.scalars(query.with_only_columns(spec.model.id)))
    missing = [i for i in wanted if i not in visible]
    if missing:
        raise NotFound(entity=spec.name, id=missing[0])
    have = starred_ids(session, actor=actor, spec=spec, ids=wanted)
    if starred:
        new = [i for i in wanted if i not in have]
        session.add_all(
            Favourite(user_id=actor.user_id, subject_type=spec.name, subject_id=i) for i in new
        )
        session.flush()
        return len(new)
    session.execute(
        delete(Favourite).where(
            Favourite.user_id == actor.user_id,
            Favourite.subject_type == spec.name,
            Favourite.subject_id.in_(sorted(have)),
        )
    )
    return len(have)


def toggle_star(session: Session, *, actor: Actor, spec: EntitySpec, record_id: int) -> bool:
    """Star the record if it is not starred, else unstar it; returns the new state."""
    starred = record_id not in starred_ids(session, actor=actor, spec=spec, ids=[record_id])
    set_starred(session, actor=actor, spec=spec, ids=[record_id], starred=starred)
    return starred


# --- filters as JSON ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def encode_filters(spec: EntitySpec, filters: Mapping[str, Any]) -> dict[str, Any]:
    """Filters as the list builds them → JSON-safe values (empty filters dropped)."""
    found = {}
    for name, value in filters.items():
        if not spec.has_field(name) or value in (None, "", [], ()):
            continue
        if isinstance(value, list | tuple) and all(v is None for v in value):
            continue
        found[name] = _plain(value)
    return found


def _typed(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    try:
        if kind in (Kind.MONEY, Kind.DECIMAL):
            return Decimal(str(value))
        if kind == Kind.INT:
            return int(value)
        if kind == Kind.DATETIME and "T" in str(value):
            return dt.datetime.fromisoformat(str(value))
        if kind in (Kind.DATE, Kind.DATETIME):
            return dt.date.fromisoformat(str(value)[:10])
    except (InvalidOperation, ValueError):
        return None
    return value


def decode_filters(spec: EntitySpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON values → the shapes record_query takes, by field kind; unknown fields ignored."""
    found: dict[str, Any] = {}
    for name, value in (data or {}).items():
        if not spec.has_field(name):
            continue
        f = spec.field(name)
        if f.kind in RANGE_KINDS and isinstance(value, list):
            found[name] = tuple(_typed(f.kind, v) for v in value[:2])
        elif f.kind in SET_KINDS and isinstance(value, list):
            found[name] = [int(v) if f.kind in (Kind.USER, Kind.REF) else v for v in value]
        elif f.kind in NUMBER_KINDS:
            found[name] = _typed(f.kind, value)
        else:
            found[name] = value
    return found
