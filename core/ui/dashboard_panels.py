"""Dashboard charts (CUS-1): the funnel of open opportunities by stage with won and lost, and
the 12-month trend of contract and receivable amounts against monthly targets. A stage opens its
opportunities from its table row or its bar."""

from __future__ import annotations

from functools import partial

import polars as pl
import streamlit as st

from core.i18n import format_money, format_number, t
from core.ui import charts
from core.ui.chart_pick import PICK, numbered, picked_row
from core.ui.dashboard_drill import open_drill
from core.ui.report import Col, frame_digest, report_table

FUNNEL_TABLE = "dashboard.funnel.table"
TREND_COLUMNS = [
    Col("month", "dashboard.trend.month", "month"),
    Col("contract_amount", "dashboard.trend.contract", "money"),
    Col("contract_target", "dashboard.trend.contract_target", "money"),
    Col("receivable_amount", "dashboard.trend.receivable", "money"),
    Col("receivable_target", "dashboard.trend.receivable_target", "money"),
]
SEEN = "dashboard.funnel.seen"


def _stage_names(frame: pl.DataFrame) -> list[str]:
    return [
        row["stage"] if row["status"] == "open" else t(f"dashboard.funnel.{row['status']}")
        for row in frame.iter_rows(named=True)
    ]


def _open_selected_stage(rows: list[tuple]) -> None:
    """A newly selected row opens its opportunities; the same selection after the dialog was
    closed does not open it again."""
    selection = st.session_state.get(FUNNEL_TABLE, {}).get("selection", {})
    picked = list(selection.get("rows", [])) or [c[0] for c in selection.get("cells", [])]
    index = picked[0] if picked and picked[0] < len(rows) else None
    if index != st.session_state.get(SEEN):
        st.session_state[SEEN] = index
        if index is not None:
            open_drill("funnel", *rows[index])


def _open_clicked_stage(chart_key: str, rows: list[tuple]) -> None:
    """Chart callback: a clicked bar opens its stage's opportunities (a click elsewhere only
    clears the highlight)."""
    index = picked_row(st.session_state.get(chart_key))
    if index is not None and index < len(rows):
        open_drill("funnel", *rows[index])


def funnel(frame: pl.DataFrame) -> None:
    """Chart of open stages; beside it every stage, won and lost with count and amount — a
    row or a bar opens its opportunities."""
    with st.container(border=True):
        st.markdown(f"**{t('dashboard.funnel.title')}**")
        named = numbered(frame.with_columns(name=pl.Series(_stage_names(frame))))
        open_stages = named.filter(pl.col("status") == "open")  # row numbers index `named`
        if named["opportunities"].sum() == 0:
            st.info(t("dashboard.funnel.empty"))
            return
        rows = [(r["status"], r["stage_id"], r["name"]) for r in named.iter_rows(named=True)]
        chart_key = f"dashboard.funnel.chart.{frame_digest(frame)}"
        st.altair_chart(
            charts.funnel(open_stages, stage="name", value="opportunities",
                          value_title=t("dashboard.funnel.count"), stage_title=t("dashboard.funnel.stage"),
                          tooltips=[("amount", t("dashboard.funnel.amount"), charts.MONEY)]),
            width="stretch", key=chart_key, on_select=partial(_open_clicked_stage, chart_key, rows),
            selection_mode=PICK,
        )  # fmt: skip
        data = {
            t("dashboard.funnel.stage"): named["name"].to_list(),
            t("dashboard.funnel.count"): [format_number(v) for v in named["opportunities"]],
            t("dashboard.funnel.amount"): [format_money(v) for v in named["amount"]],
        }
        right = st.column_config.TextColumn(alignment="right")
        config = {t("dashboard.funnel.count"): right, t("dashboard.funnel.amount"): right}
        st.dataframe(data, key=FUNNEL_TABLE, hide_index=True, width="stretch", column_config=config,
                     on_select="rerun", selection_mode=["single-row", "single-cell"])  # fmt: skip
        _open_selected_stage(rows)


def trend(frame: pl.DataFrame) -> None:
    """Monthly contract and receivable amounts as bars, their targets as dashed lines."""
    with st.container(border=True):
        st.markdown(f"**{t('dashboard.trend.title')}**")
        series = {"contract_amount": t("dashboard.trend.contract"),
                  "receivable_amount": t("dashboard.trend.receivable")}  # fmt: skip
        goals = {"contract_target": t("dashboard.trend.contract_target"),
                 "receivable_target": t("dashboard.trend.receivable_target")}  # fmt: skip
        has_goals = bool(frame["contract_target"].sum() or frame["receivable_target"].sum())
        chart = charts.grouped_bars(frame, x="month", series=series, targets=goals if has_goals else None,
                                    value_title=t("dashboard.trend.amount"))  # fmt: skip
        st.altair_chart(chart, width="stretch", key="dashboard.trend.chart")
        with st.expander(t("dashboard.trend.data")):
            report_table("dashboard.trend.table", frame, TREND_COLUMNS,
                         file_name=t("dashboard.trend.title"), selectable=False)  # fmt: skip
