"""The global search page and the sidebar search box in AppTest: every role renders, each sees
only the records its scope allows, and the box on any page opens the results."""

from __future__ import annotations

import pytest

from core import db as core_db
from core.models import Customer, Lead
from tests.pages.harness import app_as, open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/search.py"
SELLERS = ("manager", "sales1", "sales2", "sales3", "outsider")


@pytest.fixture
def named(org_store):
    with core_db.transaction() as s:
        for username in SELLERS:
            uid = org_store.users[username].id
            s.add(Customer(name=f"星河{username}客户", owner_id=uid, phone="010-88886666"))
            s.add(Lead(name=f"星河{username}线索", owner_id=uid))
    return org_store


def search_as(username: str, text: str):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    at.text_input(key="search.query").input(text)
    return at.run()


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "sales2", "office"])
def test_search_page_renders_for_every_seeded_role(username):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "office":
        assert "您没有执行此操作的权限。" in texts(at)
    else:
        assert "全局搜索" in [t.value for t in at.title]


@pytest.mark.parametrize(
    ("username", "visible"),
    [
        ("admin", set(SELLERS)),
        ("manager", {"manager", "sales1", "sales2", "sales3"}),
        ("sales1", {"sales1"}),
        ("sales2", {"sales2"}),
    ],
)
def test_each_role_finds_only_what_its_scope_allows(named, username, visible):
    at = search_as(username, "星河")
    assert not at.exception, at.exception
    shown = texts(at) + "\n".join(str(link.label) for link in at.get("page_link"))
    for seller in SELLERS:
        assert (f"星河{seller}客户" in shown) == (seller in visible), seller
        assert (f"星河{seller}线索" in shown) == (seller in visible), seller


def test_a_query_without_hits_says_so(named):
    at = search_as("admin", "不存在的名字")
    assert "没有找到匹配的记录。" in texts(at)


def test_the_sidebar_box_opens_the_results_page(named):
    at = app_as("manager")
    at.sidebar.text_input(key="shell.search").input("星河sales1").run()
    assert not at.exception, at.exception
    assert "全局搜索" in [t.value for t in at.title]
    assert at.text_input(key="search.query").value == "星河sales1"
