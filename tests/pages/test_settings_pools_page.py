"""Pool rules settings (CUS-5) in AppTest: only CRM settings admins open it; limits, members and
recall rules save; bad input shows a translated error and saves nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import db as core_db
from core.models import Pool, PoolMember, PoolRule, User
from tests.pages.harness import open_page, texts

PAGE = "pages/settings/pools.py"
ROLES = ["admin", "manager", "sales1", "sales2", "sales3", "outsider", "office"]
pytestmark = pytest.mark.usefixtures("org_store")


def default_pool():
    with core_db.transaction() as s:
        return s.scalar(select(Pool).where(Pool.is_default.is_(True)))


@pytest.mark.parametrize("username", ROLES)
def test_pool_rules_page_opens_only_for_crm_settings_admins(username):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "admin":
        assert "公海规则" in [t.value for t in at.title]
        assert "默认公海（默认）" in str(at.radio(key="pool_admin.pool_id").options)
    else:
        assert "您没有执行此操作的权限。" in texts(at)


def test_admin_changes_a_pools_limits():
    pool = default_pool()
    at = open_page("admin", PAGE)
    at.number_input(key=f"pool_admin.{pool.id}.daily_claim_limit").set_value(15)
    at.toggle(key=f"pool_admin.{pool.id}.exempt_dealt").set_value(False)
    at.button(key="FormSubmitter:pool_admin.1.basic-保存").click()
    at = at.run()
    assert not at.exception, at.exception
    saved = default_pool()
    assert (saved.daily_claim_limit, saved.exempt_dealt) == (15, False)


def test_admin_creates_a_pool():
    at = open_page("admin", PAGE)
    at.text_input(key="pool_admin.name").set_value("华南公海")
    at.button(key="FormSubmitter:pool_admin.new-新建公海").click()
    at = at.run()
    assert not at.exception, at.exception
    with core_db.transaction() as s:
        assert s.scalar(select(Pool.id).where(Pool.name == "华南公海")) is not None
    assert at.radio(key="pool_admin.pool_id").value != default_pool().id


def test_members_without_an_admin_are_refused_with_a_message():
    pool = default_pool()
    with core_db.transaction() as s:
        sales1 = s.scalar(select(User.id).where(User.username == "sales1"))
    at = open_page("admin", PAGE)
    at.multiselect(key=f"pool_admin.{pool.id}.users").set_value([sales1])
    at.button(key=f"FormSubmitter:pool_admin.{pool.id}.members-保存成员").click()
    at = at.run()
    assert "请至少指定一名公海管理员。" in texts(at)
    with core_db.transaction() as s:
        assert s.scalar(select(PoolMember.id)) is None


def test_admin_saves_recall_days_per_level():
    pool = default_pool()
    at = open_page("admin", PAGE)
    key = f"pool_admin.{pool.id}.rules"
    at.number_input(key=f"{key}.0.followup").set_value(30)
    at.number_input(key=f"{key}.1.followup").set_value(90)
    at.number_input(key=f"{key}.1.deal").set_value(180)
    at.button(key=f"FormSubmitter:{key}-保存回收规则").click()
    at = at.run()
    assert not at.exception, at.exception
    with core_db.transaction() as s:
        rules = s.execute(
            select(
                PoolRule.customer_level, PoolRule.days_without_followup, PoolRule.days_without_deal
            ).order_by(PoolRule.id)
        ).all()
    assert [tuple(r) for r in rules] == [("", 30, None), ("A（重点客户）", 90, 180)]
