"""Sales funnel analysis (BI-2): opportunities created in a period, in one stage group (the
default group unless `stage_group_id` is given), in the viewer's opportunity scope.

API — `(mirror, *, actor, period, who=EVERYONE, stage_group_id=None)` unless noted:
- by_stage(…) -> stage_id, stage, position, win_probability, opportunities, amount,
  weighted_amount   (open opportunities; weighted = amount × the stage's win probability)
- conversion(…) -> stage_id, stage, position, reached, conversion_pct
  `reached` counts opportunities that got to the stage or beyond — from their current stage and
  their stage history (won ones reached every stage); the last row is stage null "won".
  `conversion_pct` = reached of the next row / reached of this one (null on the last row).
- win_rate(…) -> opportunities, open, won, lost, win_rate_pct (won / (won + lost)),
  won_amount, lost_amount   (one row)
- new_by_bucket(mirror, *, actor, period, who) -> bucket (DATE), opportunities, amount
  (every bucket of the period, every stage group)"""

from __future__ import annotations

import polars as pl

from core.bi.measures import SCOPE, by_bucket, period_params, use_rollups
from core.bi.periods import Period
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor

_OPP_SCOPE = SCOPE.format(key="opportunity")
GROUP = """
grp AS (
    SELECT coalesce(CAST($stage_group_id AS BIGINT),
                    (SELECT id FROM live_stage_groups ORDER BY is_default DESC, id LIMIT 1)) AS id),
stg AS (SELECT * FROM stages WHERE group_id = (SELECT id FROM grp))"""

# Opportunities of the group created in the period, row by row.
OPP_ROWS = f"""
SELECT * FROM live_opportunities
WHERE created_at >= $start AND created_at < $end AND stage_group_id = (SELECT id FROM grp)
  AND {_OPP_SCOPE}"""

# The CTEs grp, stg and opp (the rows of the period), for drill-downs (core/bi/drilldown.py).
GROUP_AND_OPPORTUNITIES = f"{GROUP},\nopp AS ({OPP_ROWS})"

# Count and amount per stage and status: from the monthly rollup (whole months) or the rows.
OPP_TOTALS = {
    "rows": f"""SELECT stage_id, status, count(*) AS n, sum(amount) AS amount
                FROM ({OPP_ROWS}) GROUP BY ALL""",
    "rollup": f"""SELECT stage_id, status, sum(n) AS n, sum(amount) AS amount
                  FROM roll_opportunities
                  WHERE grain = 'month' AND start >= $start AND start < $end
                    AND stage_group_id = (SELECT id FROM grp) AND {_OPP_SCOPE}
                  GROUP BY ALL""",
}

BY_STAGE_SQL = f"""
WITH {GROUP}, totals AS ({{totals}})
SELECT s.id AS stage_id, s.name AS stage, s.position, s.win_probability,
       CAST(coalesce(sum(o.n), 0) AS BIGINT) AS opportunities,
       CAST(coalesce(sum(o.amount), 0) AS DOUBLE) AS amount,
       CAST(round(coalesce(sum(o.amount), 0) * s.win_probability / 100, 2) AS DOUBLE)
           AS weighted_amount
FROM stg s LEFT JOIN totals o ON o.stage_id = s.id AND o.status = 'open'
GROUP BY s.id, s.name, s.position, s.win_probability
ORDER BY s.position"""

WON = 1_000_000  # a position beyond every stage (opp_positions gives it to won ones)

# Reached(stage) = opportunities whose furthest position is at or beyond it: counted once per
# position, then summed from the top (no join of every opportunity with every stage).

# Opportunities per furthest position (core/bi/derived.py: opp_positions), from the monthly
# rollup or the rows.
POSITIONS = {
    "rows": f"""SELECT p.position, count(*) AS n FROM opp_positions p
                WHERE p.created_at >= $start AND p.created_at < $end
                  AND p.stage_group_id = (SELECT id FROM grp) AND {_OPP_SCOPE}
                GROUP BY p.position""",
    "rollup": f"""SELECT position, sum(n) AS n FROM roll_reach
                  WHERE grain = 'month' AND start >= $start AND start < $end
                    AND stage_group_id = (SELECT id FROM grp) AND {_OPP_SCOPE}
                  GROUP BY position""",
}

CONVERSION_SQL = f"""
WITH {GROUP}, counts AS ({{totals}})
SELECT s.id AS stage_id, s.name AS stage, s.position,
       CAST((SELECT coalesce(sum(n), 0) FROM counts c WHERE c.position >= s.position) AS BIGINT)
           AS reached
FROM stg s
UNION ALL
SELECT NULL, NULL, {WON}, CAST((SELECT coalesce(sum(n), 0) FROM counts
                                WHERE position = {WON}) AS BIGINT)
ORDER BY position"""

WIN_RATE_SQL = f"""
WITH {GROUP}, totals AS ({{totals}})
SELECT CAST(coalesce(sum(n), 0) AS BIGINT) AS opportunities,
       CAST(coalesce(sum(n) FILTER (WHERE status = 'open'), 0) AS BIGINT) AS open,
       CAST(coalesce(sum(n) FILTER (WHERE status = 'won'), 0) AS BIGINT) AS won,
       CAST(coalesce(sum(n) FILTER (WHERE status = 'lost'), 0) AS BIGINT) AS lost,
       round(100.0 * coalesce(sum(n) FILTER (WHERE status = 'won'), 0)
             / nullif(sum(n) FILTER (WHERE status IN ('won', 'lost')), 0), 2) AS win_rate_pct,
       CAST(coalesce(sum(amount) FILTER (WHERE status = 'won'), 0) AS DOUBLE) AS won_amount,
       CAST(coalesce(sum(amount) FILTER (WHERE status = 'lost'), 0) AS DOUBLE) AS lost_amount
FROM totals"""


def totals_sql(template: str, period: Period) -> str:
    """`template` over per-stage totals from the rollup or the rows (dashboard funnel too)."""
    return template.format(totals=OPP_TOTALS["rollup" if use_rollups(period) else "rows"])


def _params(mirror, actor: Actor, period: Period, who: Who, stage_group_id) -> dict:
    params = scope_params(mirror, actor, who, "opportunity") | period_params(period)
    return params | {"stage_group_id": stage_group_id}


def by_stage(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
             stage_group_id: int | None = None) -> pl.DataFrame:  # fmt: skip
    sql = totals_sql(BY_STAGE_SQL, period)
    return mirror.query(sql, **_params(mirror, actor, period, who, stage_group_id))


def conversion(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
               stage_group_id: int | None = None) -> pl.DataFrame:  # fmt: skip
    path = "rollup" if use_rollups(period) else "rows"
    sql = CONVERSION_SQL.format(totals=POSITIONS[path])
    frame = mirror.query(sql, **_params(mirror, actor, period, who, stage_group_id))
    following = pl.col("reached").shift(-1)
    pct = pl.when(pl.col("reached") > 0).then((following / pl.col("reached") * 100).round(2))
    return frame.with_columns(conversion_pct=pct)


def win_rate(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
             stage_group_id: int | None = None) -> pl.DataFrame:  # fmt: skip
    sql = totals_sql(WIN_RATE_SQL, period)
    return mirror.query(sql, **_params(mirror, actor, period, who, stage_group_id))


def new_by_bucket(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    """New opportunities per day or month, in every stage group."""
    count = by_bucket(mirror, "new_opportunities", actor=actor, period=period, who=who)
    amount = by_bucket(mirror, "opportunity_amount", actor=actor, period=period, who=who)
    return count.rename({"value": "opportunities"}).with_columns(amount=amount["value"])
