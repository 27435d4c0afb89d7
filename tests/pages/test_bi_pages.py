"""The BI report pages (BI-1 … BI-7) and the target settings page in AppTest on a little activity
dated today (tests/pages/bi_world.py): every page renders for every role, a rep sees only his
own figures, pickers list only in-scope departments, a CSV download holds exactly the table's
rows, and selecting a row opens the records behind it."""

from __future__ import annotations

import csv
import io

import pytest

from core.i18n import format_money
from tests.pages import bi_world
from tests.pages.downloads import capture_downloads, download  # noqa: F401 — fixture
from tests.pages.harness import open_page, texts

REPORTS = {
    "pages/bi/customer_analysis.py": "员工客户分析",
    "pages/bi/funnel.py": "销售漏斗分析",
    "pages/bi/performance.py": "员工业绩分析",
    "pages/bi/portrait.py": "客户画像分析",
    "pages/bi/products.py": "产品分析",
    "pages/bi/rankings.py": "排行榜",
    "pages/bi/targets.py": "业绩目标完成情况",
}
NOT_ALLOWED = "您没有执行此操作的权限。"


@pytest.fixture
def world(org_store):
    return bi_world.build(org_store)


def table(at, key: str):
    """The displayed table (a pandas frame of the shown text) of the dataframe with `key`."""
    return next(d.value for d in at.dataframe if d.key == key)


def records(at):
    """The click-through list (unkeyed): the only table with an owner column."""
    found = [d.value for d in at.dataframe if "负责人" in d.value.columns]
    assert len(found) == 1, f"{len(found)} record lists"
    return found[0]


def select_row(at, key: str, row: int):
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


@pytest.mark.parametrize("page", sorted(REPORTS))
@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "office"])
def test_every_report_renders_for_every_seeded_role(world, page, username):
    at = open_page(username, page)
    assert not at.exception, at.exception
    if username == "office":  # no bi.view
        assert NOT_ALLOWED in texts(at)
        return
    assert REPORTS[page] in [t.value for t in at.title]
    assert at.get("vega_lite_chart"), "a chart is drawn from the hand-built data"


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "office"])
def test_the_target_settings_page_is_for_managers_only(world, username):
    at = open_page(username, "pages/settings/targets.py")
    assert not at.exception, at.exception
    if username in ("sales1", "office"):
        assert NOT_ALLOWED in texts(at)
        return
    names = table(at, "targets.grid." + grid_suffix(at))["名称"].tolist()
    if username == "manager":
        assert names == ["销售部", "\u3000销售二部"]
    else:
        assert names[0] == "总经办" and len(names) == 5


def grid_suffix(at) -> str:
    year = at.selectbox(key="targets.year").value
    return f"{year}.contract.department"


def test_a_rep_ranks_only_himself(world):
    at = open_page("sales2", "pages/bi/rankings.py")
    ranking = table(at, "bi_rankings.contract_amount")
    assert ranking["员工"].tolist() == ["sales2"]
    assert ranking["合同金额"].tolist() == ["¥400.40"]
    assert not [s for s in at.selectbox if s.key == "bi_rankings.department"]


def test_a_rep_sees_only_his_own_product_sales(world):
    at = open_page("sales1", "pages/bi/products.py")
    sold = table(at, "bi_products.products")
    assert sold["产品"].tolist() == ["CRM 标准版"]
    assert sold["销售金额"].tolist() == ["¥1,000.10"]


def test_the_manager_picks_only_departments_in_his_scope(world, org_store):
    at = open_page("manager", "pages/bi/performance.py")
    assert at.selectbox(key="bi_performance.department").options == [
        "全部部门", "销售部", "\u3000销售二部"
    ]  # fmt: skip
    at = open_page("manager", "pages/bi/products.py")
    at.selectbox(key="bi_products.employee").set_value(org_store.users["sales2"].id).run()
    assert table(at, "bi_products.products")["销售金额"].tolist() == ["¥400.40"]


def test_the_csv_download_holds_exactly_the_table_rows(world, capture_downloads):  # noqa: F811
    at = open_page("admin", "pages/bi/rankings.py")
    shown = table(at, "bi_rankings.contract_amount")
    raw = download(at, "bi_rankings.contract_amount.csv")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(shown.columns)
    assert [r[1] for r in rows[1:]] == shown["员工"].tolist()
    assert len(rows) - 1 == len(shown) == 7  # every active employee, zeros included
    assert rows[1][1:] == ["sales1", "销售部", "1000.10"]  # numbers stay numbers


def test_a_reps_csv_download_holds_only_his_rows(world, capture_downloads):  # noqa: F811
    at = open_page("sales1", "pages/bi/products.py")
    rows = list(
        csv.reader(io.StringIO(download(at, "bi_products.products.csv").decode("utf-8-sig")))
    )
    assert rows[1:] == [["CRM 标准版", "软件", "2", "1000.10", "1", "100"]]


def test_selecting_a_row_opens_the_records_behind_it_within_scope(world):
    at = open_page("manager", "pages/bi/rankings.py")
    ranking = table(at, "bi_rankings.contract_amount")
    at = select_row(at, "bi_rankings.contract_amount", ranking["员工"].tolist().index("sales2"))
    assert not at.exception, at.exception
    shown = records(at)
    assert shown["负责人"].tolist() == ["sales2"] and shown["金额"].tolist() == ["¥400.40"]


def test_a_portrait_row_opens_its_customers(world):
    at = open_page("admin", "pages/bi/portrait.py")
    shown = table(at, "bi_portrait.province")
    at = select_row(at, "bi_portrait.province", shown["省份"].tolist().index("上海"))
    assert records(at)["负责人"].tolist() == ["outsider"]


def test_an_empty_period_shows_an_empty_state_not_an_error(world):
    at = open_page("manager", "pages/bi/products.py")
    at.selectbox(key="bi_products.period").set_value("last_year").run()
    assert not at.exception, at.exception
    assert texts(at).count("所选时间范围内没有数据。") == 2
    assert not at.get("vega_lite_chart")


def test_picking_a_record_behind_a_row_opens_it_on_its_own_page(world):
    at = open_page("sales1", "pages/bi/rankings.py")
    at = select_row(at, "bi_rankings.contract_amount", 0)
    at = select_row(at, "bi_rankings.contract_amount.drill.table", 0)
    assert not at.exception, at.exception
    assert "合同" in [t.value for t in at.title]  # the contracts page, opened on that contract


def test_a_manager_saves_a_target_through_the_grid(world, org_store):
    from sqlalchemy import select

    from core import db as core_db
    from core.models import SalesTarget

    at = open_page("manager", "pages/settings/targets.py")
    key = "targets.grid." + grid_suffix(at)
    at.session_state[key] = {"edited_rows": {1: {"1 月": 12345.6}}, "added_rows": [],
                             "deleted_rows": []}  # fmt: skip
    at.run()
    at.button(key="targets.save").click().run()
    assert not at.exception, at.exception
    assert "已保存 1 项目标。" in texts(at)
    with core_db.transaction() as s:
        saved = s.execute(select(SalesTarget.department_id, SalesTarget.month, SalesTarget.amount)
                          .where(SalesTarget.month == 1, SalesTarget.user_id.is_(None))).all()  # fmt: skip
    assert [(d, m, str(a)) for d, m, a in saved if d == org_store.departments["sales_2"].id] == [
        (org_store.departments["sales_2"].id, 1, "12345.60")
    ]


def test_the_target_months_are_named_in_english_on_an_english_page(world):
    from core.i18n import set_locale
    from tests.pages.harness import ROOT, app_as

    set_locale("en")  # AppTest formats select-box options in this thread too
    try:
        at = app_as("manager", locale="en")
        at = at.switch_page(str(ROOT / "pages/bi/targets.py")).run()
        assert not at.exception, at.exception
        months = table(at, "bi_targets.months")["Month"].tolist()
    finally:
        set_locale("zh_Hans")
    assert months == [f"Month {m}" for m in range(1, 13)]


def test_the_target_grid_total_counts_a_department_once_not_again_in_its_sub_departments(
    world, org_store
):
    from core.services import targets

    at = open_page("manager", "pages/settings/targets.py")
    key = "targets.grid." + grid_suffix(at)
    # Row 0 is the sales department, row 1 its sub-department sales_2.
    at.session_state[key] = {"edited_rows": {0: {"1 月": 1000.0}, 1: {"1 月": 400.0}},
                             "added_rows": [], "deleted_rows": []}  # fmt: skip
    at.run()
    assert not at.exception, at.exception
    stored = at.data_editor(key=key).value  # as loaded; the edit above changes January
    months = [[float(v) for v in stored[f"{m} 月"]] for m in range(1, 13)]
    months[0] = [1000.0, 400.0]
    total = format_money(targets.grid_total([0, 1], months))
    assert f"全部合计：{total}" in [c.value for c in at.caption]
    assert total != format_money(sum(map(sum, months)))  # sales_2's January is not added again
