"""Product analysis (BI-5): what sold in a period — lines of approved contracts dated by the
contract's order date, in the viewer's contract scope.

API:
- by_product(mirror, *, actor, period, who=EVERYONE)
    -> product_id, product, category_id, category, quantity, amount, contracts, share_pct
- by_category(mirror, *, actor, period, who=EVERYONE)
    -> category_id, category, quantity, amount, contracts, share_pct
`quantity` and `amount` (sum of line subtotals) are DOUBLE exact to 2 dp; `contracts` counts
distinct contracts; `share_pct` is the share of the period's amount (2 dp). Best sellers first;
products without a category fall under category_id null."""

from __future__ import annotations

import polars as pl

from core.bi.measures import SCOPE, period_params, use_rollups
from core.bi.periods import Period
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor

# Approved contract lines of the period in the viewer's scope (drill-downs use it too).
LINES = f"""
SELECT * FROM ok_contract_lines
WHERE order_date >= $start AND order_date < $end AND {SCOPE.format(key="contract")}"""

# Either the monthly rollups (whole months) or the lines themselves, per product / category.
SOLD_ROLLUP = f"""
SELECT {{key}}, sum(quantity) AS quantity, sum(amount) AS amount, sum(contracts) AS contracts
FROM {{table}}
WHERE grain = 'month' AND start >= $start AND start < $end AND {SCOPE.format(key="contract")}
GROUP BY {{key}}"""

SOLD_LINES = f"""
SELECT {{key}}, sum(quantity) AS quantity, sum(subtotal) AS amount,
       count(DISTINCT contract_id) AS contracts
FROM {{view}}
WHERE order_date >= $start AND order_date < $end AND {SCOPE.format(key="contract")}
GROUP BY {{key}}"""

SHARE = """round(100.0 * CAST(s.amount AS DOUBLE)
             / nullif(sum(CAST(s.amount AS DOUBLE)) OVER (), 0), 2) AS share_pct"""

BY_PRODUCT_SQL = f"""
WITH sold AS ({{sold}})
SELECT s.product_id, p.name AS product, p.category_id, c.name AS category,
       CAST(s.quantity AS DOUBLE) AS quantity, CAST(s.amount AS DOUBLE) AS amount,
       CAST(s.contracts AS BIGINT) AS contracts, {SHARE}
FROM sold s
LEFT JOIN products p ON p.id = s.product_id
LEFT JOIN product_categories c ON c.id = p.category_id
ORDER BY amount DESC, s.product_id"""

BY_CATEGORY_SQL = f"""
WITH sold AS ({{sold}})
SELECT s.category_id, c.name AS category,
       CAST(s.quantity AS DOUBLE) AS quantity, CAST(s.amount AS DOUBLE) AS amount,
       CAST(s.contracts AS BIGINT) AS contracts, {SHARE}
FROM sold s LEFT JOIN product_categories c ON c.id = s.category_id
ORDER BY amount DESC, s.category_id"""


def _sql(template: str, period: Period, key: str, table: str, view: str) -> str:
    if use_rollups(period):
        sold = SOLD_ROLLUP.format(key=key, table=table)
    else:
        sold = SOLD_LINES.format(key=key, view=view)
    return template.format(sold=sold)


def by_product(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    params = scope_params(mirror, actor, who, "contract") | period_params(period)
    sql = _sql(BY_PRODUCT_SQL, period, "product_id", "roll_products", "ok_contract_lines")
    return mirror.query(sql, **params)


def by_category(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    params = scope_params(mirror, actor, who, "contract") | period_params(period)
    sql = _sql(BY_CATEGORY_SQL, period, "category_id", "roll_categories", "ok_category_lines")
    return mirror.query(sql, **params)
