"""What the pool page reads (CUS-5): the pool customer list spec, a pool's figures for the actor
(waiting customers, today's claims, owned cap) and the pool history (PoolEvent rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from core.entities import FieldSpec, Kind, define
from core.errors import NotAllowed, NotFound
from core.models import Customer, Pool, PoolEvent, User
from core.permissions import Actor, require, scope_clause
from core.services.pool_limits import (
    claims_today,
    may_assign,
    may_claim,
    member_pool_ids,
    owned_count,
)

# Pool customers through the generic list: the view action is crm.pool.view, whose scope lets
# pool members see their pools' unowned customers (permissions._customer_in_my_pool).
POOL_CUSTOMER = define(
    "pool_customer",
    Customer,
    i18n="pool.customer",
    actions="crm.pool",
    owned=False,
    default_sort="-updated_at",
    search_fields=("name", "phone"),
    search_hint="pool.customer.search_hint",
    fields=[
        FieldSpec("name", readonly=True),
        FieldSpec("level", Kind.OPTION, options="customer_level", filterable=True),
        FieldSpec("industry", Kind.OPTION, options="industry", filterable=True),
        FieldSpec("source", Kind.OPTION, options="source", filterable=True),
        FieldSpec("province", filterable=True),
        FieldSpec("city", in_list=False),
        FieldSpec("phone", Kind.PHONE),
        FieldSpec("is_dealt", Kind.BOOL, filterable=True),
        FieldSpec("last_followup_at", Kind.DATETIME, filterable=True),
        FieldSpec("address", in_list=False),
        FieldSpec("created_at", Kind.DATETIME, in_list=False),
        FieldSpec("updated_at", Kind.DATETIME, label="pool.customer.entered_at"),
    ],
)


def waiting_in(pool_id: int) -> list:
    """List clauses: the customers waiting in the pool (no owner)."""
    return [Customer.owner_id.is_(None), Customer.pool_id == pool_id]


def _may_see_pool(session: Session, actor: Actor, pool_id: int) -> bool:
    if actor.is_admin:
        return True
    mine = member_pool_ids(session, user_id=actor.user_id, department_id=actor.department_id)
    return pool_id in mine


@dataclass(frozen=True)
class Overview:
    pool_id: int
    waiting: int
    claimed_today: int
    daily_limit: int  # 0 = no limit
    owned: int
    owned_limit: int  # 0 = no limit
    cooldown_days: int
    may_claim: bool
    may_assign: bool


def overview(session: Session, *, actor: Actor, pool_id: int, now=None) -> Overview:
    """The pool's figures for the actor's toolbar."""
    require(actor, "crm.pool.view")
    pool = session.get(Pool, pool_id)
    if pool is None or not _may_see_pool(session, actor, pool_id):
        raise NotFound(entity="pool", id=pool_id)
    waiting = session.scalar(
        select(func.count()).where(*waiting_in(pool_id), Customer.deleted_at.is_(None))
    )
    return Overview(
        pool_id=pool_id,
        waiting=waiting or 0,
        claimed_today=claims_today(session, user_id=actor.user_id, pool_id=pool_id, now=now),
        daily_limit=pool.daily_claim_limit,
        owned=owned_count(session, user_id=actor.user_id),
        owned_limit=pool.owned_customer_limit,
        cooldown_days=pool.reclaim_cooldown_days,
        may_claim=may_claim(session, actor, pool_id),
        may_assign=may_assign(session, actor, pool_id),
    )


@dataclass(frozen=True)
class HistoryRow:
    happened_at: dt.datetime
    customer_id: int
    customer_name: str
    kind: str  # claim / assign / release / recall
    actor_name: str  # "" = the recall job
    from_name: str
    to_name: str
    reason: str


def _history_query():
    actor, before, after = aliased(User), aliased(User), aliased(User)
    return (
        select(
            PoolEvent.happened_at,
            PoolEvent.customer_id,
            Customer.name,
            PoolEvent.kind,
            actor.display_name,
            before.display_name,
            after.display_name,
            PoolEvent.reason,
        )
        .join(Customer, Customer.id == PoolEvent.customer_id)
        .outerjoin(actor, actor.id == PoolEvent.actor_id)
        .outerjoin(before, before.id == PoolEvent.from_owner_id)
        .outerjoin(after, after.id == PoolEvent.to_owner_id)
        .order_by(PoolEvent.happened_at.desc(), PoolEvent.id.desc())
    )


def _rows(session: Session, query) -> list[HistoryRow]:
    return [
        HistoryRow(at, cid, name, kind, who or "", old or "", new or "", reason or "")
        for at, cid, name, kind, who, old, new, reason in session.execute(query)
    ]


def pool_history(
    session: Session,
    *,
    actor: Actor,
    pool_id: int,
    kinds: tuple[str, ...] = (),
    limit: int = 200,
) -> list[HistoryRow]:
    """The pool's moves, newest first (members, pool admins and system admins)."""
    require(actor, "crm.pool.view")
    if not _may_see_pool(session, actor, pool_id):
        raise NotAllowed(action="crm.pool.view")
    query = _history_query().where(PoolEvent.pool_id == pool_id)
    if kinds:
        query = query.where(PoolEvent.kind.in_(kinds))
    return _rows(session, query.limit(limit))


def customer_history(session: Session, *, actor: Actor, customer_id: int) -> list[HistoryRow]:
    """One customer's pool moves, for whoever may see the customer (as a record or in a pool)."""
    visible = select(Customer.id).where(
        Customer.id == customer_id,
        scope_clause(actor, Customer, "crm.customer.view")
        | scope_clause(actor, Customer, "crm.pool.view"),
    )
    if session.scalar(visible) is None:
        raise NotFound(entity="customer", id=customer_id)
    return _rows(session, _history_query().where(PoolEvent.customer_id == customer_id))
