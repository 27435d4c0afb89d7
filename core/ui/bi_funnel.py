"""Sales funnel analysis blocks (BI-2): win rate figures, open opportunities by stage (count,
amount, weighted amount), stage-to-stage conversion and new opportunities per bucket; rows open
the opportunities behind them."""

from __future__ import annotations

import streamlit as st

from core.bi import drilldown, funnel, measures, options
from core.i18n import format_number, format_percent, t
from core.ui import charts
from core.ui.drill import Drill
from core.ui.report import Col, report_block, short_money

BUCKET_KIND = {"day": "date", "month": "month"}
CARDS_PER_ROW = 4


def group_picker(mirror, key: str) -> int | None:
    groups = dict(options.stage_groups(mirror).iter_rows())
    if len(groups) <= 1:
        return None
    column = st.columns([1, 2])[0]
    return column.selectbox(
        t("bi_pages.funnel.stage_group"), list(groups), key=key, format_func=groups.get
    )


def win_rate(mirror, **scoped) -> None:
    row = funnel.win_rate(mirror, **scoped).row(0, named=True)
    cells = [
        ("bi_pages.funnel.opportunities", format_number(row["opportunities"])),
        ("bi_pages.funnel.open", format_number(row["open"])),
        ("bi_pages.funnel.won", format_number(row["won"])),
        ("bi_pages.funnel.lost", format_number(row["lost"])),
        ("bi_pages.funnel.win_rate", format_percent((row["win_rate_pct"] or 0) / 100, 1)
         if row["win_rate_pct"] is not None else "—"),
        ("bi_pages.funnel.won_amount", short_money(row["won_amount"])),
        ("bi_pages.funnel.lost_amount", short_money(row["lost_amount"])),
    ]  # fmt: skip
    # Four cards a row: seven in one row cut the amounts off ("¥13…").
    for start in range(0, len(cells), CARDS_PER_ROW):
        row_cells = cells[start : start + CARDS_PER_ROW]
        for col, (label, value) in zip(st.columns(CARDS_PER_ROW), row_cells, strict=False):
            with col, st.container(border=True):
                st.metric(t(label), value)


def stages(mirror, *, actor, period, who, stage_group_id) -> None:
    scoped = {"actor": actor, "period": period, "who": who}
    frame = funnel.by_stage(mirror, **scoped, stage_group_id=stage_group_id)

    def drill(row: dict) -> Drill:
        ids = drilldown.funnel_ids(mirror, **scoped, status="open", stage_id=row["stage_id"],
                                   stage_group_id=stage_group_id)  # fmt: skip
        return Drill("opportunity", ids, row["stage"])

    report_block(
        "bi_funnel.stages", actor=actor, title=t("bi_pages.funnel.by_stage"), frame=frame,
        columns=[Col("stage", "bi_pages.funnel.stage"), Col("win_probability", "bi_pages.funnel.probability", "pct"),
                 Col("opportunities", "bi_pages.funnel.opportunities", "int"),
                 Col("amount", "bi_pages.funnel.amount", "money"),
                 Col("weighted_amount", "bi_pages.funnel.weighted", "money")],
        chart=lambda f: charts.funnel(
            f, stage="stage", value="opportunities", value_title=t("bi_pages.funnel.opportunities"),
            stage_title=t("bi_pages.funnel.stage"),
            tooltips=[("amount", t("bi_pages.funnel.amount"), charts.MONEY),
                      ("weighted_amount", t("bi_pages.funnel.weighted"), charts.MONEY)]),
        file_name=t("bi_pages.funnel.by_stage"), drill=drill,
        empty=frame.is_empty() or not frame["opportunities"].sum(),
    )  # fmt: skip


def conversion(mirror, *, actor, period, who, stage_group_id) -> None:
    frame = funnel.conversion(mirror, actor=actor, period=period, who=who,
                              stage_group_id=stage_group_id)  # fmt: skip
    frame = frame.with_columns(frame["stage"].fill_null(t("bi_pages.funnel.won")))
    report_block(
        "bi_funnel.conversion", actor=actor, title=t("bi_pages.funnel.conversion"), frame=frame,
        columns=[Col("stage", "bi_pages.funnel.stage"), Col("reached", "bi_pages.funnel.reached", "int"),
                 Col("conversion_pct", "bi_pages.funnel.conversion_pct", "pct")],
        chart=lambda f: charts.funnel(
            f, stage="stage", value="reached", value_title=t("bi_pages.funnel.reached"),
            stage_title=t("bi_pages.funnel.stage"),
            tooltips=[("conversion_pct", t("bi_pages.funnel.conversion_pct"), charts.PCT)]),
        file_name=t("bi_pages.funnel.conversion"),
        empty=frame.is_empty() or not frame["reached"].sum(),
    )  # fmt: skip


def new_opportunities(mirror, *, actor, period, who) -> None:
    scoped = {"actor": actor, "period": period, "who": who}
    frame = funnel.new_by_bucket(mirror, **scoped)

    def drill(row: dict) -> Drill:
        bucket = drilldown.bucket_period(period, row["bucket"])
        ids = measures.ids(mirror, "new_opportunities", actor=actor, period=bucket, who=who)
        return Drill("opportunity", ids, t("bi_pages.funnel.new_in", bucket=str(row["bucket"])))

    report_block(
        "bi_funnel.new", actor=actor, title=t("bi_pages.funnel.new"), frame=frame,
        columns=[Col("bucket", "bi_pages.funnel.bucket", BUCKET_KIND[period.bucket]),
                 Col("opportunities", "bi_pages.funnel.opportunities", "int"),
                 Col("amount", "bi_pages.funnel.amount", "money")],
        chart=lambda f: charts.lines(
            f, x="bucket", series={"opportunities": t("bi_pages.funnel.opportunities")},
            value_title=t("bi_pages.funnel.opportunities"), bucket=period.bucket),
        file_name=t("bi_pages.funnel.new"), drill=drill,
        empty=not frame["opportunities"].sum(),
    )  # fmt: skip
