"""Target completion blocks (BI-7): the year's target vs. actual per employee or department
and per month, with completion %; rows open the approved contracts or receipts behind them."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core.bi import measures, targets
from core.bi.periods import month as month_period
from core.bi.periods import year as year_period
from core.bi.scope import Who
from core.i18n import t
from core.ui import charts
from core.ui.bi_filters import business_today
from core.ui.drill import Drill
from core.ui.report import Col, report_block

BY = ("employee", "department")
RECORD = {"contract": "contract", "receivable": "receivable"}
AMOUNTS = [
    Col("target", "bi_pages.targets.target", "money"),
    Col("actual", "bi_pages.targets.actual", "money"),
    Col("completion_pct", "bi_pages.targets.completion", "pct"),
]


def pickers(prefix: str) -> tuple[int, str, str]:
    """Year, metric (contract / receivable) and per employee or department."""
    this_year = business_today().year
    years = list(range(this_year + 1, this_year - 5, -1))
    left, middle, right = st.columns([1, 2, 2], vertical_alignment="bottom")
    year = left.selectbox(t("bi_pages.filter.year"), years, index=1, key=f"{prefix}.year")
    metric = middle.segmented_control(
        t("bi_pages.targets.metric"), tuple(targets.METRICS), default="contract", required=True,
        key=f"{prefix}.metric", format_func=lambda m: t(f"bi_pages.targets.metrics.{m}"))  # fmt: skip
    by = right.segmented_control(
        t("bi_pages.targets.by"), BY, default="employee", required=True, key=f"{prefix}.by",
        format_func=lambda b: t(f"bi_pages.targets.by_{b}"))  # fmt: skip
    return year, metric, by


def scope_keys(metric: str) -> tuple[str, ...]:
    return (measures.MEASURES[targets.METRICS[metric]].scope,)


def holders(mirror, *, actor, year: int, metric: str, by: str, who: Who) -> None:
    frame = targets.yearly(mirror, actor=actor, year=year, metric=metric, by=by, who=who)
    measure = targets.METRICS[metric]

    def drill(row: dict) -> Drill:
        holder = Who(user_ids=(row["id"],)) if by == "employee" else Who(department_id=row["id"])
        ids = measures.ids(mirror, measure, actor=actor, period=year_period(year), who=holder)
        return Drill(RECORD[metric], ids, f"{row['name']} · {year}")

    report_block(
        f"bi_targets.holders.{by}", actor=actor, title=t(f"bi_pages.targets.title_{by}", year=year),
        frame=frame, columns=[Col("name", f"bi_pages.targets.by_{by}"), *AMOUNTS],
        chart=lambda f: charts.actual_vs_target(
            f, label="name", actual="actual", target="target", label_title=t(f"bi_pages.targets.by_{by}"),
            actual_title=t("bi_pages.targets.actual"), target_title=t("bi_pages.targets.target")),
        file_name=t(f"bi_pages.targets.title_{by}", year=year), drill=drill,
        empty=frame.is_empty() or not (frame["target"].sum() or frame["actual"].sum()),
    )  # fmt: skip


def _months(mirror, *, actor, year: int, metric: str, who: Who) -> pl.DataFrame:
    period = year_period(year)
    goals = targets.monthly_targets(mirror, actor=actor, period=period, metric=metric, who=who)
    done = measures.by_bucket(mirror, targets.METRICS[metric], actor=actor, period=period, who=who)
    frame = done.rename({"bucket": "month", "value": "actual"}).join(goals, on="month", how="left")
    frame = frame.with_columns(pl.col("target").fill_null(0.0), pl.col("actual").cast(pl.Float64))
    pct = (pl.col("actual") / pl.col("target") * 100).round(2)
    # Labelled here, not in a polars UDF: that runs on a worker thread, which has no locale.
    labels = [t("bi_pages.targets.month", month=m) for m in frame["month"].dt.month()]
    return frame.with_columns(
        completion_pct=pl.when(pl.col("target") > 0).then(pct),
        label=pl.Series(labels, dtype=pl.String),
    )


def months(mirror, *, actor, year: int, metric: str, who: Who) -> None:
    frame = _months(mirror, actor=actor, year=year, metric=metric, who=who)

    def drill(row: dict) -> Drill:
        period = month_period(year, row["month"].month)
        ids = measures.ids(mirror, targets.METRICS[metric], actor=actor, period=period, who=who)
        return Drill(RECORD[metric], ids, f"{year} · {row['label']}")

    report_block(
        "bi_targets.months", actor=actor, title=t("bi_pages.targets.title_months", year=year),
        frame=frame, columns=[Col("label", "bi_pages.targets.month_header"), *AMOUNTS],
        chart=lambda f: charts.actual_vs_target(
            f, label="label", actual="actual", target="target", horizontal=False,
            label_title=t("bi_pages.targets.month_header"), actual_title=t("bi_pages.targets.actual"),
            target_title=t("bi_pages.targets.target")),
        file_name=t("bi_pages.targets.title_months", year=year), drill=drill,
        empty=not (frame["target"].sum() or frame["actual"].sum()),
    )  # fmt: skip
