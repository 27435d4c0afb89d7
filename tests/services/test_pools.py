"""Public pool moves (CUS-5): claim, assign, release, limits, cool-down, concurrency, history."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from core import db as core_db
from core.errors import ClaimTooSoon, NotAllowed, NotFound, PoolLimitReached, ValidationFailed
from core.models import ChangeLog, Contact, Customer, CustomerTeamMember, PoolEvent, PoolMember
from core.permissions import load_actor
from core.services import pools, records
from core.services.pool_limits import check_lock_allowed, check_owned_allowed
from core.services.pool_queries import POOL_CUSTOMER, waiting_in
from core.services.pools import AlreadyInPool, AlreadyTaken, CustomerLocked
from tests.services.pool_helpers import NOW, default_pool, in_pool, other_pool, owned


def events(session, customer_id):
    query = select(PoolEvent).where(PoolEvent.customer_id == customer_id).order_by(PoolEvent.id)
    return list(session.scalars(query))


def test_member_claims_a_pool_customer_and_becomes_its_owner(session, org):
    pool = default_pool(session, org)
    (customer,) = in_pool(session, pool)
    sales1 = org.actor(session, "sales1")
    pools.claim(session, actor=sales1, customer_id=customer.id, now=NOW)
    session.commit()
    session.refresh(customer)
    assert customer.owner_id == sales1.user_id
    assert customer.owned_since == NOW
    assert customer.pool_id == pool.id  # its home pool stays, for recall
    (event,) = events(session, customer.id)
    assert (event.kind, event.actor_id, event.from_owner_id, event.to_owner_id) == (
        "claim",
        sales1.user_id,
        None,
        sales1.user_id,
    )
    log = session.scalar(select(ChangeLog).where(ChangeLog.record_id == customer.id))
    assert (log.entity, log.action, log.field, log.new_value) == (
        "customer",
        "claim",
        "owner_id",
        str(sales1.user_id),
    )


def test_claim_takes_the_customers_unowned_contacts_along(session, org):
    pool = default_pool(session, org)
    (customer,) = in_pool(session, pool)
    session.add(Contact(name="王经理", customer_id=customer.id))
    session.commit()
    sales1 = org.actor(session, "sales1")
    pools.claim(session, actor=sales1, customer_id=customer.id, now=NOW)
    session.commit()
    assert session.scalar(select(Contact.owner_id)) == sales1.user_id


def test_a_double_click_claims_once(session, org):
    pool = default_pool(session, org)
    (customer,) = in_pool(session, pool)
    sales1 = org.actor(session, "sales1")
    pools.claim(session, actor=sales1, customer_id=customer.id, now=NOW)
    pools.claim(session, actor=sales1, customer_id=customer.id, now=NOW)
    session.commit()
    assert len(events(session, customer.id)) == 1


def test_claim_fails_when_another_user_got_the_customer_first(session, org):
    pool = default_pool(session, org)
    (customer,) = in_pool(session, pool)
    pools.claim(session, actor=org.actor(session, "sales1"), customer_id=customer.id, now=NOW)
    session.commit()
    with pytest.raises(AlreadyTaken):
        pools.claim(session, actor=org.actor(session, "sales2"), customer_id=customer.id)


def test_claim_fails_for_a_user_who_is_not_a_member_of_the_pool(session, org):
    pool = default_pool(session, org)
    (customer,) = in_pool(session, pool)
    with pytest.raises(NotAllowed):
        pools.claim(session, actor=org.actor(session, "outsider"), customer_id=customer.id)


def test_department_membership_lets_everyone_of_that_department_claim(session, org):
    pool = other_pool(session)
    session.add(PoolMember(pool_id=pool.id, department_id=org.departments["south"].id))
    session.commit()
    (customer,) = in_pool(session, pool)
    outsider = org.actor(session, "outsider")
    pools.claim(session, actor=outsider, customer_id=customer.id, now=NOW)
    session.commit()
    assert session.get(Customer, customer.id).owner_id == outsider.user_id


def _concurrent_claims(db_url, org, customer_id) -> list[str]:
    """sales1 and sales2 claim the same customer at the same moment in two sessions."""
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def attempt(username):
        with core_db.session_factory(db_url)() as s:
            actor = load_actor(s, org.users[username].id)
            barrier.wait()
            try:
                pools.claim(s, actor=actor, customer_id=customer_id)
                s.commit()
                outcome.append(f"won:{username}")
            except AlreadyTaken:
                s.rollback()
                outcome.append("lost")

    threads = [threading.Thread(target=attempt, args=(u,)) for u in ("sales1", "sales2")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    return outcome


def test_two_users_claiming_the_same_customer_at_once_exactly_one_wins(session, org, db_url):
    pool = default_pool(session, org)
    (customer,) = in_pool(session, pool)
    outcome = _concurrent_claims(db_url, org, customer.id)
    assert sorted(o.split(":")[0] for o in outcome) == ["lost", "won"]
    winner = outcome[0].split(":")[1] if outcome[0] != "lost" else outcome[1].split(":")[1]
    session.expire_all()
    assert session.get(Customer, customer.id).owner_id == org.users[winner].id
    assert len(events(session, customer.id)) == 1


def test_claim_fails_when_user_is_at_the_daily_claim_limit(session, org):
    pool = default_pool(session, org, daily_claim_limit=2)
    customers = in_pool(session, pool, 3)
    sales1 = org.actor(session, "sales1")
    for c in customers[:2]:
        pools.claim(session, actor=sales1, customer_id=c.id, now=NOW)
    session.commit()
    with pytest.raises(PoolLimitReached) as failure:
        pools.claim(session, actor=sales1, customer_id=customers[2].id, now=NOW)
    session.rollback()
    assert failure.value.params == {"limit": 2, "left": 0}
    assert session.get(Customer, customers[2].id).owner_id is None


def test_daily_claim_limit_starts_again_the_next_day(session, org):
    pool = default_pool(session, org, daily_claim_limit=1)
    first, second = in_pool(session, pool, 2)
    sales1 = org.actor(session, "sales1")
    pools.claim(session, actor=sales1, customer_id=first.id, now=NOW - dt.timedelta(days=1))
    pools.claim(session, actor=sales1, customer_id=second.id, now=NOW)
    session.commit()
    assert session.get(Customer, second.id).owner_id == sales1.user_id


def test_bulk_claim_beyond_the_daily_limit_claims_nothing_and_says_how_many_are_left(session, org):
    pool = default_pool(session, org, daily_claim_limit=3)
    customers = in_pool(session, pool, 5)
    sales1 = org.actor(session, "sales1")
    pools.claim(session, actor=sales1, customer_id=customers[0].id, now=NOW)
    session.commit()
    with pytest.raises(PoolLimitReached) as failure:
        pools.claim_many(session, actor=sales1, customer_ids=[c.id for c in customers[1:]])
    session.rollback()
    assert failure.value.params["left"] == 2
    owners = session.scalars(select(Customer.owner_id).where(Customer.owner_id.is_not(None)))
    assert list(owners) == [sales1.user_id]


def test_bulk_claim_within_the_limits_claims_every_customer(session, org):
    pool = default_pool(session, org, daily_claim_limit=5)
    customers = in_pool(session, pool, 3)
    sales2 = org.actor(session, "sales2")
    pools.claim_many(session, actor=sales2, customer_ids=[c.id for c in customers], now=NOW)
    session.commit()
    owners = {session.get(Customer, c.id).owner_id for c in customers}
    assert owners == {sales2.user_id}


def test_claim_fails_when_user_is_at_the_owned_customer_limit(session, org):
    pool = default_pool(session, org, owned_customer_limit=2)
    sales1 = org.actor(session, "sales1")
    owned(session, org.users["sales1"])
    owned(session, org.users["sales1"])
    (customer,) = in_pool(session, pool)
    with pytest.raises(PoolLimitReached) as failure:
        pools.claim(session, actor=sales1, customer_id=customer.id, now=NOW)
    session.rollback()
    assert failure.value.key == "pool.error.owned_limit"
    assert session.get(Customer, customer.id).owner_id is None


def test_former_owner_cannot_reclaim_within_the_cool_down(session, org):
    default_pool(session, org, reclaim_cooldown_days=7)
    sales1 = org.actor(session, "sales1")
    customer = owned(session, org.users["sales1"], days_ago=30)
    released_at = NOW - dt.timedelta(days=6)
    pools.release(
        session, actor=sales1, customer_ids=[customer.id], reason="暂无需求", now=released_at
    )
    session.commit()
    with pytest.raises(ClaimTooSoon) as failure:
        pools.claim(session, actor=sales1, customer_id=customer.id, now=NOW)
    session.rollback()
    assert failure.value.params == {"days": 7, "left": 1}
    pools.claim(session, actor=org.actor(session, "sales2"), customer_id=customer.id, now=NOW)


def test_former_owner_may_reclaim_once_the_cool_down_is_over(session, org):
    pool = default_pool(session, org, reclaim_cooldown_days=7)
    sales1 = org.actor(session, "sales1")
    customer = owned(session, org.users["sales1"], days_ago=30)
    pools.release(
        session,
        actor=sales1,
        customer_ids=[customer.id],
        reason="暂无需求",
        now=NOW - dt.timedelta(days=7),
    )
    session.commit()
    pools.claim(session, actor=sales1, customer_id=customer.id, now=NOW)
    session.commit()
    assert pool.id == session.get(Customer, customer.id).pool_id


def test_pool_admin_assigns_a_pool_customer_to_a_user(session, org):
    pool = default_pool(session, org, daily_claim_limit=1, reclaim_cooldown_days=30)
    customers = in_pool(session, pool, 2)
    manager = org.actor(session, "manager")
    pools.assign(
        session,
        actor=manager,
        customer_ids=[c.id for c in customers],
        user_id=org.users["sales2"].id,
        now=NOW,
    )
    session.commit()
    for c in customers:
        assert session.get(Customer, c.id).owner_id == org.users["sales2"].id
        (event,) = events(session, c.id)
        assert (event.kind, event.actor_id) == ("assign", manager.user_id)


def test_only_pool_admins_and_assigners_may_assign(session, org):
    pool = default_pool(session, org)
    (customer,) = in_pool(session, pool)
    with pytest.raises(NotAllowed):
        pools.assign(
            session,
            actor=org.actor(session, "sales1"),
            customer_ids=[customer.id],
            user_id=org.users["sales1"].id,
        )


def test_assignment_respects_the_assignees_owned_customer_limit(session, org):
    pool = default_pool(session, org, owned_customer_limit=1)
    owned(session, org.users["sales2"])
    (customer,) = in_pool(session, pool)
    with pytest.raises(PoolLimitReached):
        pools.assign(
            session,
            actor=org.actor(session, "manager"),
            customer_ids=[customer.id],
            user_id=org.users["sales2"].id,
        )


def test_assigning_to_a_disabled_user_is_refused(session, org):
    pool = default_pool(session, org)
    (customer,) = in_pool(session, pool)
    org.users["sales2"].is_active = False
    session.commit()
    with pytest.raises(ValidationFailed):
        pools.assign(
            session,
            actor=org.actor(session, "manager"),
            customer_ids=[customer.id],
            user_id=org.users["sales2"].id,
        )


def test_owner_releases_a_customer_with_a_reason_and_its_team_is_cleared(session, org):
    pool = default_pool(session, org)
    customer = owned(session, org.users["sales1"], days_ago=3)
    session.add(CustomerTeamMember(customer_id=customer.id, user_id=org.users["sales2"].id))
    session.add(Contact(name="李总", customer_id=customer.id, owner_id=org.users["sales1"].id))
    session.commit()
    sales1 = org.actor(session, "sales1")
    pools.release(session, actor=sales1, customer_ids=[customer.id], reason="  客户暂无需求 ")
    session.commit()
    session.refresh(customer)
    assert (customer.owner_id, customer.pool_id, customer.owned_since) == (None, pool.id, None)
    assert session.scalar(select(func.count()).select_from(CustomerTeamMember)) == 0
    assert session.scalar(select(Contact.owner_id)) is None
    (event,) = events(session, customer.id)
    assert (event.kind, event.from_owner_id, event.reason) == (
        "release",
        sales1.user_id,
        "客户暂无需求",
    )


def test_release_needs_a_reason(session, org):
    default_pool(session, org)
    customer = owned(session, org.users["sales1"])
    with pytest.raises(ValidationFailed) as failure:
        pools.release(
            session, actor=org.actor(session, "sales1"), customer_ids=[customer.id], reason=" "
        )
    assert "reason" in failure.value.errors


def test_release_into_a_chosen_pool(session, org):
    default_pool(session, org)
    south = other_pool(session)
    customer = owned(session, org.users["sales1"])
    pools.release(
        session,
        actor=org.actor(session, "manager"),
        customer_ids=[customer.id],
        reason="转华南",
        pool_id=south.id,
    )
    session.commit()
    assert session.get(Customer, customer.id).pool_id == south.id


def test_a_colleague_outside_the_scope_cannot_release_a_customer(session, org):
    default_pool(session, org)
    customer = owned(session, org.users["sales1"])
    with pytest.raises(NotFound):
        pools.release(
            session, actor=org.actor(session, "sales2"), customer_ids=[customer.id], reason="x"
        )


def test_locked_customers_cannot_be_released(session, org):
    default_pool(session, org)
    customer = owned(session, org.users["sales1"], is_locked=True)
    with pytest.raises(CustomerLocked):
        pools.release(
            session, actor=org.actor(session, "sales1"), customer_ids=[customer.id], reason="x"
        )


def test_releasing_a_pool_customer_again_is_refused(session, org):
    pool = default_pool(session, org)
    (customer,) = in_pool(session, pool)
    with pytest.raises(AlreadyInPool):
        pools.release(
            session, actor=org.actor(session, "admin"), customer_ids=[customer.id], reason="x"
        )


def test_lock_check_refuses_one_lock_beyond_the_limit(session, org):
    default_pool(session, org, locked_customer_limit=1)
    owned(session, org.users["sales1"], is_locked=True)
    with pytest.raises(PoolLimitReached) as failure:
        check_lock_allowed(session, user_id=org.users["sales1"].id)
    assert failure.value.key == "pool.error.locked_limit"
    check_lock_allowed(session, user_id=org.users["sales2"].id)


def test_owned_check_for_transfers_uses_the_users_pools(session, org):
    default_pool(session, org, owned_customer_limit=1)
    owned(session, org.users["sales1"])
    with pytest.raises(PoolLimitReached):
        check_owned_allowed(session, user_id=org.users["sales1"].id)
    check_owned_allowed(session, user_id=org.users["sales2"].id)


def test_only_members_see_a_pools_customers(session, org):
    pool = default_pool(session, org)
    in_pool(session, pool, 2)

    def seen(username):
        actor = org.actor(session, username)
        page = records.list_visible(
            session, actor=actor, spec=POOL_CUSTOMER, where=waiting_in(pool.id)
        )
        return page.total

    assert (seen("sales1"), seen("manager"), seen("admin"), seen("outsider")) == (2, 2, 2, 0)
