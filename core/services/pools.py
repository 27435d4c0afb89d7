"""Public pool (公海, CUS-5): claim (领取), assign (分配) and release (放入公海) customers under the
pool's limits; every move writes a PoolEvent and a change-log row on the customer.

Like WukongCRM, a customer put back into a pool loses its owner and its team members, and the
contacts its former owner held become unowned; whoever takes it next also takes those contacts.
An owned customer keeps `pool_id` = the pool it came from (NULL: the default pool): that pool's
rules recall it and it returns there. Who may do what:
- claim: `crm.pool.claim` and a member (user, department or pool admin) of the pool;
- assign: a pool admin, or a member holding `crm.pool.assign`; system admins always;
- release: `crm.customer.edit` with the owner in the actor's scope; locked customers stay."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from core.models import Contact, Customer, CustomerTeamMember, Pool, PoolEvent, User
from core.permissions import Actor, require
from core.services import changelog
from core.services.pool_limits import (
    check_cooldown,
    check_daily_claims,
    check_owned_allowed,
    default_pool_id,
    may_assign,
    may_claim,
    utc_now,
    visible_pools,
)

__all__ = ["assign", "claim", "claim_many", "release", "visible_pools", "put_back"]

REASON_MAX = 200


class AlreadyTaken(DomainError):
    """Someone else claimed or was assigned the customer first."""

    key = "pool.error.already_taken"


class NotInPool(DomainError):
    key = "pool.error.not_in_pool"


class AlreadyInPool(DomainError):
    key = "pool.error.already_in_pool"


class CustomerLocked(DomainError):
    key = "pool.error.locked"


class PoolInactive(DomainError):
    key = "pool.error.inactive"


# --- shared steps -------------------------------------------------------------------------


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.scalar(
        select(Customer).where(Customer.id == customer_id, Customer.deleted_at.is_(None))
    )
    if customer is None:
        raise NotFound(entity="customer", id=customer_id)
    return customer


def _active_pool(session: Session, pool_id: int | None) -> Pool:
    pool = session.get(Pool, pool_id) if pool_id is not None else None
    if pool is None or pool.deleted_at is not None:
        raise NotFound(entity="pool", id=pool_id)
    if not pool.is_active:
        raise PoolInactive(name=pool.name)
    return pool


def _lock_user(session: Session, user_id: int) -> None:
    """Serialise one user's claims (PostgreSQL row lock; SQLite serialises writers anyway), so
    two tabs claiming at once cannot both slip under a limit."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _take(session: Session, customer: Customer, pool_id: int, user_id: int, now) -> None:
    """Give a pool customer to `user_id` only if it is still unowned: exactly one of two
    concurrent claims updates the row, the other gets AlreadyTaken."""
    result = session.execute(
        update(Customer)
        .where(
            Customer.id == customer.id,
            Customer.owner_id.is_(None),
            Customer.pool_id == pool_id,
            Customer.deleted_at.is_(None),
        )
        .values(owner_id=user_id, owned_since=now, version=Customer.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise AlreadyTaken(name=customer.name)


@dataclass(frozen=True)
class Move:
    """One pool move as the history keeps it."""

    customer_id: int
    pool_id: int
    kind: str  # claim / assign / release / recall
    actor_id: int | None  # None: the recall job
    old: int | None  # owner before
    new: int | None  # owner after
    at: dt.datetime
    reason: str = ""


def _cascade_contacts(session: Session, move: Move) -> None:
    """Contacts follow the customer: the former owner's go unowned, unowned ones go to the new
    owner. Each moved contact gets its own history row."""
    held = Contact.owner_id.is_(None) if move.old is None else Contact.owner_id == move.old
    ids = session.scalars(
        select(Contact.id).where(
            Contact.customer_id == move.customer_id, Contact.deleted_at.is_(None), held
        )
    ).all()
    if not ids:
        return
    session.execute(
        update(Contact)
        .where(Contact.id.in_(ids))
        .values(owner_id=move.new, version=Contact.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    for contact_id in ids:
        changelog.log(
            session,
            actor_id=move.actor_id,
            entity="contact",
            record_id=contact_id,
            action=move.kind,
            field="owner_id",
            old=move.old,
            new=move.new,
        )


def record_move(session: Session, move: Move) -> None:
    """The history of one move: a PoolEvent, a change-log row on the customer, and the
    customer's contacts following it."""
    session.add(
        PoolEvent(
            customer_id=move.customer_id,
            pool_id=move.pool_id,
            kind=move.kind,
            actor_id=move.actor_id,
            from_owner_id=move.old,
            to_owner_id=move.new,
            reason=move.reason,
            happened_at=move.at,
        )
    )
    changelog.log(
        session,
        actor_id=move.actor_id,
        entity="customer",
        record_id=move.customer_id,
        action=move.kind,
        field="owner_id",
        old=move.old,
        new=move.new,
    )
    _cascade_contacts(session, move)


# --- claim / assign / release ---------------------------------------------------------------


def claim(session: Session, *, actor: Actor, customer_id: int, now=None) -> Customer:
    """领取 (CUS-5): a pool member takes a pool customer and becomes its owner.

    Refused when someone else got it first (AlreadyTaken), within the pool's cool-down for its
    former owner (ClaimTooSoon), past the pool's daily claim limit or the cap on customers owned
    (PoolLimitReached). A repeated claim by the new owner (a double click) changes nothing."""
    require(actor, "crm.pool.claim")
    now = now or utc_now()
    customer = _customer(session, customer_id)
    if customer.owner_id == actor.user_id:
        return customer
    if customer.owner_id is not None or customer.pool_id is None:
        raise AlreadyTaken(name=customer.name)
    pool = _active_pool(session, customer.pool_id)
    if not may_claim(session, actor, pool.id):
        raise NotAllowed(action="crm.pool.claim")
    check_cooldown(session, pool=pool, customer_id=customer.id, user_id=actor.user_id, now=now)
    _lock_user(session, actor.user_id)
    # Limits are checked after the conditional update: SQLite then holds the write lock, so a
    # second tab of the same user sees this claim.
    _take(session, customer, pool.id, actor.user_id, now)
    check_daily_claims(session, pool=pool, user_id=actor.user_id, adding=1, now=now)
    check_owned_allowed(session, user_id=actor.user_id, pool=pool, adding=0)
    record_move(
        session, Move(customer.id, pool.id, "claim", actor.user_id, None, actor.user_id, now)
    )
    session.flush()
    return customer


def claim_many(
    session: Session, *, actor: Actor, customer_ids: Sequence[int], now=None
) -> list[Customer]:
    """Bulk 领取: all or nothing under the same rules as `claim`; more customers than the daily
    limit still allows are refused up front with how many are left."""
    require(actor, "crm.pool.claim")
    now = now or utc_now()
    ids = list(dict.fromkeys(customer_ids))
    pools = {c.pool_id for c in (_customer(session, i) for i in ids) if c.owner_id != actor.user_id}
    for pool_id in pools:
        if pool_id is not None:
            pool = _active_pool(session, pool_id)
            n = sum(1 for i in ids if session.get(Customer, i).pool_id == pool_id)
            check_daily_claims(session, pool=pool, user_id=actor.user_id, adding=n, now=now)
    return [claim(session, actor=actor, customer_id=i, now=now) for i in ids]


def _assignee(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise ValidationFailed({"user_id": ("records.validation.unknown_ref", {})})
    return user


def assign(
    session: Session, *, actor: Actor, customer_ids: Sequence[int], user_id: int, now=None
) -> list[Customer]:
    """分配 (CUS-5): a pool admin (or a member with crm.pool.assign) gives pool customers to an
    active user. The assignee's cap on customers owned applies; the daily claim limit and the
    cool-down do not (an admin decided). All or nothing."""
    now = now or utc_now()
    _assignee(session, user_id)
    done = []
    for customer_id in dict.fromkeys(customer_ids):
        customer = _customer(session, customer_id)
        if customer.owner_id is not None or customer.pool_id is None:
            raise AlreadyTaken(name=customer.name)
        pool = _active_pool(session, customer.pool_id)
        if not may_assign(session, actor, pool.id):
            raise NotAllowed(action="crm.pool.assign")
        _lock_user(session, user_id)
        _take(session, customer, pool.id, user_id, now)
        check_owned_allowed(session, user_id=user_id, pool=pool, adding=0)
        record_move(
            session, Move(customer.id, pool.id, "assign", actor.user_id, None, user_id, now)
        )
        done.append(customer)
    session.flush()
    return done


def _clean_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed({"reason": ("records.validation.required", {})})
    if len(text) > REASON_MAX:
        raise ValidationFailed({"reason": ("records.validation.too_long", {"max": REASON_MAX})})
    return text


def _may_release(actor: Actor, customer: Customer) -> bool:
    owners = actor.owner_ids("crm.customer.edit")
    return actor.can("crm.customer.edit") and (owners is None or customer.owner_id in owners)


def put_back(session: Session, move: Move) -> bool:
    """Return an owned customer to `move.pool_id` (release or recall): no owner, no team, history.
    False when its owner changed meanwhile (nothing written)."""
    result = session.execute(
        update(Customer)
        .where(Customer.id == move.customer_id, Customer.owner_id == move.old)
        .values(owner_id=None, pool_id=move.pool_id, owned_since=None, version=Customer.version + 1)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        return False
    team = delete(CustomerTeamMember).where(CustomerTeamMember.customer_id == move.customer_id)
    session.execute(team)
    record_move(session, move)
    return True


def _target_pool(session: Session, customer: Customer, requested: int | None) -> Pool:
    """The chosen pool, else the customer's own pool while active, else the default pool."""
    if requested is not None:
        return _active_pool(session, requested)
    own = session.get(Pool, customer.pool_id) if customer.pool_id else None
    if own is not None and own.is_active and own.deleted_at is None:
        return own
    return _active_pool(session, default_pool_id(session))


def release(
    session: Session,
    *,
    actor: Actor,
    customer_ids: Sequence[int],
    reason: str,
    pool_id: int | None = None,
    now=None,
) -> list[Customer]:
    """放入公海 (CUS-5): the owner, or a manager whose edit scope covers the owner, puts customers
    back with a reason (required, ≤ 200 characters) into `pool_id` (default: each customer's own
    pool, else the default pool). Locked customers are refused; all or nothing."""
    require(actor, "crm.customer.edit")
    text = _clean_reason(reason)
    now = now or utc_now()
    done = []
    for customer_id in dict.fromkeys(customer_ids):
        customer = _customer(session, customer_id)
        if customer.owner_id is None:
            raise AlreadyInPool(name=customer.name)
        if not _may_release(actor, customer):
            raise NotFound(entity="customer", id=customer_id)
        if customer.is_locked:
            raise CustomerLocked(name=customer.name)
        target = _target_pool(session, customer, pool_id)
        move = Move(customer.id, target.id, "release", actor.user_id, customer.owner_id, None, now)
        if not put_back(session, dataclasses.replace(move, reason=text)):
            raise AlreadyInPool(name=customer.name)
        done.append(customer)
    session.flush()
    return done
