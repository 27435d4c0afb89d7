"""Rankings (BI-6): employees ranked by the chosen figure; a row opens that employee's records
behind the figure (contracts, receipts, customers, contacts, follow-ups, trips or visits)."""

from __future__ import annotations

import streamlit as st

from core.bi import drilldown, measures, rankings
from core.bi.measures import MEASURES
from core.i18n import t
from core.ui import charts
from core.ui.drill import Drill
from core.ui.report import Col, report_block


def metric_picker(key: str) -> str:
    return st.segmented_control(
        t("bi_pages.rankings.metric"),
        rankings.METRICS,
        default=rankings.METRICS[0],
        required=True,
        key=key,
        format_func=lambda m: t(f"bi_pages.rankings.metrics.{m}"),
        width="stretch",
    )


def scope_keys(metric: str) -> tuple[str, ...]:
    """The record type whose scope the figure uses (for the department/employee picker)."""
    return (MEASURES[metric].scope,)


def _kind(metric: str) -> str:
    if MEASURES[metric].is_amount:
        return "money"
    return "number" if metric == "product_sales" else "int"


def ranking(mirror, *, actor, period, who, metric: str) -> None:
    scoped = {"actor": actor, "period": period, "who": who}
    frame = rankings.ranking(mirror, **scoped, metric=metric)
    name = t(f"bi_pages.rankings.metrics.{metric}")
    value = Col("value", f"bi_pages.rankings.metrics.{metric}", _kind(metric))
    chart_kind = {"money": charts.MONEY, "number": charts.NUMBER}.get(value.kind, charts.COUNT)

    def drill(row: dict) -> Drill:
        ids = measures.ids(mirror, metric, **scoped, owner_id=row["user_id"])
        return Drill(drilldown.RECORD_OF[metric], ids, f"{row['employee']} · {name}")

    report_block(
        f"bi_rankings.{metric}",
        actor=actor,
        title=t("bi_pages.rankings.by", metric=name),
        frame=frame,
        columns=[
            Col("rank", "bi_pages.rankings.rank", "int"),
            Col("employee", "bi_pages.rankings.employee"),
            Col("department", "bi_pages.rankings.department"),
            value,
        ],  # fmt: skip
        chart=lambda f: charts.ranked_bars(
            f.filter(f["value"] > 0),
            label="employee",
            value="value",
            label_title=t("bi_pages.rankings.employee"),
            value_title=name,
            kind=chart_kind,
            tooltips=[("department", t("bi_pages.rankings.department"), "text")],
        ),  # fmt: skip
        file_name=t("bi_pages.rankings.file", metric=name),
        drill=drill,
        empty=frame.is_empty() or not frame["value"].sum(),
    )
