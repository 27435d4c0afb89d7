"""Customer portrait (BI-4): customers created in a period, all vs. dealt, by one dimension —
province (for the map or ranked bars), industry, level or source.

API:
- portrait(mirror, *, actor, period, dimension, who=EVERYONE)
    -> value, customers, dealt_customers, share_pct, dealt_share_pct, deal_rate_pct
  `dimension` is one of DIMENSIONS; `value` is the customer's field ("" when not filled in);
  shares are percents of all (dealt) customers in the result, `deal_rate_pct` = dealt / all,
  all rounded to 2 dp; most customers first. Customer scope of the viewer applies.
- portrait_all(mirror, *, actor, period, who=EVERYONE) -> dimension, then the same columns:
  all four dimensions in one pass (a page showing them together)."""

from __future__ import annotations

import polars as pl

from core.bi.measures import SCOPE, period_params
from core.bi.periods import Period
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor

DIMENSIONS = ("province", "industry", "level", "source")

PORTRAIT_SQL = """
WITH counted AS (
    SELECT coalesce({dimension}, '') AS value, count(*) AS customers,
           count(*) FILTER (WHERE is_dealt) AS dealt_customers
    FROM live_customers
    WHERE created_at >= $start AND created_at < $end AND {scope}
    GROUP BY ALL)
SELECT value, customers, dealt_customers,
       round(100.0 * customers / sum(customers) OVER (), 2) AS share_pct,
       round(100.0 * dealt_customers / nullif(sum(dealt_customers) OVER (), 0), 2)
           AS dealt_share_pct,
       round(100.0 * dealt_customers / customers, 2) AS deal_rate_pct
FROM counted
ORDER BY customers DESC, value"""


# All four dimensions in one pass over the customers (grouping sets).
ALL_SQL = f"""
WITH counted AS (
    SELECT CASE WHEN NOT grouping(province) THEN 'province'
                WHEN NOT grouping(industry) THEN 'industry'
                WHEN NOT grouping(level) THEN 'level' ELSE 'source' END AS dimension,
           coalesce(province, industry, level, source, '') AS value,
           count(*) AS customers, count(*) FILTER (WHERE is_dealt) AS dealt_customers
    FROM (SELECT coalesce(province, '') AS province, coalesce(industry, '') AS industry,
                 coalesce(level, '') AS level, coalesce(source, '') AS source, is_dealt
          FROM live_customers
          WHERE created_at >= $start AND created_at < $end AND {SCOPE.format(key="customer")})
    GROUP BY GROUPING SETS ((province), (industry), (level), (source)))
SELECT dimension, value, customers, dealt_customers,
       round(100.0 * customers / sum(customers) OVER (PARTITION BY dimension), 2) AS share_pct,
       round(100.0 * dealt_customers
             / nullif(sum(dealt_customers) OVER (PARTITION BY dimension), 0), 2)
           AS dealt_share_pct,
       round(100.0 * dealt_customers / customers, 2) AS deal_rate_pct
FROM counted
ORDER BY dimension, customers DESC, value"""


def portrait_all(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    """dimension, then portrait()'s columns — the four dimensions in one query."""
    params = scope_params(mirror, actor, who, "customer") | period_params(period)
    frame = mirror.query(ALL_SQL, **params)
    return frame.with_columns(pl.col("customers", "dealt_customers").cast(pl.Int64))


def portrait(mirror, *, actor: Actor, period: Period, dimension: str,
             who: Who = EVERYONE) -> pl.DataFrame:  # fmt: skip
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown customer dimension {dimension!r}")
    sql = PORTRAIT_SQL.format(dimension=dimension, scope=SCOPE.format(key="customer"))
    params = scope_params(mirror, actor, who, "customer") | period_params(period)
    frame = mirror.query(sql, **params)
    return frame.with_columns(pl.col("customers", "dealt_customers").cast(pl.Int64))
