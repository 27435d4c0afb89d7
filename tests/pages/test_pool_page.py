"""The pool page (CUS-5) in AppTest: every role renders it, members claim, pool admins assign,
limits show a translated error and change nothing, non-members see an empty state."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core import db as core_db
from core.i18n import set_locale
from core.models import Customer, Pool, PoolEvent, PoolMember, User
from tests.pages.harness import app_as, open_page, texts

PAGE = "pages/crm/pool.py"
ROLES = ["admin", "manager", "sales1", "sales2", "sales3", "outsider", "office"]


def user_id(s, username):
    return s.scalar(select(User.id).where(User.username == username))


@pytest.fixture
def pool(org_store):
    """The default pool: manager admin, sales1/sales2 members, two customers waiting."""
    with core_db.transaction() as s:
        pool = s.scalar(select(Pool).where(Pool.is_default.is_(True)))
        s.add(PoolMember(pool_id=pool.id, user_id=user_id(s, "manager"), is_admin=True))
        for name in ("sales1", "sales2"):
            s.add(PoolMember(pool_id=pool.id, user_id=user_id(s, name)))
        s.add_all(
            [
                Customer(name="星河科技", pool_id=pool.id, level="A（重点客户）"),
                Customer(name="蓝海贸易", pool_id=pool.id),
            ]
        )
        return pool.id


def customer_id(name):
    with core_db.transaction() as s:
        return s.scalar(select(Customer.id).where(Customer.name == name))


def owner_of(name):
    with core_db.transaction() as s:
        return s.scalar(select(Customer.owner_id).where(Customer.name == name))


def open_customer(username, name):
    at = app_as(username)
    at.session_state["pool_customer.selected"] = customer_id(name)
    return at.switch_page(PAGE).run()


@pytest.mark.parametrize("username", ROLES)
def test_pool_page_renders_for_every_seeded_role(pool, username):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    shown = texts(at)
    if username == "office":
        assert "您没有执行此操作的权限。" in shown
    elif username in ("sales3", "outsider"):
        assert "您还不是任何公海的成员" in shown
    else:
        assert "公海客户" in [t.value for t in at.title]
        assert "星河科技" in at.dataframe[0].value.to_string()


def test_a_member_claims_the_selected_customer(pool):
    at = open_customer("sales1", "星河科技")
    assert not at.exception, at.exception
    at.button(key="pool.claim").click()
    at = at.run()
    assert not at.exception, at.exception
    with core_db.transaction() as s:
        assert owner_of("星河科技") == user_id(s, "sales1")
    assert "已领取" in texts(at)
    assert "星河科技" not in at.dataframe[0].value.to_string()


def test_members_cannot_assign_but_the_pool_admin_can(pool):
    at = open_customer("sales1", "蓝海贸易")
    assert not any(getattr(b, "key", None) == "pool.one.assign" for b in at.button)
    at = open_customer("manager", "蓝海贸易")
    with core_db.transaction() as s:
        sales2 = user_id(s, "sales2")
    at = at.selectbox(key="pool.one.to").set_value(sales2).run()
    at.button(key="pool.one.assign").click()
    at = at.run()
    assert not at.exception, at.exception
    assert owner_of("蓝海贸易") == sales2
    assert "已分配给 sales2" in texts(at)


def tick(at, *names):
    """Tick rows of the list as a click on their checkboxes would (the list keeps the ids)."""
    at.session_state["pool_customer.checked"] = [customer_id(n) for n in names]
    return at.run()


def test_ticked_customers_are_claimed_together(pool):
    at = tick(open_page("sales2", PAGE), "星河科技", "蓝海贸易")
    at.button(key="pool.bulk.claim").click()
    at = at.run()
    assert not at.exception, at.exception
    with core_db.transaction() as s:
        sales2 = user_id(s, "sales2")
    assert owner_of("星河科技") == owner_of("蓝海贸易") == sales2
    assert "已领取 2 个客户。" in texts(at)


def test_bulk_claim_beyond_the_daily_limit_shows_an_error_and_claims_nothing(pool):
    with core_db.transaction() as s:
        s.get(Pool, pool).daily_claim_limit = 1
    at = tick(open_page("sales2", PAGE), "星河科技", "蓝海贸易")
    at.button(key="pool.bulk.claim").click()
    at = at.run()
    assert not at.exception, at.exception
    assert "每天最多领取 1 个客户，今天还能领取 1 个。" in texts(at)
    assert owner_of("星河科技") is None and owner_of("蓝海贸易") is None


def test_the_pool_admin_assigns_ticked_customers(pool):
    at = tick(open_page("manager", PAGE), "星河科技", "蓝海贸易")
    with core_db.transaction() as s:
        sales1 = user_id(s, "sales1")
    at = at.selectbox(key="pool.bulk.to").set_value(sales1).run()
    at.button(key="pool.bulk.assign").click()
    at = at.run()
    assert not at.exception, at.exception
    assert owner_of("星河科技") == owner_of("蓝海贸易") == sales1
    assert "已将 2 个客户分配给 sales1。" in texts(at)


def test_the_pool_history_tab_lists_claims(pool):
    at = open_customer("sales1", "星河科技")
    at.button(key="pool.claim").click()
    at = at.run()
    tables = [d.value.to_string() for d in at.dataframe]
    assert any("星河科技" in x and "领取" in x and "sales1" in x for x in tables)
    with core_db.transaction() as s:
        assert s.scalar(select(PoolEvent.kind)) == "claim"


def test_pool_page_in_english_shows_no_raw_keys(pool):
    # AppTest formats select-box options in this thread too: give it the page's language.
    set_locale("en")
    try:
        at = app_as("manager", locale="en")
        at.session_state["pool_customer.selected"] = customer_id("星河科技")
        at = at.switch_page(PAGE).run()
        assert not at.exception, at.exception
        shown = texts(at)
    finally:
        set_locale("zh_Hans")
    assert "Customer pool" in shown and "Claim" in shown
    assert not re.search(r"\b(pool|records)\.[a-z_]+", shown), shown
