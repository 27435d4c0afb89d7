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

from core.bi.measures import SCOPE, by_bucket, period_params
from core.bi.periods import Period
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor

GROUP_AND_OPPORTUNITIES = f"""
grp AS (
    SELECT coalesce(CAST($stage_group_id AS BIGINT),
                    (SELECT id FROM live_stage_groups ORDER BY is_default DESC, id LIMIT 1)) AS id),
opp AS (
    SELECT * FROM live_opportunities
    WHERE created_at >= $start AND created_at < $end AND stage_group_id = (SELECT id FROM grp)
      AND {SCOPE.format(key="opportunity")}),
stg AS (SELECT * FROM stages WHERE group_id = (SELECT id FROM grp))"""

BY_STAGE_SQL = f"""
WITH {GROUP_AND_OPPORTUNITIES}
SELECT s.id AS stage_id, s.name AS stage, s.position, s.win_probability,
       count(o.id) AS opportunities,
       CAST(coalesce(sum(o.amount), 0) AS DOUBLE) AS amount,
       CAST(round(coalesce(sum(o.amount * s.win_probability / 100), 0), 2) AS DOUBLE)
           AS weighted_amount
FROM stg s LEFT JOIN opp o ON o.stage_id = s.id AND o.status = 'open'
GROUP BY ALL
ORDER BY s.position"""

WON = 1_000_000  # a position beyond every stage

CONVERSION_SQL = f"""
WITH {GROUP_AND_OPPORTUNITIES},
history AS (
    SELECT h.opportunity_id, max(s.position) AS position
    FROM opportunity_stage_changes h JOIN stg s ON s.id = h.to_stage_id
    WHERE h.opportunity_id IN (SELECT id FROM opp)
    GROUP BY h.opportunity_id),
reach AS (
    SELECT o.id, CASE WHEN o.status = 'won' THEN {WON}
                      ELSE greatest(coalesce(s.position, 0), coalesce(h.position, 0)) END AS position
    FROM opp o LEFT JOIN stg s ON s.id = o.stage_id LEFT JOIN history h ON h.opportunity_id = o.id)
SELECT s.id AS stage_id, s.name AS stage, s.position, count(r.id) AS reached
FROM stg s LEFT JOIN reach r ON r.position >= s.position
GROUP BY ALL
UNION ALL
SELECT NULL, NULL, {WON}, count(*) FROM reach WHERE position = {WON}
ORDER BY position"""

WIN_RATE_SQL = f"""
WITH {GROUP_AND_OPPORTUNITIES}
SELECT count(*) AS opportunities,
       count(*) FILTER (WHERE status = 'open') AS open,
       count(*) FILTER (WHERE status = 'won') AS won,
       count(*) FILTER (WHERE status = 'lost') AS lost,
       round(100.0 * count(*) FILTER (WHERE status = 'won')
             / nullif(count(*) FILTER (WHERE status IN ('won', 'lost')), 0), 2) AS win_rate_pct,
       CAST(coalesce(sum(amount) FILTER (WHERE status = 'won'), 0) AS DOUBLE) AS won_amount,
       CAST(coalesce(sum(amount) FILTER (WHERE status = 'lost'), 0) AS DOUBLE) AS lost_amount
FROM opp"""


def _params(mirror, actor: Actor, period: Period, who: Who, stage_group_id) -> dict:
    params = scope_params(mirror, actor, who, "opportunity") | period_params(period)
    return params | {"stage_group_id": stage_group_id}


def by_stage(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
             stage_group_id: int | None = None) -> pl.DataFrame:  # fmt: skip
    return mirror.query(BY_STAGE_SQL, **_params(mirror, actor, period, who, stage_group_id))


def conversion(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
               stage_group_id: int | None = None) -> pl.DataFrame:  # fmt: skip
    frame = mirror.query(CONVERSION_SQL, **_params(mirror, actor, period, who, stage_group_id))
    following = pl.col("reached").shift(-1)
    pct = pl.when(pl.col("reached") > 0).then((following / pl.col("reached") * 100).round(2))
    return frame.with_columns(conversion_pct=pct)


def win_rate(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
             stage_group_id: int | None = None) -> pl.DataFrame:  # fmt: skip
    return mirror.query(WIN_RATE_SQL, **_params(mirror, actor, period, who, stage_group_id))


def new_by_bucket(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    """New opportunities per day or month, in every stage group."""
    count = by_bucket(mirror, "new_opportunities", actor=actor, period=period, who=who)
    amount = by_bucket(mirror, "opportunity_amount", actor=actor, period=period, who=who)
    return count.rename({"value": "opportunities"}).with_columns(amount=amount["value"])
