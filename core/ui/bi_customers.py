"""Employee customer analysis blocks (BI-1): new and dealt customers over time and per employee
(follow-ups, conversion rates, pool in/out, deal cycle), follow-up types, and the deal cycle by
employee, province or product; rows open the customers or follow-ups behind them."""

from __future__ import annotations

import streamlit as st

from core.bi import customer_analysis, drilldown, measures
from core.i18n import t
from core.ui import charts
from core.ui.drill import Drill
from core.ui.report import Col, report_block

BUCKET_KIND = {"day": "date", "month": "month"}
CYCLE_BY = ("employee", "province", "product")

EMPLOYEE_COLUMNS = [
    Col("employee", "bi_pages.customers.employee"),
    Col("department", "bi_pages.customers.department"),
    Col("new_customers", "bi_pages.customers.new_customers", "int"),
    Col("dealt_customers", "bi_pages.customers.dealt_customers", "int"),
    Col("deal_rate_pct", "bi_pages.customers.deal_rate", "pct"),
    Col("follow_ups", "bi_pages.customers.follow_ups", "int"),
    Col("customers_followed", "bi_pages.customers.customers_followed", "int"),
    Col("new_leads", "bi_pages.customers.new_leads", "int"),
    Col("converted_leads", "bi_pages.customers.converted_leads", "int"),
    Col("lead_conversion_pct", "bi_pages.customers.lead_conversion", "pct"),
    Col("pool_released", "bi_pages.customers.pool_released", "int"),
    Col("pool_claimed", "bi_pages.customers.pool_claimed", "int"),
    Col("avg_deal_days", "bi_pages.customers.avg_deal_days", "days"),
]


def _series() -> dict[str, str]:
    return {"new_customers": t("bi_pages.customers.new_customers"),
            "dealt_customers": t("bi_pages.customers.dealt_customers")}  # fmt: skip


def trend(mirror, *, actor, period, who) -> None:
    frame = customer_analysis.trend(mirror, actor=actor, period=period, who=who)

    def drill(row: dict) -> Drill:
        bucket = drilldown.bucket_period(period, row["bucket"])
        ids = measures.ids(mirror, "new_customers", actor=actor, period=bucket, who=who)
        return Drill("customer", ids, t("bi_pages.customers.new_in", bucket=str(row["bucket"])))

    report_block(
        "bi_customers.trend", actor=actor, title=t("bi_pages.customers.trend"), frame=frame,
        columns=[Col("bucket", "bi_pages.customers.bucket", BUCKET_KIND[period.bucket]),
                 Col("new_customers", "bi_pages.customers.new_customers", "int"),
                 Col("dealt_customers", "bi_pages.customers.dealt_customers", "int")],
        chart=lambda f: charts.lines(f, x="bucket", series=_series(), bucket=period.bucket,
                                     value_title=t("bi_pages.customers.customers")),
        file_name=t("bi_pages.customers.trend"), drill=drill, empty=not frame["new_customers"].sum(),
    )  # fmt: skip


def employees(mirror, *, actor, period, who) -> None:
    scoped = {"actor": actor, "period": period, "who": who}
    frame = customer_analysis.by_employee(mirror, **scoped)
    figures = [c.name for c in EMPLOYEE_COLUMNS if c.kind == "int"]

    def drill(row: dict) -> Drill:
        ids = measures.ids(mirror, "new_customers", **scoped, owner_id=row["user_id"])
        return Drill(
            "customer", ids, f"{row['employee']} · {t('bi_pages.customers.new_customers')}"
        )

    report_block(
        "bi_customers.employees", actor=actor, title=t("bi_pages.customers.by_employee"), frame=frame,
        columns=EMPLOYEE_COLUMNS,
        chart=lambda f: charts.paired_bars(
            f.filter(f["new_customers"] > 0), label="employee", series=_series(),
            label_title=t("bi_pages.customers.employee"), value_title=t("bi_pages.customers.customers"),
            tooltips=[("deal_rate_pct", t("bi_pages.customers.deal_rate"), charts.PCT),
                      ("follow_ups", t("bi_pages.customers.follow_ups"), charts.COUNT)]),
        file_name=t("bi_pages.customers.by_employee"), drill=drill,
        empty=frame.is_empty() or not sum(frame[c].sum() for c in figures),
    )  # fmt: skip


def follow_up_kinds(mirror, *, actor, period, who) -> None:
    scoped = {"actor": actor, "period": period, "who": who}
    frame = customer_analysis.follow_up_kinds(mirror, **scoped)
    frame = frame.with_columns(
        frame["kind"].fill_null("").replace("", t("bi_pages.customers.no_kind"))
    )

    def drill(row: dict) -> Drill:
        kind = "" if row["kind"] == t("bi_pages.customers.no_kind") else row["kind"]
        return Drill("follow_up", drilldown.follow_up_kind_ids(mirror, **scoped, kind=kind),
                     row["kind"])  # fmt: skip

    report_block(
        "bi_customers.kinds", actor=actor, title=t("bi_pages.customers.kinds"), frame=frame,
        columns=[Col("kind", "bi_pages.customers.kind"), Col("follow_ups", "bi_pages.customers.follow_ups", "int"),
                 Col("share_pct", "bi_pages.customers.share", "pct")],
        chart=lambda f: charts.donut(f, label="kind", value="follow_ups", kind=charts.COUNT,
                                     label_title=t("bi_pages.customers.kind"),
                                     value_title=t("bi_pages.customers.follow_ups"), share="share_pct",
                                     share_title=t("bi_pages.customers.share")),
        file_name=t("bi_pages.customers.kinds"), drill=drill, beside=True,
    )  # fmt: skip


def deal_cycle(mirror, *, actor, period, who) -> None:
    by = st.segmented_control(t("bi_pages.customers.cycle_by"), CYCLE_BY, default=CYCLE_BY[0],
                              required=True, key="bi_customers.cycle_by",
                              format_func=lambda b: t(f"bi_pages.customers.cycle.{b}"))  # fmt: skip
    frame = customer_analysis.deal_cycle(mirror, actor=actor, period=period, who=who, by=by)
    frame = frame.with_columns(
        frame["label"].fill_null("").replace("", t("bi_pages.customers.unknown"))
    )
    report_block(
        f"bi_customers.cycle.{by}", actor=actor, title=t("bi_pages.customers.cycle_title"), frame=frame,
        columns=[Col("label", f"bi_pages.customers.cycle.{by}"),
                 Col("customers", "bi_pages.customers.dealt_in_period", "int"),
                 Col("avg_deal_days", "bi_pages.customers.avg_deal_days", "days")],
        chart=lambda f: charts.ranked_bars(
            f, label="label", value="avg_deal_days", kind=charts.NUMBER,
            label_title=t(f"bi_pages.customers.cycle.{by}"), value_title=t("bi_pages.customers.avg_deal_days"),
            tooltips=[("customers", t("bi_pages.customers.dealt_in_period"), charts.COUNT)]),
        file_name=t("bi_pages.customers.cycle_title"),
    )  # fmt: skip
