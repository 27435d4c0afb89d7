"""Bulk actions on the rows selected in a list: transfer, put into the pool, delete, star.

All or nothing: every selected row must be within the actor's scope for the action, otherwise
the whole action is refused (RowsOutOfScope) before anything changes; a failure on any row
raises, and the page's transaction rolls every row back. Each row's change is logged (CUS-12)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ColumnElement

from core.entities import EntitySpec
from core.errors import DomainError, EditConflict, ValidationFailed
from core.models import User
from core.permissions import Actor, require
from core.services import changelog, records, saved_views
from core.services.pool_limits import check_owned_allowed
from core.services.record_query import visible_select

MAX_ROWS = 1000  # a list page holds at most 500; more is a mistake, not a bulk action

# An entity's own service functions carry its rules for one row (a customer transfer that can
# move its contacts too, a contract that may only be deleted as a draft …). Bulk actions use
# `<module>.<verb>(session, *, actor, <entity>_id=…, …)` when the entity's module has one.
ENTITY_MODULES = {
    "lead": "core.services.leads",
    "customer": "core.services.customers",
    "contact": "core.services.contacts",
    "opportunity": "core.services.opportunities",
    "contract": "core.services.contracts",
    "receivable": "core.services.receivables",
    "followup": "core.services.followups",
    "product": "core.services.products",
}
RowHook = Callable[..., object]
_hooks: dict[tuple[str, str], RowHook] = {}


def register_hook(entity: str, verb: str, fn: RowHook) -> None:
    """Override the row function for (entity, verb): fn(session, *, actor, record_id, **opts)."""
    _hooks[(entity, verb)] = fn


def row_function(spec: EntitySpec, verb: str) -> RowHook | None:
    """The entity service's own function for one row, adapted to (record_id=…), or None."""
    if (spec.name, verb) in _hooks:
        return _hooks[(spec.name, verb)]
    module_name = ENTITY_MODULES.get(spec.name)
    if module_name is None:
        return None
    try:
        fn = getattr(importlib.import_module(module_name), verb, None)
    except ModuleNotFoundError:
        return None
    id_param = f"{spec.name}_id"
    if not callable(fn) or id_param not in inspect.signature(fn).parameters:
        return None
    accepted = set(inspect.signature(fn).parameters)

    def call(session: Session, *, actor: Actor, record_id: int, **options):
        options = {k: v for k, v in options.items() if k in accepted}
        return fn(session, actor=actor, **{id_param: record_id}, **options)

    return call


class NothingSelected(DomainError):
    key = "bulk.error.nothing_selected"


class TooManyRows(DomainError):
    key = "bulk.error.too_many"


class RowsOutOfScope(DomainError):
    """Some selected rows are gone or outside the actor's scope for the action."""

    key = "bulk.error.out_of_scope"


@dataclass(frozen=True)
class BulkResult:
    action: str  # transfer / pool / delete / star / unstar
    count: int  # rows changed

    @property
    def summary_key(self) -> str:
        return f"bulk.done.{self.action}"


def selected_clause(spec: EntitySpec, ids: Iterable[int]) -> ColumnElement[bool]:
    """The list clause for exactly the selected rows (export of selected rows)."""
    return spec.model.id.in_(sorted(set(ids)))


def checked_rows(session: Session, *, actor: Actor, spec: EntitySpec, ids, action: str) -> list:
    """The selected rows, each visible and within the scope of `action`; otherwise refused."""
    require(actor, action)
    wanted = sorted(set(ids))
    if not wanted:
        raise NothingSelected()
    if len(wanted) > MAX_ROWS:
        raise TooManyRows(max=MAX_ROWS)
    query = visible_select(actor, spec, actions=(action,)).where(spec.model.id.in_(wanted))
    rows = list(session.scalars(query.order_by(spec.model.id)))
    if len(rows) != len(wanted):
        raise RowsOutOfScope(count=len(wanted) - len(rows), total=len(wanted))
    return rows


def _active_user(session: Session, user_id) -> int:
    found = session.scalar(select(User.id).where(User.id == user_id, User.is_active.is_(True)))
    if found is None:
        raise ValidationFailed({"owner_id": ("records.validation.unknown_ref", {})})
    return found


def transfer(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    ids: Iterable[int],
    to_user_id: int,
    cascade: bool = False,
) -> BulkResult:
    """Give the selected records a new owner (负责人): needs `<entity>.transfer` with every row in
    its scope; the new owner must be an active user. Rows already owned by them are unchanged.
    Each transfer is one "transfer" change-log row (owner old → new). The entity's own transfer
    rule applies when it has one (customers: `cascade` moves contacts, deals and contracts; the
    new owner's cap on customers owned counts every selected customer they gain)."""
    rows = checked_rows(session, actor=actor, spec=spec, ids=ids, action=spec.action("transfer"))
    to_user_id = _active_user(session, to_user_id)
    if spec.name == "customer":  # refused up front rather than at the row that passes the cap
        gaining = sum(1 for row in rows if row.owner_id != to_user_id)
        check_owned_allowed(session, user_id=to_user_id, adding=gaining)
    hook = row_function(spec, "transfer")
    changed = 0
    for row in rows:
        if row.owner_id == to_user_id and not cascade:
            continue
        changed += row.owner_id != to_user_id
        if hook is not None:
            hook(session, actor=actor, record_id=row.id, to_user_id=to_user_id, cascade=cascade)
            continue
        changelog.log(
            session,
            actor_id=actor.user_id,
            entity=spec.name,
            record_id=row.id,
            action="transfer",
            field="owner_id",
            old=row.owner_id,
            new=to_user_id,
        )
        row.owner_id = to_user_id
    try:
        session.flush()
    except StaleDataError:  # someone saved a selected row meanwhile
        raise EditConflict(entity=spec.name) from None
    return BulkResult("transfer", changed)


def delete(session: Session, *, actor: Actor, spec: EntitySpec, ids: Iterable[int]) -> BulkResult:
    """Move the selected records to the recycle bin (CUS-12): needs `<entity>.delete` with
    every row in its scope."""
    rows = checked_rows(session, actor=actor, spec=spec, ids=ids, action=spec.action("delete"))
    hook = row_function(spec, "delete")
    for row in rows:
        if hook is not None:
            hook(session, actor=actor, record_id=row.id)
        else:
            records.soft_delete(session, actor=actor, spec=spec, record_id=row.id)
    return BulkResult("delete", len(rows))


def to_pool(
    session: Session,
    *,
    actor: Actor,
    spec: EntitySpec,
    ids: Iterable[int],
    reason: str,
    pool_id: int | None = None,
) -> BulkResult:
    """Put the selected customers into the public pool (CUS-5) through the pool service's
    release rule (reason required, locked customers refused, pool history), every row within
    the actor's edit scope."""
    from core.services import pools  # the pool service owns release's rules

    rows = checked_rows(session, actor=actor, spec=spec, ids=ids, action=spec.action("edit"))
    pools.release(
        session, actor=actor, customer_ids=[r.id for r in rows], reason=reason, pool_id=pool_id
    )
    return BulkResult("pool", len(rows))


def star(
    session: Session, *, actor: Actor, spec: EntitySpec, ids: Iterable[int], starred: bool
) -> BulkResult:
    """Star or unstar the selected records (any row out of view scope refuses all)."""
    rows = checked_rows(session, actor=actor, spec=spec, ids=ids, action=spec.view_action)
    changed = saved_views.set_starred(
        session, actor=actor, spec=spec, ids=[r.id for r in rows], starred=starred
    )
    return BulkResult("star" if starred else "unstar", changed)
