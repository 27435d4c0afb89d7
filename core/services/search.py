"""Global search across leads, customers, contacts, opportunities and contracts by name, number,
phone, mobile and company — each entity scoped with its own view action (DESIGN.md §3).

Fast at millions of rows: by default a prefix match that indexes answer (a range on the column
plus LIKE for exactness), no ORDER BY, and a LIMIT per entity; "contains" is offered as a slower
option that scans."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.models import Contact, Contract, Customer, Lead, Opportunity, User
from core.permissions import Actor, scope_clause
from core.services.record_query import not_deleted

MAX_QUERY = 100
PER_ENTITY = 10
_TOP = "\U0010ffff"  # sorts after every character: [q, q + _TOP) holds every text starting with q


@dataclass(frozen=True)
class Target:
    """One searchable entity: its spec name, model, view action and searched columns."""

    entity: str
    model: type
    columns: tuple[str, ...]
    detail: tuple[str, ...]  # columns shown under the title

    @property
    def view_action(self) -> str:
        return f"crm.{self.entity}.view"


TARGETS: tuple[Target, ...] = (
    Target("customer", Customer, ("name", "phone"), ("phone", "city")),
    Target("contact", Contact, ("name", "mobile", "phone"), ("mobile", "title")),
    Target("lead", Lead, ("name", "company", "mobile", "phone"), ("company", "mobile")),
    Target("opportunity", Opportunity, ("name",), ("amount",)),
    Target("contract", Contract, ("number", "name"), ("number", "amount")),
)


@dataclass(frozen=True)
class Hit:
    entity: str
    id: int
    title: str
    detail: tuple[str, ...]
    owner: str


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def prefix_clause(column, text: str) -> ColumnElement[bool]:
    """Rows whose column starts with `text`: the range lets an index seek (SQLite and PostgreSQL
    with any collation), LIKE keeps the match exact. ASCII letters are tried in common cases."""
    variants = sorted({text, text.lower(), text.upper(), text.capitalize()})
    return or_(
        *(
            and_(column >= v, column < v + _TOP, column.like(_escape(v) + "%", escape="\\"))
            for v in variants
        )
    )


def _match(target: Target, text: str, contains: bool) -> ColumnElement[bool]:
    model = target.model
    columns = [getattr(model, c) for c in target.columns]
    if contains:
        return or_(*(c.icontains(text, autoescape=True) for c in columns))
    return or_(*(prefix_clause(c, text) for c in columns))


def search_entity(
    session: Session,
    *,
    actor: Actor,
    target: Target,
    text: str,
    limit: int = PER_ENTITY,
    contains: bool = False,
) -> list[Hit]:
    """Up to `limit` live records of one entity the actor may view that match `text`."""
    if not actor.can(target.view_action):
        return []
    model = target.model
    columns = [model.id, model.name, *(getattr(model, c) for c in target.detail)]
    rows = session.execute(
        select(*columns, User.display_name)
        .outerjoin(User, User.id == model.owner_id)
        .where(
            scope_clause(actor, model, target.view_action),
            not_deleted(model),
            _match(target, text, contains),
        )
        .limit(limit)
    ).all()
    hits = [
        Hit(
            entity=target.entity,
            id=row[0],
            title=str(row[1] or ""),
            detail=tuple("" if v is None else str(v) for v in row[2:-1]),
            owner=row[-1] or "",
        )
        for row in rows
    ]
    return sorted(hits, key=lambda h: (len(h.title), h.title, h.id))


def search(
    session: Session,
    *,
    actor: Actor,
    text: str,
    limit: int = PER_ENTITY,
    contains: bool = False,
) -> dict[str, list[Hit]]:
    """Hits grouped by entity, in TARGETS order; entities the actor may not view are absent,
    entities without hits map to an empty list. Blank text finds nothing."""
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return {}
    return {
        target.entity: search_entity(
            session, actor=actor, target=target, text=text, limit=limit, contains=contains
        )
        for target in TARGETS
        if actor.can(target.view_action)
    }
