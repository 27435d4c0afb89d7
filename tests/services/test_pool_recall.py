"""Automatic return to the pool (CUS-5): rule edges, exemptions, per-level days, idempotence and
the owners' warning list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.models import ChangeLog, Customer, PoolEvent, PoolRule
from core.services.pool_recall import customers_about_to_return, reason_parts, recall
from tests.services.pool_helpers import NOW, default_pool, other_pool, owned

MINUTE = dt.timedelta(minutes=1)


def rule(session, pool, level="", followup=None, deal=None):
    session.add(
        PoolRule(
            pool_id=pool.id,
            customer_level=level,
            days_without_followup=followup,
            days_without_deal=deal,
        )
    )
    session.commit()


def owner_of(session, customer):
    session.expire_all()
    return session.get(Customer, customer.id).owner_id


def test_customer_without_follow_up_for_exactly_n_days_returns_but_not_at_n_minus_one(session, org):
    pool = default_pool(session, org)
    rule(session, pool, followup=30)
    due = owned(session, org.users["sales1"], days_ago=30)
    not_yet = owned(session, org.users["sales1"], days_ago=29)
    assert recall(session, now=NOW) == {"recalled": 1}
    session.commit()
    assert owner_of(session, due) is None
    assert owner_of(session, not_yet) == org.users["sales1"].id


def test_recall_writes_the_pool_history_with_the_reason(session, org):
    pool = default_pool(session, org)
    rule(session, pool, followup=30)
    customer = owned(session, org.users["sales1"], days_ago=40)
    recall(session, now=NOW)
    session.commit()
    event = session.scalar(select(PoolEvent).where(PoolEvent.customer_id == customer.id))
    assert (event.kind, event.actor_id, event.from_owner_id, event.pool_id) == (
        "recall",
        None,
        org.users["sales1"].id,
        pool.id,
    )
    assert reason_parts(event.reason) == ("no_followup", 30)
    log = session.scalar(select(ChangeLog).where(ChangeLog.record_id == customer.id))
    assert (log.action, log.old_value, log.new_value) == (
        "recall",
        str(org.users["sales1"].id),
        None,
    )


def test_a_recent_follow_up_resets_the_clock(session, org):
    pool = default_pool(session, org)
    rule(session, pool, followup=30)
    customer = owned(session, org.users["sales1"], days_ago=90, followup_days_ago=29)
    assert recall(session, now=NOW) == {"recalled": 0}
    later = NOW + dt.timedelta(days=1)
    assert recall(session, now=later) == {"recalled": 1}
    session.commit()
    assert owner_of(session, customer) is None


def test_a_follow_up_by_the_previous_owner_does_not_hold_a_fresh_takeover(session, org):
    pool = default_pool(session, org)
    rule(session, pool, followup=30)
    customer = owned(session, org.users["sales1"], days_ago=5, followup_days_ago=60)
    assert recall(session, now=NOW) == {"recalled": 0}
    session.commit()
    assert owner_of(session, customer) == org.users["sales1"].id


def test_locked_customers_never_return(session, org):
    pool = default_pool(session, org)
    rule(session, pool, followup=10, deal=10)
    customer = owned(session, org.users["sales1"], days_ago=400, is_locked=True)
    assert recall(session, now=NOW) == {"recalled": 0}
    assert owner_of(session, customer) == org.users["sales1"].id


def test_dealt_customers_are_exempt_when_the_pool_says_so(session, org):
    pool = default_pool(session, org, exempt_dealt=True)
    rule(session, pool, followup=30)
    customer = owned(session, org.users["sales1"], days_ago=100, is_dealt=True)
    assert recall(session, now=NOW) == {"recalled": 0}
    assert owner_of(session, customer) == org.users["sales1"].id


def test_dealt_customers_return_without_follow_up_when_not_exempt(session, org):
    pool = default_pool(session, org, exempt_dealt=False)
    rule(session, pool, followup=30, deal=10)
    customer = owned(
        session, org.users["sales1"], days_ago=100, followup_days_ago=20, is_dealt=True
    )
    assert recall(session, now=NOW) == {"recalled": 0}  # followed up; the deal rule is met
    assert recall(session, now=NOW + dt.timedelta(days=10)) == {"recalled": 1}
    session.commit()
    assert owner_of(session, customer) is None


def test_customers_without_a_deal_return_after_the_deal_days(session, org):
    pool = default_pool(session, org)
    rule(session, pool, deal=60)
    due = owned(session, org.users["sales2"], days_ago=60, followup_days_ago=1)
    kept = owned(session, org.users["sales2"], days_ago=59, followup_days_ago=1)
    recall(session, now=NOW)
    session.commit()
    assert (owner_of(session, due), owner_of(session, kept)) == (None, org.users["sales2"].id)
    event = session.scalar(select(PoolEvent).where(PoolEvent.customer_id == due.id))
    assert reason_parts(event.reason) == ("no_deal", 60)


def test_each_customer_level_has_its_own_days_and_the_blank_rule_covers_the_rest(session, org):
    pool = default_pool(session, org)
    rule(session, pool, level="A（重点客户）", followup=90)
    rule(session, pool, followup=30)
    important = owned(session, org.users["sales1"], days_ago=60, level="A（重点客户）")
    ordinary = owned(session, org.users["sales1"], days_ago=60, level="B（普通客户）")
    unlevelled = owned(session, org.users["sales1"], days_ago=60)
    assert recall(session, now=NOW) == {"recalled": 2}
    session.commit()
    assert owner_of(session, important) == org.users["sales1"].id
    assert owner_of(session, ordinary) is None
    assert owner_of(session, unlevelled) is None


def test_running_the_recall_twice_changes_nothing_the_second_time(session, org):
    pool = default_pool(session, org)
    rule(session, pool, followup=30)
    owned(session, org.users["sales1"], days_ago=31)
    owned(session, org.users["sales2"], days_ago=45)
    assert recall(session, now=NOW) == {"recalled": 2}
    session.commit()
    assert recall(session, now=NOW) == {"recalled": 0}
    session.commit()
    assert len(session.scalars(select(PoolEvent)).all()) == 2


def test_a_customer_returns_to_its_own_pool_and_only_under_its_rules(session, org):
    default = default_pool(session, org)
    south = other_pool(session)
    rule(session, default, followup=100)
    rule(session, south, followup=10)
    from_south = owned(session, org.users["outsider"], days_ago=20, pool_id=south.id)
    from_default = owned(session, org.users["sales1"], days_ago=20)
    recall(session, now=NOW)
    session.commit()
    assert owner_of(session, from_south) is None
    assert session.get(Customer, from_south.id).pool_id == south.id
    assert owner_of(session, from_default) == org.users["sales1"].id


def test_pools_with_recall_switched_off_recall_nothing(session, org):
    pool = default_pool(session, org, recall_enabled=False)
    rule(session, pool, followup=1)
    owned(session, org.users["sales1"], days_ago=50)
    assert recall(session, now=NOW) == {"recalled": 0}


def test_owners_are_warned_within_the_pools_warning_days(session, org):
    pool = default_pool(session, org, warn_days=3)
    rule(session, pool, followup=30)
    soon = owned(session, org.users["sales1"], days_ago=28)  # due in 2 days
    later = owned(session, org.users["sales1"], days_ago=20)  # due in 10 days
    overdue = owned(session, org.users["sales1"], days_ago=31)
    others = owned(session, org.users["sales2"], days_ago=29)
    sales1 = org.actor(session, "sales1")
    found = customers_about_to_return(session, actor=sales1, now=NOW)
    assert [r.customer_id for r in found] == [overdue.id, soon.id]
    assert [r.days_left for r in found] == [-1, 2]
    assert later.id not in [r.customer_id for r in found]
    manager = org.actor(session, "manager")
    seen = {r.customer_id for r in customers_about_to_return(session, actor=manager, now=NOW)}
    assert seen == {overdue.id, soon.id, others.id}
    wide = customers_about_to_return(session, actor=sales1, within_days=10, now=NOW)
    assert later.id in [r.customer_id for r in wide]


def test_warning_list_leaves_out_locked_and_exempt_dealt_customers(session, org):
    pool = default_pool(session, org, warn_days=5, exempt_dealt=True)
    rule(session, pool, followup=30)
    owned(session, org.users["sales1"], days_ago=29, is_locked=True)
    owned(session, org.users["sales1"], days_ago=29, is_dealt=True)
    sales1 = org.actor(session, "sales1")
    assert customers_about_to_return(session, actor=sales1, now=NOW) == []


def test_customers_of_a_switched_off_pool_fall_under_the_default_pools_rules(session, org):
    default = default_pool(session, org)
    closed = other_pool(session, is_active=False)
    rule(session, default, followup=30)
    customer = owned(session, org.users["sales1"], days_ago=31, pool_id=closed.id)
    assert recall(session, now=NOW) == {"recalled": 1}
    session.commit()
    assert session.get(Customer, customer.id).pool_id == default.id
