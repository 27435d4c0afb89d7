"""Saved views on a list page in AppTest (products): the starred view, saving the current
filters as a named view, and choosing it again restoring its filters."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core import db as core_db
from core.models import Favourite, Product, SavedView
from tests.pages.harness import open_page

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/products.py"


@pytest.fixture
def catalogue(org_store):
    with core_db.transaction() as s:
        for i, name in enumerate(["激光打印机", "喷墨打印机", "扫描仪", "投影仪"]):
            s.add(Product(name=name, code=f"P-{i}", price=Decimal("100")))
        s.flush()
        scanner = s.scalar(select(Product.id).where(Product.name == "扫描仪"))
        s.add(Favourite(user_id=org_store.users["sales1"].id, subject_type="product",
                        subject_id=scanner))  # fmt: skip
    return org_store


def table(at) -> str:
    return at.dataframe[0].value.to_string() if at.dataframe else ""


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "office"])
def test_every_role_sees_the_views_bar_on_a_list(catalogue, username):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    views = at.segmented_control(key="product.view")
    assert views.value == "all"
    assert views.options[:2] == ["全部", "我的星标"]


def test_the_starred_view_lists_my_starred_records_with_a_star(catalogue):
    at = open_page("sales1", PAGE)
    assert "★" in table(at)
    at = at.segmented_control(key="product.view").set_value("starred").run()
    assert not at.exception, at.exception
    assert "扫描仪" in table(at) and "打印机" not in table(at)
    other = open_page("admin", PAGE)
    other = other.segmented_control(key="product.view").set_value("starred").run()
    assert "扫描仪" not in table(other)  # stars are personal


def test_saving_the_current_filters_as_a_view_and_choosing_it_again(catalogue):
    at = open_page("manager", PAGE)
    at.text_input(key="product.search").input("打印").run()
    at.text_input(key="product.view_name").input("打印类")
    at.button(key="product.view_save").click()
    at = at.run()
    assert not at.exception, at.exception
    with core_db.transaction() as s:
        view = s.scalar(select(SavedView))
    assert (view.name, view.filters["search"]) == ("打印类", "打印")
    assert at.session_state["product.view"] == f"saved:{view.id}"
    at.segmented_control(key="product.view").set_value("all").run()
    at.text_input(key="product.search").input("").run()
    assert "扫描仪" in table(at)
    at = at.segmented_control(key="product.view").set_value(f"saved:{view.id}").run()
    assert at.text_input(key="product.search").value == "打印"  # the view fills the search box
    assert "扫描仪" not in table(at) and "激光打印机" in table(at)


def test_a_record_is_starred_from_its_detail_panel(catalogue):
    at = open_page("admin", PAGE)
    with core_db.transaction() as s:
        printer = s.scalar(select(Product.id).where(Product.name == "投影仪"))
    at.session_state["product.selected"] = printer
    at = at.run()
    at.button(key="product.star").click()
    at = at.run()
    assert not at.exception, at.exception
    admin = catalogue.users["admin"].id
    with core_db.transaction() as s:
        mine = s.scalars(select(Favourite.subject_id).where(Favourite.user_id == admin)).all()
    assert mine == [printer]
    assert "★" in at.button(key="product.star").label
