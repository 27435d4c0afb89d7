"""Click-through from charts (CUS-1, BI-*) in AppTest on tests/pages/bi_world.py: report charts
with records behind their rows are drawn clickable, and a clicked bar opens the same records as
its table row; charts without records behind them stay plain."""

from __future__ import annotations

import pytest

from core.ui.chart_pick import PICK, ROW
from tests.pages import bi_world
from tests.pages.harness import open_page
from tests.pages.test_bi_pages import records, table


@pytest.fixture
def world(org_store):
    return bi_world.build(org_store)


def chart(at, block: str):
    """The chart of the report block (or dashboard panel) keyed `block`."""
    found = [c for c in at.get("vega_lite_chart") if (c.key or "").startswith(f"{block}.chart")]
    assert len(found) == 1, [c.key for c in at.get("vega_lite_chart")]
    return found[0]


def click(at, block: str, row: int):
    """What the browser reports when the bar of table row `row` is clicked."""
    at.session_state[chart(at, block).key] = {"selection": {PICK: [{ROW: row}]}}
    return at.run()


def test_a_clicked_bar_opens_the_records_behind_its_row_within_scope(world):
    at = open_page("manager", "pages/bi/rankings.py")
    assert list(chart(at, "bi_rankings.contract_amount").proto.selection_mode) == [PICK]
    ranking = table(at, "bi_rankings.contract_amount")
    at = click(at, "bi_rankings.contract_amount", ranking["员工"].tolist().index("sales2"))
    assert not at.exception, at.exception
    shown = records(at)
    assert shown["负责人"].tolist() == ["sales2"] and shown["金额"].tolist() == ["¥400.40"]


def test_a_clicked_bar_of_the_portrait_opens_its_customers(world):
    at = open_page("admin", "pages/bi/portrait.py")
    provinces = table(at, "bi_portrait.province")["省份"].tolist()
    at = click(at, "bi_portrait.province", provinces.index("上海"))
    assert not at.exception, at.exception
    assert records(at)["负责人"].tolist() == ["outsider"]


def clickable_blocks(at) -> list[str]:
    """The blocks whose chart a click picks rows in; the others' charts are plain pictures."""
    drawn = at.get("vega_lite_chart")
    return [c.key.split(".chart")[0] for c in drawn if list(c.proto.selection_mode) == [PICK]]


def test_only_charts_with_records_behind_them_are_clickable(world):
    at = open_page("manager", "pages/bi/funnel.py")
    assert len(at.get("vega_lite_chart")) == 3
    assert clickable_blocks(at) == ["bi_funnel.stages", "bi_funnel.new"]  # not the conversion %
    at = open_page("manager", "pages/crm/dashboard.py")
    assert len(at.get("vega_lite_chart")) == 2
    assert clickable_blocks(at) == ["dashboard.funnel"]  # not the trend
