"""Employee performance blocks (BI-3): contracts signed, contract and received amounts per day
or month and per employee, each with month-on-month and year-on-year change; rows open the
approved contracts behind them."""

from __future__ import annotations

from core.bi import drilldown, measures, performance
from core.i18n import t
from core.ui import charts
from core.ui.drill import Drill
from core.ui.report import Col, report_block

BUCKET_KIND = {"day": "date", "month": "month"}
FIGURE_KIND = {"contracts": "int", "contract_amount": "money", "receivable_amount": "money"}


def _figure_columns() -> list[Col]:
    columns = []
    for f in performance.FIGURES:
        columns += [
            Col(f, f"bi_pages.performance.figures.{f}", FIGURE_KIND[f]),
            Col(f"{f}_mom_pct", "bi_pages.performance.mom", "pct"),
            Col(f"{f}_yoy_pct", "bi_pages.performance.yoy", "pct"),
        ]
    return columns


def _headers(columns: list[Col]) -> list[Col]:
    """ "环比" / "同比" headers name their figure, so each header is unique."""
    out, figure = [], ""
    for c in columns:
        if c.kind == "pct":
            out.append(Col(c.name, c.label, c.kind, prefix=figure))
        else:
            figure = c.label
            out.append(c)
    return out


def trend(mirror, *, actor, period, who) -> None:
    scoped = {"actor": actor, "period": period, "who": who}
    frame = performance.trend(mirror, **scoped)
    series = {"contract_amount": t("bi_pages.performance.figures.contract_amount"),
              "receivable_amount": t("bi_pages.performance.figures.receivable_amount")}  # fmt: skip

    def drill(row: dict) -> Drill:
        bucket = drilldown.bucket_period(period, row["bucket"])
        ids = measures.ids(mirror, "contracts", actor=actor, period=bucket, who=who)
        return Drill(
            "contract", ids, t("bi_pages.performance.contracts_in", bucket=str(row["bucket"]))
        )

    report_block(
        "bi_performance.trend", actor=actor, title=t("bi_pages.performance.trend"), frame=frame,
        columns=[Col("bucket", "bi_pages.performance.bucket", BUCKET_KIND[period.bucket]),
                 *_headers(_figure_columns())],
        chart=lambda f: charts.grouped_bars(f, x="bucket", series=series, bucket=period.bucket,
                                            value_title=t("bi_pages.performance.amount")),
        file_name=t("bi_pages.performance.trend"), drill=drill,
        empty=not any(frame[f].sum() for f in performance.FIGURES),
    )  # fmt: skip


def employees(mirror, *, actor, period, who) -> None:
    scoped = {"actor": actor, "period": period, "who": who}
    frame = performance.by_employee(mirror, **scoped)

    def drill(row: dict) -> Drill:
        ids = measures.ids(mirror, "contracts", **scoped, owner_id=row["user_id"])
        return Drill(
            "contract", ids, f"{row['employee']} · {t('bi_pages.performance.figures.contracts')}"
        )

    report_block(
        "bi_performance.employees", actor=actor, title=t("bi_pages.performance.by_employee"),
        frame=frame,
        columns=[Col("employee", "bi_pages.performance.employee"),
                 Col("department", "bi_pages.performance.department"), *_headers(_figure_columns())],
        chart=lambda f: charts.paired_bars(
            f.filter((f["contract_amount"] > 0) | (f["receivable_amount"] > 0)),
            label="employee", series={"contract_amount": t("bi_pages.performance.figures.contract_amount"),
                                      "receivable_amount": t("bi_pages.performance.figures.receivable_amount")},
            label_title=t("bi_pages.performance.employee"), value_title=t("bi_pages.performance.amount"),
            kind=charts.MONEY),
        file_name=t("bi_pages.performance.by_employee"), drill=drill,
        empty=frame.is_empty() or not any(frame[f].sum() for f in performance.FIGURES),
    )  # fmt: skip
