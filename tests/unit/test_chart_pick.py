"""Click-through from charts (core/ui/chart_pick.py): a clicked mark leads back to the table row
it was drawn from — whatever the chart sorted, cut or reshaped — and the widget clicked last
decides which row's records open."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from core.ui import charts
from core.ui.chart_pick import ROW, is_clickable, latest_pick, numbered, picked_row

FRAME = pl.DataFrame(
    {
        "name": ["张三", "李四", "王五"],
        "amount": [100.0, 300.0, 200.0],
        "target": [150.0, 250.0, 0.0],
        "month": [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)],
    }
)


def _charts(frame: pl.DataFrame) -> dict:
    series = {"amount": "金额", "target": "目标"}
    return {
        "ranked_bars": charts.ranked_bars(frame, label="name", value="amount", label_title="员工",
                                          value_title="金额"),
        "grouped_bars": charts.grouped_bars(frame, x="month", series={"amount": "金额"},
                                            targets={"target": "目标"}),
        "lines": charts.lines(frame, x="month", series=series),
        "funnel": charts.funnel(frame, stage="name", value="amount", value_title="数量",
                                stage_title="阶段"),
        "donut": charts.donut(frame, label="name", value="amount", label_title="类别",
                              value_title="金额"),
        "actual_vs_target": charts.actual_vs_target(frame, label="name", actual="amount",
                                                    target="target", actual_title="实际",
                                                    target_title="目标", label_title="员工"),
        "paired_bars": charts.paired_bars(frame, label="name", series=series, label_title="员工",
                                          value_title="金额"),
    }  # fmt: skip


def _marks_with_rows(chart) -> list[dict]:
    """Every data row the chart draws that carries a row number."""
    datasets = chart.to_dict()["datasets"].values()
    return [row for rows in datasets for row in rows if ROW in row]


@pytest.mark.parametrize("kind", sorted(_charts(FRAME)))
def test_every_report_chart_of_a_numbered_frame_picks_rows(kind):
    assert is_clickable(_charts(numbered(FRAME))[kind])


@pytest.mark.parametrize("kind", sorted(_charts(FRAME)))
def test_a_chart_of_a_plain_frame_stays_unclickable(kind):
    assert not is_clickable(_charts(FRAME)[kind])


@pytest.mark.parametrize("kind", ["ranked_bars", "donut", "funnel", "paired_bars"])
def test_a_mark_leads_back_to_its_own_row_after_the_chart_sorted_or_reshaped(kind):
    marks = _marks_with_rows(_charts(numbered(FRAME))[kind])
    assert marks
    for mark in marks:
        assert FRAME["name"][mark[ROW]] == mark["name"]


def test_a_bucket_bar_leads_back_to_its_month():
    marks = _marks_with_rows(_charts(numbered(FRAME))["grouped_bars"])
    assert {(m["_x"], m[ROW]) for m in marks if m["series"] == "金额"} == {
        ("2026-01", 0), ("2026-02", 1), ("2026-03", 2)
    }  # fmt: skip


def test_the_picked_row_is_read_from_the_charts_selection_event():
    assert picked_row({"selection": {"pick": [{ROW: 2}]}}) == 2
    assert picked_row({"selection": {"pick": [{ROW: 1.0, "name": "李四"}]}}) == 1


@pytest.mark.parametrize(
    "state",
    [None, {}, {"selection": {}}, {"selection": {"pick": {}}}, {"selection": {"pick": []}}],
)
def test_nothing_is_picked_before_a_click_or_after_a_click_elsewhere(state):
    assert picked_row(state) is None


def test_the_widget_clicked_last_decides_the_row():
    picks = {"table": 0, "chart": 2}
    assert latest_pick(picks, "chart") == 2
    assert latest_pick(picks, "table") == 0


def test_a_click_that_cleared_the_chart_closes_the_records_though_the_table_holds_a_row():
    assert latest_pick({"table": 0, "chart": None}, "chart") is None


def test_a_pick_without_a_recorded_click_still_opens_its_records():
    assert latest_pick({"table": None, "chart": 1}, None) == 1
    assert latest_pick({"table": 0, "chart": None}, "gone.chart") == 0
    assert latest_pick({"table": None}, None) is None
