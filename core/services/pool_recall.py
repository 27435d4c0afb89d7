"""Automatic return to the pool (CUS-5). Per pool and customer level (a PoolRule; level "" covers
the levels without their own rule) an owned customer goes back to its pool after N days without
a follow-up, counted from the later of taking it over and its last follow-up, or after M days
without a deal, counted from taking it over. Locked customers never return; dealt ones only when
the pool does not exempt them. Owners are warned the pool's `warn_days` ahead.

A customer's pool is `Customer.pool_id`; NULL or a switched-off pool means the default pool.
Pools with recall switched off recall nothing."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from core.models import Customer, Pool, PoolRule
from core.permissions import Actor, scope_clause
from core.services.pool_limits import utc_now
from core.services.pools import Move, put_back

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class RecallRule:
    pool_id: int
    home_of: tuple[int | None, ...]  # customers.pool_id values this pool's rules cover
    level: str  # "" = every level without a rule of its own in this pool
    other_levels: tuple[str, ...]  # levels with their own rule (the "" rule skips them)
    followup_days: int | None
    deal_days: int | None
    exempt_dealt: bool
    warn_days: int


@dataclass(frozen=True)
class Returning:
    """An owned customer that will return to the pool (or is overdue for the next recall run)."""

    customer_id: int
    name: str
    owner_id: int
    level: str
    due_at: dt.datetime
    reason: str  # "no_followup:<days>" / "no_deal:<days>" (see reason_parts)
    days_left: int  # whole days until due_at, rounded up; ≤ 0: overdue


def reason_parts(reason: str) -> tuple[str, int] | None:
    """("no_followup" | "no_deal", days) for a recall reason written here, else None."""
    kind, _, days = reason.partition(":")
    if kind in ("no_followup", "no_deal") and days.isdigit():
        return kind, int(days)
    return None


def load_rules(session: Session) -> list[RecallRule]:
    """The rules of every active pool with recall on; rules with no days set are skipped."""
    pools = session.scalars(select(Pool).where(Pool.deleted_at.is_(None))).all()
    # Customers whose pool was switched off fall under the default pool, like NULL.
    orphans = (None, *(p.id for p in pools if not p.is_active))
    found = []
    for pool in pools:
        if not (pool.is_active and pool.recall_enabled):
            continue
        rules = session.scalars(select(PoolRule).where(PoolRule.pool_id == pool.id)).all()
        levels = tuple(sorted({r.customer_level for r in rules if r.customer_level}))
        for r in rules:
            if not (r.days_without_followup or r.days_without_deal):
                continue
            found.append(
                RecallRule(
                    pool_id=pool.id,
                    home_of=(pool.id, *orphans) if pool.is_default else (pool.id,),
                    level=r.customer_level,
                    other_levels=levels,
                    followup_days=r.days_without_followup or None,
                    deal_days=r.days_without_deal or None,
                    exempt_dealt=pool.exempt_dealt,
                    warn_days=pool.warn_days,
                )
            )
    return found


def _taken_over():
    return func.coalesce(Customer.owned_since, Customer.created_at)


def _covered(rule: RecallRule) -> list:
    """Owned, live, unlocked customers of the rule's pool and level (dealt ones if not exempt)."""
    ids = [i for i in rule.home_of if i is not None]
    home = Customer.pool_id.in_(ids)
    if None in rule.home_of:
        home = or_(home, Customer.pool_id.is_(None))
    if rule.level:
        level = Customer.level == rule.level
    else:
        level = Customer.level.not_in(rule.other_levels) if rule.other_levels else true()
    return [
        home,
        level,
        Customer.owner_id.is_not(None),
        Customer.deleted_at.is_(None),
        Customer.is_locked.is_(False),
        Customer.is_dealt.is_(False) if rule.exempt_dealt else true(),
    ]


def _due_by(rule: RecallRule, at: dt.datetime):
    """Customers whose return date under the rule is at or before `at`."""
    parts = []
    if rule.followup_days:
        cutoff = at - rule.followup_days * DAY
        quiet = or_(Customer.last_followup_at.is_(None), Customer.last_followup_at <= cutoff)
        parts.append(and_(_taken_over() <= cutoff, quiet))
    if rule.deal_days:
        cutoff = at - rule.deal_days * DAY
        parts.append(and_(Customer.is_dealt.is_(False), _taken_over() <= cutoff))
    return or_(*parts) if parts else false()


def _deadline(rule: RecallRule, row) -> tuple[dt.datetime, str]:
    """The earliest return date under the rule, and why."""
    taken = row.owned_since or row.created_at
    options = []
    if rule.followup_days:
        last = max(taken, row.last_followup_at or taken)
        options.append((last + rule.followup_days * DAY, f"no_followup:{rule.followup_days}"))
    if rule.deal_days and not row.is_dealt:
        options.append((taken + rule.deal_days * DAY, f"no_deal:{rule.deal_days}"))
    return min(options)


_COLUMNS = (
    Customer.id,
    Customer.name,
    Customer.owner_id,
    Customer.level,
    Customer.owned_since,
    Customer.created_at,
    Customer.last_followup_at,
    Customer.is_dealt,
)


def recall(session: Session, *, now: dt.datetime | None = None, batch: int = 500) -> dict:
    """Return every due customer to its pool (PoolEvent "recall" with the reason, history, team
    cleared, contacts released). Running it again changes nothing: recalled customers have no
    owner. Returns {"recalled": n}."""
    now = now or utc_now()
    recalled = 0
    for rule in load_rules(session):
        after = 0
        while True:
            rows = session.execute(
                select(*_COLUMNS)
                .where(*_covered(rule), _due_by(rule, now), Customer.id > after)
                .order_by(Customer.id)
                .limit(batch)
                .with_for_update()
            ).all()
            if not rows:
                break
            after = rows[-1].id
            for row in rows:
                _due, reason = _deadline(rule, row)
                move = Move(row.id, rule.pool_id, "recall", None, row.owner_id, None, now, reason)
                recalled += put_back(session, move)
    session.flush()
    return {"recalled": recalled}


def customers_about_to_return(
    session: Session,
    *,
    actor: Actor,
    within_days: int | None = None,
    owner_id: int | None = None,
    now: dt.datetime | None = None,
    limit: int = 500,
) -> list[Returning]:
    """Customers the actor may see (crm.customer.view scope) that return to the pool within
    `within_days` (default: each pool's warn_days), overdue ones included; soonest first.
    `owner_id` narrows to one owner (e.g. "mine" on the dashboard to-do card)."""
    now = now or utc_now()
    found: dict[int, Returning] = {}
    visible = scope_clause(actor, Customer, "crm.customer.view")
    mine = Customer.owner_id == owner_id if owner_id is not None else true()
    for rule in load_rules(session):
        horizon = now + (rule.warn_days if within_days is None else within_days) * DAY
        rows = session.execute(
            select(*_COLUMNS)
            .where(*_covered(rule), _due_by(rule, horizon), visible, mine)
            .order_by(Customer.id)
            .limit(limit)
        ).all()
        for row in rows:
            due_at, reason = _deadline(rule, row)
            left = math.ceil((due_at - now).total_seconds() / DAY.total_seconds())
            found[row.id] = Returning(
                row.id, row.name, row.owner_id, row.level, due_at, reason, left
            )
    return sorted(found.values(), key=lambda r: (r.due_at, r.customer_id))[:limit]
