"""The recycle bin page (CUS-12) in AppTest: every role renders (only admins and managers have
it), ticked records are restored, and purged after a confirmation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import db as core_db
from core.models import ChangeLog, Product
from tests.pages.harness import open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/recycle_bin.py"


@pytest.fixture
def binned(org_store):
    with core_db.transaction() as s:
        product = Product(name="旧扫描仪", code="OLD-9", price=Decimal("9"),
                          deleted_at=dt.datetime(2026, 11, 1, 8))  # fmt: skip
        s.add(product)
        s.flush()
        s.add(ChangeLog(entity="product", record_id=product.id, action="delete",
                        actor_id=org_store.users["admin"].id))  # fmt: skip
        return product.id


def open_products_bin(username: str):
    at = open_page(username, PAGE)
    at.selectbox(key="recycle.entity").select("product").run()
    return at


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "sales2", "office"])
def test_recycle_bin_renders_for_every_seeded_role(binned, username):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    allowed = username in ("admin", "manager")
    assert ("回收站" in [t.value for t in at.title]) == allowed


def test_the_bin_shows_who_deleted_a_record_and_restores_it(binned):
    at = open_products_bin("admin")
    table = at.dataframe[0].value.to_string()
    assert "旧扫描仪" in table and "admin" in table
    at.session_state["recycle.checked"] = [binned]  # as ticking the row does
    at.run()
    at.button(key="recycle.restore").click()
    at = at.run()
    assert not at.exception, at.exception
    assert "已恢复 1 条记录。" in texts(at)
    with core_db.transaction() as s:
        assert s.get(Product, binned).deleted_at is None


def test_purge_asks_first_then_deletes_for_good(binned):
    at = open_products_bin("admin")
    at.session_state["recycle.checked"] = [binned]
    at.run()
    at.button(key="recycle.purge").click()
    at = at.run()
    assert "确定彻底删除选中的 1 条记录吗？此操作无法撤销。" in texts(at)
    with core_db.transaction() as s:
        assert s.get(Product, binned) is not None
    at.button(key="recycle.confirm").click()
    at = at.run()
    assert not at.exception, at.exception
    assert "已彻底删除 1 条记录。" in texts(at)
    with core_db.transaction() as s:
        assert s.scalars(select(Product)).all() == []
