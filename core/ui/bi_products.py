"""Product analysis blocks (BI-5): category share of the amount and the best-selling products;
a row opens the approved contracts behind it."""

from __future__ import annotations

import polars as pl

from core.bi import drilldown, products
from core.i18n import t
from core.ui import charts
from core.ui.drill import Drill
from core.ui.report import Col, report_block

CATEGORY = Col("category", "bi_pages.products.category")
QUANTITY = Col("quantity", "bi_pages.products.quantity", "number")
AMOUNT = Col("amount", "bi_pages.products.amount", "money")
CONTRACTS = Col("contracts", "bi_pages.products.contracts", "int")
SHARE = Col("share_pct", "bi_pages.products.share", "pct")


def _named(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("category").fill_null(t("bi_pages.products.no_category")))


def _donut(frame: pl.DataFrame):
    return charts.donut(
        frame,
        label="category",
        value="amount",
        label_title=CATEGORY.header,
        value_title=AMOUNT.header,
        share="share_pct",
        share_title=SHARE.header,
    )


def _bars(frame: pl.DataFrame):
    return charts.ranked_bars(
        frame,
        label="product",
        value="amount",
        label_title=t("bi_pages.products.product"),
        value_title=AMOUNT.header,
        tooltips=[
            ("quantity", QUANTITY.header, charts.NUMBER),
            ("contracts", CONTRACTS.header, charts.COUNT),
        ],  # fmt: skip
    )


def categories(mirror, *, actor, period, who) -> None:
    scoped = {"actor": actor, "period": period, "who": who}

    def drill(row: dict) -> Drill:
        ids = drilldown.product_contract_ids(
            mirror, **scoped, category_id=row["category_id"], any_category=False
        )
        return Drill("contract", ids, row["category"])

    report_block(
        "bi_products.categories",
        actor=actor,
        title=t("bi_pages.products.by_category"),
        frame=_named(products.by_category(mirror, **scoped)),
        columns=[CATEGORY, QUANTITY, AMOUNT, CONTRACTS, SHARE],
        chart=_donut,
        file_name=t("bi_pages.products.by_category"),
        drill=drill,
        beside=True,
    )


def best_sellers(mirror, *, actor, period, who) -> None:
    scoped = {"actor": actor, "period": period, "who": who}

    def drill(row: dict) -> Drill:
        ids = drilldown.product_contract_ids(mirror, **scoped, product_id=row["product_id"])
        return Drill("contract", ids, row["product"])

    report_block(
        "bi_products.products",
        actor=actor,
        title=t("bi_pages.products.by_product"),
        frame=_named(products.by_product(mirror, **scoped)),
        columns=[
            Col("product", "bi_pages.products.product"),
            CATEGORY,
            QUANTITY,
            AMOUNT,
            CONTRACTS,
            SHARE,
        ],  # fmt: skip
        chart=_bars,
        file_name=t("bi_pages.products.by_product"),
        drill=drill,
    )
