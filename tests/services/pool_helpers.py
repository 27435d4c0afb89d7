"""Hand-built pool data for the pool, recall and job tests: the default pool with manager as
pool admin and sales1/sales2/sales3 as members (outsider is not a member)."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from core.models import Customer, Pool, PoolMember
from core.services.pool_limits import utc_now

_names = itertools.count(1)
NOW = utc_now().replace(microsecond=0)


def default_pool(session, org, **settings) -> Pool:
    pool = session.scalar(select(Pool).where(Pool.is_default.is_(True)))
    for name, value in settings.items():
        setattr(pool, name, value)
    if not session.scalar(select(PoolMember.id).where(PoolMember.pool_id == pool.id).limit(1)):
        session.add(PoolMember(pool_id=pool.id, user_id=org.users["manager"].id, is_admin=True))
        for name in ("sales1", "sales2", "sales3"):
            session.add(PoolMember(pool_id=pool.id, user_id=org.users[name].id))
    session.commit()
    return pool


def other_pool(session, name="华南公海", **settings) -> Pool:
    pool = Pool(name=name, **settings)
    session.add(pool)
    session.commit()
    return pool


def in_pool(session, pool, n: int = 1, **fields) -> list[Customer]:
    """`n` customers waiting in `pool`."""
    made = []
    for _ in range(n):
        made.append(Customer(name=f"公海客户{next(_names)}", pool_id=pool.id, **fields))
    session.add_all(made)
    session.commit()
    return made


def owned(session, owner, *, days_ago: float = 0, followup_days_ago=None, **fields) -> Customer:
    """A customer taken over by `owner` `days_ago` days before NOW."""
    since = NOW - dt.timedelta(days=days_ago)
    last = NOW - dt.timedelta(days=followup_days_ago) if followup_days_ago is not None else None
    customer = Customer(
        name=f"客户{next(_names)}",
        owner_id=owner.id,
        owned_since=since,
        last_followup_at=last,
        **fields,
    )
    session.add(customer)
    session.commit()
    return customer
