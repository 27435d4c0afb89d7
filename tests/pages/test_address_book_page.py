"""The address book page (OFF-8) in AppTest: every role renders it, search by pinyin initials,
department filter, stars."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import db as core_db
from core.models import Favourite, User
from tests.factories import make_user
from tests.pages.harness import open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/office/address_book.py"


@pytest.fixture(autouse=True)
def zhang_san(org_store):
    with core_db.transaction() as s:
        user = make_user(
            s,
            "zhangsan",
            ["sales_rep"],
            display_name="张三",
            mobile="13800138000",
            position="销售代表",
            department_id=org_store.departments["south"].id,
        )
        return user.id


def table(at) -> str:
    return at.dataframe[0].value.to_string() if at.dataframe else ""


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "sales2", "office"])
def test_address_book_renders_for_every_seeded_role(username):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    assert "通讯录" in [t.value for t in at.title]
    assert "张三" in table(at) and "华南销售部" in table(at)


def test_search_by_pinyin_initials_finds_the_colleague():
    at = open_page("office", PAGE)
    at.text_input(key="employee.search").set_value("zs")
    at = at.run()
    assert not at.exception, at.exception
    assert "张三" in table(at) and "sales1" not in table(at)


def test_search_with_no_match_shows_the_empty_state():
    at = open_page("office", PAGE)
    at.text_input(key="employee.search").set_value("不存在的人")
    at = at.run()
    assert "没有符合条件的记录" in texts(at)


def test_department_filter_shows_only_that_department(org_store):
    at = open_page("office", PAGE)
    at.radio(key="employee.department_filter").set_value(org_store.departments["admin"].id)
    at = at.run()
    assert "office" in table(at) and "张三" not in table(at)


def test_starring_a_colleague_keeps_the_star_for_this_user_only(zhang_san):
    at = open_page("office", PAGE)
    at.session_state["employee.selected"] = zhang_san
    at = at.run()
    at.button(key="employee.star").click()
    at = at.run()
    assert not at.exception, at.exception
    with core_db.transaction() as s:
        office = s.scalar(select(User.id).where(User.username == "office"))
        assert s.scalars(select(Favourite.user_id)).all() == [office]
    at.toggle(key="employee.starred_only").set_value(True)
    at = at.run()
    assert "张三" in table(at) and "sales1" not in table(at)
    other = open_page("sales1", PAGE)
    other.toggle(key="employee.starred_only").set_value(True)
    assert "张三" not in table(other.run())
