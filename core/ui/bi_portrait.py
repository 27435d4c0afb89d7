"""Customer portrait (BI-4): customers created in the period, all vs. dealt, by province (a map
of China when the map asset is present, and ranked bars), industry, level or source; a row opens
those customers."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core.bi import drilldown, portrait
from core.i18n import t
from core.ui import charts, china_map
from core.ui.drill import Drill
from core.ui.report import Col, report_block


def dimension_picker(key: str) -> str:
    return st.segmented_control(
        t("bi_pages.portrait.dimension"),
        portrait.DIMENSIONS,
        default=portrait.DIMENSIONS[0],
        required=True,
        key=key,
        format_func=lambda d: t(f"bi_pages.portrait.dimensions.{d}"),
    )


def _columns(dimension: str) -> list[Col]:
    return [
        Col("label", f"bi_pages.portrait.dimensions.{dimension}"),
        Col("customers", "bi_pages.portrait.customers", "int"),
        Col("dealt_customers", "bi_pages.portrait.dealt", "int"),
        Col("share_pct", "bi_pages.portrait.share", "pct"),
        Col("dealt_share_pct", "bi_pages.portrait.dealt_share", "pct"),
        Col("deal_rate_pct", "bi_pages.portrait.deal_rate", "pct"),
    ]


def _chart(frame: pl.DataFrame, dimension: str):
    series = {
        "customers": t("bi_pages.portrait.customers"),
        "dealt_customers": t("bi_pages.portrait.dealt"),
    }
    bars = charts.paired_bars(
        frame, label="label", series=series,
        label_title=t(f"bi_pages.portrait.dimensions.{dimension}"), value_title=t("bi_pages.portrait.count"),
        tooltips=[("share_pct", t("bi_pages.portrait.share"), charts.PCT),
                  ("deal_rate_pct", t("bi_pages.portrait.deal_rate"), charts.PCT)],
    )  # fmt: skip
    if dimension == "province" and china_map.available():
        shape = china_map.province_map(frame, value="customers", label="label",
                                       value_title=t("bi_pages.portrait.customers"))  # fmt: skip
        return [shape, bars]
    return bars


def breakdown(mirror, *, actor, period, who, dimension: str) -> None:
    scoped = {"actor": actor, "period": period, "who": who}
    frame = portrait.portrait(mirror, **scoped, dimension=dimension)
    frame = frame.with_columns(
        label=pl.when(pl.col("value") == "").then(pl.lit(t("bi_pages.portrait.unknown")))
        .otherwise(pl.col("value"))
    )  # fmt: skip

    def drill(row: dict) -> Drill:
        ids = drilldown.portrait_ids(mirror, **scoped, dimension=dimension, value=row["value"])
        return Drill("customer", ids, row["label"])

    name = t(f"bi_pages.portrait.dimensions.{dimension}")
    report_block(
        f"bi_portrait.{dimension}",
        actor=actor,
        title=t("bi_pages.portrait.by", dimension=name),
        frame=frame,
        columns=_columns(dimension),
        chart=lambda f: _chart(f, dimension),
        file_name=t("bi_pages.portrait.file", dimension=name),
        drill=drill,
    )
