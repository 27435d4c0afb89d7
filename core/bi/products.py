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

from core.bi.measures import SCOPE, period_params
from core.bi.periods import Period
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor

LINES = f"""
SELECT * FROM ok_contract_lines
WHERE order_date >= $start AND order_date < $end AND {SCOPE.format(key="contract")}"""

BY_PRODUCT_SQL = f"""
WITH lines AS ({LINES}),
sold AS (
    SELECT product_id, sum(quantity) AS quantity, sum(subtotal) AS amount,
           count(DISTINCT contract_id) AS contracts
    FROM lines GROUP BY product_id)
SELECT s.product_id, p.name AS product, p.category_id, c.name AS category,
       CAST(s.quantity AS DOUBLE) AS quantity, CAST(s.amount AS DOUBLE) AS amount,
       s.contracts,
       round(100.0 * CAST(s.amount AS DOUBLE) / nullif(sum(CAST(s.amount AS DOUBLE)) OVER (), 0),
             2) AS share_pct
FROM sold s
LEFT JOIN products p ON p.id = s.product_id
LEFT JOIN product_categories c ON c.id = p.category_id
ORDER BY amount DESC, s.product_id"""

BY_CATEGORY_SQL = f"""
WITH lines AS ({LINES}),
sold AS (
    SELECT p.category_id, sum(l.quantity) AS quantity, sum(l.subtotal) AS amount,
           count(DISTINCT l.contract_id) AS contracts
    FROM lines l LEFT JOIN products p ON p.id = l.product_id
    GROUP BY p.category_id)
SELECT s.category_id, c.name AS category,
       CAST(s.quantity AS DOUBLE) AS quantity, CAST(s.amount AS DOUBLE) AS amount,
       s.contracts,
       round(100.0 * CAST(s.amount AS DOUBLE) / nullif(sum(CAST(s.amount AS DOUBLE)) OVER (), 0),
             2) AS share_pct
FROM sold s LEFT JOIN product_categories c ON c.id = s.category_id
ORDER BY amount DESC, s.category_id"""


def by_product(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    params = scope_params(mirror, actor, who, "contract") | period_params(period)
    return mirror.query(BY_PRODUCT_SQL, **params)


def by_category(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    params = scope_params(mirror, actor, who, "contract") | period_params(period)
    return mirror.query(BY_CATEGORY_SQL, **params)
