"""Bulk actions on ticked rows in AppTest: star, delete after confirmation with a summary, the
actions each role may use, and a transfer that refuses rows out of scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core import db as core_db
from core.models import Customer, Favourite, Product
from tests.pages.harness import ROOT, open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/products.py"


@pytest.fixture
def catalogue(org_store):
    with core_db.transaction() as s:
        for i, name in enumerate(["激光打印机", "喷墨打印机", "扫描仪"]):
            s.add(Product(name=name, code=f"P-{i}", price=Decimal("100")))
    with core_db.transaction() as s:
        return dict(s.execute(select(Product.name, Product.id)).all())


def tick(at, spec: str, ids):
    at.session_state[f"{spec}.checked"] = list(ids)  # as ticking rows in the table does
    return at.run()


def present(at, key: str) -> bool:
    return any(getattr(e, "key", None) == key for e in at.button)


def test_ticked_rows_are_starred_with_a_summary(catalogue):
    at = tick(open_page("sales1", PAGE), "product", [catalogue["扫描仪"], catalogue["激光打印机"]])
    assert "已选 2 条" in texts(at)
    at.button(key="product.bulk.star").click()
    at = at.run()
    assert not at.exception, at.exception
    assert "已为 2 条记录加星标。" in texts(at)
    with core_db.transaction() as s:
        assert len(s.scalars(select(Favourite)).all()) == 2
    assert at.session_state["product.checked"] == []


def test_a_rep_may_not_delete_but_an_admin_deletes_after_confirming(catalogue):
    ids = [catalogue["激光打印机"], catalogue["喷墨打印机"]]
    rep = tick(open_page("sales1", PAGE), "product", ids)
    assert not present(rep, "product.bulk.delete")
    at = tick(open_page("admin", PAGE), "product", ids)
    assert "确定删除选中的 2 条记录吗？删除后管理员可在回收站中恢复。" in texts(at)
    at.button(key="product.bulk.delete").click()
    at = at.run()
    assert not at.exception, at.exception
    assert "已删除 2 条记录，管理员可在回收站中恢复。" in texts(at)
    with core_db.transaction() as s:
        live = s.scalars(select(Product.name).where(Product.deleted_at.is_(None))).all()
    assert live == ["扫描仪"]


def test_nothing_ticked_shows_no_bulk_bar(catalogue):
    at = open_page("admin", PAGE)
    assert not present(at, "product.bulk.star")


@pytest.mark.skipif(not (ROOT / "pages/crm/customers.py").exists(), reason="customers page")
def test_transfer_of_ticked_customers_refuses_rows_out_of_scope(org_store):
    with core_db.transaction() as s:
        mine = Customer(name="团队客户", owner_id=org_store.users["sales1"].id)
        theirs = Customer(name="华南客户", owner_id=org_store.users["outsider"].id)
        s.add_all([mine, theirs])
        s.flush()
        ids = [mine.id, theirs.id]
    at = tick(open_page("manager", "pages/crm/customers.py"), "customer", ids)
    at.selectbox(key="customer.bulk.to_user").select(org_store.users["sales2"].id).run()
    at.button(key="customer.bulk.transfer").click()
    at = at.run()
    assert not at.exception, at.exception
    assert "本次操作未做任何更改" in texts(at)
    with core_db.transaction() as s:
        owners = s.scalars(select(Customer.owner_id).order_by(Customer.id)).all()
    assert owners == [org_store.users["sales1"].id, org_store.users["outsider"].id]
