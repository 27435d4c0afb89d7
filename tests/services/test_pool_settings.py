"""Pool settings (CUS-5): pools, limits, members and admins, recall rules per level."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import NotAllowed, ValidationFailed
from core.models import ChangeLog, Pool
from core.services import pool_settings as settings
from core.services.pool_settings import DefaultPoolStaysOn, PoolNotEmpty, RuleInput
from tests.services.pool_helpers import default_pool, in_pool


@pytest.fixture
def admin(session, org):
    return org.actor(session, "admin")


def test_admin_creates_a_pool_and_sets_its_limits(session, admin):
    pool = settings.create_pool(session, actor=admin, name="华南公海")
    settings.update_pool(
        session,
        actor=admin,
        pool_id=pool.id,
        values={"daily_claim_limit": 10, "owned_customer_limit": 300, "exempt_dealt": False},
    )
    session.commit()
    session.refresh(pool)
    assert (pool.daily_claim_limit, pool.owned_customer_limit, pool.exempt_dealt) == (
        10,
        300,
        False,
    )
    fields = set(session.scalars(select(ChangeLog.field).where(ChangeLog.entity == "pool")))
    assert {"daily_claim_limit", "owned_customer_limit", "exempt_dealt"} <= fields


def test_duplicate_pool_names_and_negative_limits_are_refused(session, admin):
    with pytest.raises(ValidationFailed):
        settings.create_pool(session, actor=admin, name="默认公海")
    pool = settings.create_pool(session, actor=admin, name="华南公海")
    with pytest.raises(ValidationFailed) as failure:
        settings.update_pool(
            session,
            actor=admin,
            pool_id=pool.id,
            values={"warn_days": -1, "daily_claim_limit": "x"},
        )
    assert set(failure.value.errors) == {"warn_days", "daily_claim_limit"}


def test_making_a_pool_the_default_takes_it_from_the_previous_one(session, admin):
    pool = settings.create_pool(session, actor=admin, name="华南公海")
    settings.update_pool(session, actor=admin, pool_id=pool.id, values={"is_default": True})
    session.commit()
    defaults = session.scalars(select(Pool.name).where(Pool.is_default.is_(True))).all()
    assert defaults == ["华南公海"]


def test_the_default_pool_cannot_be_switched_off(session, org, admin):
    pool = default_pool(session, org)
    with pytest.raises(DefaultPoolStaysOn):
        settings.update_pool(session, actor=admin, pool_id=pool.id, values={"is_active": False})


def test_a_pool_with_waiting_customers_cannot_be_switched_off(session, admin):
    pool = settings.create_pool(session, actor=admin, name="华南公海")
    session.commit()
    in_pool(session, pool, 2)
    with pytest.raises(PoolNotEmpty) as failure:
        settings.update_pool(session, actor=admin, pool_id=pool.id, values={"is_active": False})
    assert failure.value.params == {"count": 2}


def test_members_departments_and_admins_are_replaced_together(session, org, admin):
    pool = settings.create_pool(session, actor=admin, name="华南公海")
    users = org.users
    settings.set_members(
        session,
        actor=admin,
        pool_id=pool.id,
        user_ids=[users["sales1"].id],
        department_ids=[org.departments["south"].id],
        admin_ids=[users["manager"].id],
    )
    found = settings.members(session, pool_id=pool.id)
    assert found.user_ids == {users["sales1"].id, users["manager"].id}
    assert found.admin_ids == {users["manager"].id}
    assert found.department_ids == {org.departments["south"].id}


def test_a_pool_needs_an_admin(session, org, admin):
    pool = settings.create_pool(session, actor=admin, name="华南公海")
    with pytest.raises(ValidationFailed) as failure:
        settings.set_members(
            session,
            actor=admin,
            pool_id=pool.id,
            user_ids=[org.users["sales1"].id],
            department_ids=[],
            admin_ids=[],
        )
    assert failure.value.errors == {"admin_ids": ("pool.settings.error.no_admin", {})}


def test_recall_rules_per_level_replace_the_old_ones(session, org, admin):
    pool = default_pool(session, org)
    settings.set_rules(
        session,
        actor=admin,
        pool_id=pool.id,
        new_rules=[
            RuleInput("", 30, None),
            RuleInput("A（重点客户）", 90, 180),
            RuleInput("B（普通客户）", None, 0),  # off: not stored
        ],
    )
    session.commit()
    found = settings.rules(session, pool_id=pool.id)
    assert [(r.customer_level, r.days_without_followup, r.days_without_deal) for r in found] == [
        ("", 30, None),
        ("A（重点客户）", 90, 180),
    ]


def test_bad_recall_rules_are_refused_and_nothing_changes(session, org, admin):
    pool = default_pool(session, org)
    settings.set_rules(session, actor=admin, pool_id=pool.id, new_rules=[RuleInput("", 30, None)])
    session.commit()
    with pytest.raises(ValidationFailed) as failure:
        settings.set_rules(
            session,
            actor=admin,
            pool_id=pool.id,
            new_rules=[
                RuleInput("不存在的级别", 10, None),
                RuleInput("", 99999, None),
                RuleInput("", 5, None),
            ],
        )
    session.rollback()
    assert set(failure.value.errors) == {"rules.0.level", "rules.1.followup", "rules.2.level"}
    assert [r.days_without_followup for r in settings.rules(session, pool_id=pool.id)] == [30]


def test_only_crm_settings_admins_change_pools(session, org):
    with pytest.raises(NotAllowed):
        settings.create_pool(session, actor=org.actor(session, "manager"), name="x")
