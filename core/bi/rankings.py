"""Rankings (BI-6): employees ranked by one figure over a period.

API:
- ranking(mirror, *, actor, period, metric, who=EVERYONE)
    -> rank, user_id, employee, department, value
  every active employee in the viewer's scope for that figure (zeros included, ties share a
  rank), best first; `metric` is one of METRICS. Amounts are DOUBLE exact to 2 dp, product
  sales a DOUBLE quantity, the rest BIGINT counts.
- the records behind one row: measures.ids(mirror, metric, actor=, period=, who=,
  owner_id=user_id) — contracts, receivables, customers, contacts, follow-ups, trip requests
  or check-ins (customers for "customers_followed", contracts for "product_sales")."""

from __future__ import annotations

import polars as pl

from core.bi.measures import BY_OWNER_SQL, MEASURES, SCOPE, period_params, sql
from core.bi.periods import Period
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor

METRICS = (
    "contract_amount",
    "receivable_amount",
    "contracts",
    "product_sales",
    "new_customers",
    "new_contacts",
    "customers_followed",
    "follow_ups",
    "trips",
    "visits",
)

RANKING_SQL = """
WITH figures AS ({by_owner}),
people AS (SELECT id, display_name, department_id, is_active FROM users u WHERE {user_scope})
SELECT CAST(rank() OVER (ORDER BY coalesce(f.value, 0) DESC) AS BIGINT) AS rank,
       p.id AS user_id, p.display_name AS employee, d.name AS department,
       coalesce(f.value, 0) AS value
FROM people p
LEFT JOIN figures f ON f.owner_id = p.id
LEFT JOIN departments d ON d.id = p.department_id
WHERE p.is_active OR f.value IS NOT NULL
ORDER BY rank, employee, user_id"""


def ranking(mirror, *, actor: Actor, period: Period, metric: str,
            who: Who = EVERYONE) -> pl.DataFrame:  # fmt: skip
    if metric not in METRICS:
        raise ValueError(f"unknown ranking {metric!r}")
    key = MEASURES[metric].scope
    user_scope = SCOPE.format(key=key).replace("owner_id", "u.id")
    query = RANKING_SQL.format(by_owner=sql(BY_OWNER_SQL, metric, period), user_scope=user_scope)
    params = scope_params(mirror, actor, who, key) | period_params(period)
    return mirror.query(query, **params)
