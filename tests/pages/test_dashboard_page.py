"""The dashboard page (CUS-1) in AppTest on a little activity dated today (tests/pages/
bi_world.py): every role renders it, each sees only the figures of their scope, the filters
list only in-scope departments, and a card opens the records behind its number."""

from __future__ import annotations

import pytest

from tests.pages import bi_world
from tests.pages.harness import open_page, texts

PAGE = "pages/crm/dashboard.py"


@pytest.fixture
def world(org_store):
    return bi_world.build(org_store)


def card(at, label: str) -> str:
    """The value of the first metric with this label (the briefing comes first)."""
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "sales2", "office"])
def test_the_dashboard_renders_for_every_seeded_role(world, username):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "office":  # no customer access: told so, nothing else
        assert "您没有执行此操作的权限。" in texts(at) and not at.metric
        return
    assert "销售简报" in texts(at) and "待办事项" in texts(at)
    assert len(at.get("vega_lite_chart")) >= 2  # funnel and trend charts


@pytest.mark.parametrize(
    ("username", "contracts", "received"),
    [("sales1", "¥1,000.10", "¥600.00"), ("sales2", "¥400.40", "¥0.00"),
     ("manager", "¥1,400.50", "¥600.00"), ("admin", "¥2,400.49", "¥600.00")],
)  # fmt: skip
def test_each_viewer_sees_the_amounts_of_their_scope_only(world, username, contracts, received):
    at = open_page(username, PAGE)
    assert card(at, "合同金额") == contracts
    assert card(at, "回款金额") == received
    assert card(at, "待审核合同") == ("0" if username == "sales2" else "1")


def test_a_rep_gets_no_department_or_employee_picker(world):
    at = open_page("sales1", PAGE)
    keys = {s.key for s in at.selectbox}
    assert "dashboard.department" not in keys and "dashboard.employee" not in keys


def test_the_manager_picks_only_departments_and_people_in_his_tree(world, org_store):
    at = open_page("manager", PAGE)
    assert at.selectbox(key="dashboard.department").options == [
        "全部部门",
        "销售部",
        "\u3000销售二部",
    ]
    assert at.selectbox(key="dashboard.employee").options == [
        "全部员工", "manager", "sales1", "sales2", "sales3"
    ]  # fmt: skip
    at.selectbox(key="dashboard.employee").set_value(org_store.users["sales2"].id).run()
    assert card(at, "合同金额") == "¥400.40"
    at.selectbox(key="dashboard.department").set_value(org_store.departments["sales_2"].id).run()
    assert at.selectbox(key="dashboard.employee").options == ["全部员工", "sales3"]
    assert card(at, "合同金额") == "¥0.00"  # sales3's department sold nothing


def test_changing_the_period_changes_the_figures(world):
    at = open_page("sales1", PAGE)
    at.selectbox(key="dashboard.period").set_value("yesterday").run()
    assert not at.exception, at.exception
    assert card(at, "合同金额") == "¥0.00"
    at.selectbox(key="dashboard.period").set_value("this_year").run()
    assert card(at, "合同金额") == "¥1,000.10"


def test_a_card_opens_the_records_behind_its_number_in_scope(world):
    at = open_page("sales1", PAGE)
    at.button(key="dashboard.brief.contract_amount").click().run()
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe if "下单日期" in d.value.columns]
    assert len(tables) == 1
    assert tables[0]["金额"].tolist() == ["¥1,000.10"]  # not sales2's or outsider's contract


def test_the_to_do_card_opens_the_contracts_waiting_for_approval(world):
    at = open_page("manager", PAGE)
    at.button(key="dashboard.todo.contracts_pending").click().run()
    tables = [d.value for d in at.dataframe if "审核状态" in d.value.columns]
    assert tables and tables[0]["审核状态"].tolist() == ["审核中"]
    assert tables[0]["金额"].tolist() == ["¥77.00"]


def test_a_funnel_stage_opens_its_opportunities(world):
    at = open_page("manager", PAGE)
    at.session_state["dashboard.funnel.table"] = {"selection": {"rows": [1], "columns": [],
                                                                "cells": []}}  # fmt: skip
    at.run()
    assert not at.exception, at.exception
    tables = [
        d.value for d in at.dataframe if "阶段" in d.value.columns and "负责人" in d.value.columns
    ]
    assert tables and sorted(tables[0]["负责人"].tolist()) == ["sales1", "sales2"]


def test_the_dashboard_speaks_english(world):
    from core import db as core_db
    from core.models import User
    from tests.pages.harness import ROOT, fresh_app

    with core_db.transaction() as s:
        s.query(User).filter(User.username == "manager").update({"locale": "en"})
    at = fresh_app()  # straight to the dashboard: the first page's widgets are another story
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "manager"
    at = at.switch_page(str(ROOT / PAGE)).run()
    assert not at.exception, at.exception
    assert "Sales briefing" in texts(at) and "To do" in texts(at)
    assert card(at, "Contract amount") == "¥1,400.50"
