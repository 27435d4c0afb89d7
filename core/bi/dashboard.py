"""Dashboard (CUS-1): sales briefing, performance indicators, funnel, sales trend, forgotten
customers and the CRM to-do card. Amounts are DOUBLE, exact to 2 dp; `*_pct` are percents
rounded to 2 dp, null when there is nothing to compare with.

API — every function takes `(mirror, *, actor, …, who=EVERYONE)`; `today` defaults to the date:
- briefing(…, period) -> metric, current, previous, change_pct   (metrics: BRIEFING, in order;
  the records behind a card: measures.ids(mirror, metric, actor=, period=, who=))
- indicators(…, period) -> metric ("contract"|"receivable"), actual, target, completion_pct
- funnel(…, period, stage_group_id=None) -> stage_id, stage, position, win_probability, status
  ("open" per stage, then "won", "lost" with null stage), opportunities, amount
- trend(…, months=12, today=None) -> month (DATE), contract_amount, receivable_amount,
  contract_target, receivable_target
- forgotten(…, today=None) -> days (7/15/30/90/180), customers  (owned customers whose last
  follow-up — else since they were taken over or created — is at least `days` days ago)
- forgotten_ids(…, days, today=None) -> list of customer ids
- todo(…, today=None) -> item (TODO_ITEMS, in order), count;  todo_ids(…, item, today) -> ids
- cards(…, period, today=None) -> {"briefing", "indicators", "funnel", "trend", "forgotten",
  "todo": frame}: every card at once."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.bi import funnel as funnel_module
from core.bi import measures, targets
from core.bi.measures import MEASURES, SCOPE
from core.bi.periods import Period, last_months
from core.bi.scope import EVERYONE, Who, scope_params
from core.i18n import business_today
from core.permissions import Actor

BRIEFING = (
    "new_customers",
    "new_contacts",
    "new_opportunities",
    "opportunity_amount",
    "contracts",
    "contract_amount",
    "receivable_amount",
    "follow_ups",
)

BRIEFING_PART = """
SELECT '{metric}' AS metric,
       CAST(coalesce({value} FILTER (WHERE {date} >= $start), 0) AS DOUBLE) AS current,
       CAST(coalesce({value} FILTER (WHERE {date} < $start), 0) AS DOUBLE) AS previous
FROM {source}
WHERE {where} AND {date} >= $previous_start AND {date} < $end AND {scope}"""

FUNNEL_SQL = f"""
WITH {funnel_module.GROUP}, totals AS ({{totals}})
SELECT s.id AS stage_id, s.name AS stage, s.position, s.win_probability, 'open' AS status,
       CAST(coalesce(sum(o.n), 0) AS BIGINT) AS opportunities,
       CAST(coalesce(sum(o.amount), 0) AS DOUBLE) AS amount
FROM stg s LEFT JOIN totals o ON o.stage_id = s.id AND o.status = 'open'
GROUP BY ALL
UNION ALL
SELECT NULL, NULL, NULL, NULL, st.status, CAST(coalesce(sum(o.n), 0) AS BIGINT),
       CAST(coalesce(sum(o.amount), 0) AS DOUBLE)
FROM (VALUES ('won'), ('lost')) st(status) LEFT JOIN totals o ON o.status = st.status
GROUP BY st.status
ORDER BY status = 'lost', status = 'won', position"""

FORGOTTEN_DAYS = (7, 15, 30, 90, 180)

# Owned customers and the day of their last follow-up (core/bi/derived.py: customer_status).
IDLE_CUSTOMERS = """
SELECT customer_id AS id, CAST($today AS DATE) - touched AS idle_days
FROM customer_status
WHERE ($customer_all OR owner_id IN (SELECT unnest($customer_owners)))"""

# Customers per idle band (the largest threshold reached; the card adds them up), from the
# per-owner, per-day counts (core/bi/derived.py: customer_days).
FORGOTTEN_SQL = f"""
SELECT CASE {" ".join(f"WHEN idle_days >= {d} THEN {d}" for d in reversed(FORGOTTEN_DAYS))}
       END AS days, CAST(sum(customers) AS BIGINT) AS customers
FROM (SELECT CAST($today AS DATE) - day AS idle_days, customers FROM customer_days
      WHERE kind = 'touched'
        AND ($customer_all OR owner_id IN (SELECT unnest($customer_owners))))
WHERE idle_days >= {FORGOTTEN_DAYS[0]}
GROUP BY 1"""

FORGOTTEN_IDS_SQL = f"SELECT id FROM ({IDLE_CUSTOMERS}) WHERE idle_days >= $days ORDER BY id"

TODO_IDS: dict[str, str] = {
    "contact_today": """
        SELECT customer_id AS id FROM customer_status
        WHERE next_contact = $today AND {customer}""",
    # The recall rules' warning day has come (core/bi/derived.py: customer_status).
    "about_to_return": """
        SELECT customer_id AS id FROM customer_status
        WHERE warn_date <= $today AND {customer}""",
    "contracts_pending": """
        SELECT id FROM contracts
        WHERE deleted_at IS NULL AND approval_status = 'pending' AND {contract}""",
    "receivables_pending": """
        SELECT id FROM receivables
        WHERE deleted_at IS NULL AND approval_status = 'pending' AND {receivable}""",
    "plans_due": """
        SELECT plan_id AS id FROM open_plans WHERE remind_date <= $today AND {receivable}""",
    "contracts_expiring": """
        SELECT id FROM ok_contracts
        WHERE end_date >= $today AND end_date <= CAST($today AS DATE) + 30 AND {contract}""",
}
TODO_ITEMS = tuple(TODO_IDS)
# Counted from the per-day counts rather than customer by customer.
TODO_COUNTS = {
    "contact_today": f"""
        SELECT coalesce(sum(customers), 0) AS count FROM customer_days
        WHERE kind = 'next_contact' AND day = $today AND {SCOPE.format(key="customer")}""",
}
_TODO_SCOPES = {key: SCOPE.format(key=key) for key in ("customer", "contract", "receivable")}


def _todo_sql(item: str) -> str:
    return TODO_IDS[item].format(**_TODO_SCOPES)


def _change(frame: pl.DataFrame) -> pl.DataFrame:
    pct = ((pl.col("current") - pl.col("previous")) / pl.col("previous") * 100).round(2)
    return frame.with_columns(change_pct=pl.when(pl.col("previous") != 0).then(pct))


def briefing(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    previous = period.previous()
    both = Period(previous.start, period.end)  # rollups answer it when both are whole months
    parts = [measures.sql(BRIEFING_PART, name, both, metric=name) for name in BRIEFING]
    keys = {MEASURES[name].scope for name in BRIEFING}
    params = scope_params(mirror, actor, who, *keys) | {
        "start": period.start, "end": period.end_exclusive, "previous_start": previous.start
    }  # fmt: skip
    frame = mirror.query(" UNION ALL ".join(parts), **params)
    order = pl.DataFrame({"metric": BRIEFING})
    return _change(order.join(frame, on="metric", how="left"))


def indicators(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    actuals = measures.totals(mirror, list(targets.METRICS.values()), actor=actor, period=period,
                              who=who)  # fmt: skip
    goals = targets.period_targets(mirror, actor=actor, period=period, who=who)
    rows = []
    for metric, measure in targets.METRICS.items():
        actual, target = float(actuals[measure]), float(goals.get(metric) or 0)
        pct = round(actual / target * 100, 2) if target else None
        rows.append((metric, actual, target, pct))
    schema = {"metric": pl.String, "actual": pl.Float64, "target": pl.Float64,
              "completion_pct": pl.Float64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def funnel(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
           stage_group_id: int | None = None) -> pl.DataFrame:  # fmt: skip
    params = scope_params(mirror, actor, who, "opportunity") | measures.period_params(period)
    sql = funnel_module.totals_sql(FUNNEL_SQL, period)
    return mirror.query(sql, stage_group_id=stage_group_id, **params)


def trend(mirror, *, actor: Actor, who: Who = EVERYONE, months: int = 12,
          today: dt.date | None = None) -> pl.DataFrame:  # fmt: skip
    period = last_months(months, today)
    amounts = measures.by_buckets(mirror, list(targets.METRICS.values()), actor=actor,
                                  period=period, who=who)  # fmt: skip
    frame = amounts.rename({"bucket": "month"})
    goals = targets.monthly_targets_all(mirror, actor=actor, period=period, who=who)
    for metric in targets.METRICS:
        mine = goals.filter(pl.col("metric") == metric).select("month", target="target")
        frame = frame.join(mine.rename({"target": f"{metric}_target"}), on="month", how="left")
    columns = ["month", "contract_amount", "receivable_amount", "contract_target",
               "receivable_target"]  # fmt: skip
    return frame.fill_null(0.0).select(columns)


def forgotten(mirror, *, actor: Actor, who: Who = EVERYONE,
              today: dt.date | None = None) -> pl.DataFrame:  # fmt: skip
    params = scope_params(mirror, actor, who, "customer") | {"today": today or business_today()}
    bands = dict(mirror.query(FORGOTTEN_SQL, **params).iter_rows())
    counts = [sum(n for band, n in bands.items() if band >= d) for d in FORGOTTEN_DAYS]
    return pl.DataFrame({"days": FORGOTTEN_DAYS, "customers": counts},
                        schema={"days": pl.Int64, "customers": pl.Int64})  # fmt: skip


def forgotten_ids(mirror, *, actor: Actor, days: int, who: Who = EVERYONE,
                  today: dt.date | None = None) -> list[int]:  # fmt: skip
    params = scope_params(mirror, actor, who, "customer") | {"today": today or business_today()}
    return mirror.query(FORGOTTEN_IDS_SQL, days=days, **params)["id"].to_list()


def todo(mirror, *, actor: Actor, who: Who = EVERYONE,
         today: dt.date | None = None) -> pl.DataFrame:  # fmt: skip
    parts = [TODO_COUNTS.get(item) or f"SELECT count(*) AS count FROM ({_todo_sql(item)})"
             for item in TODO_ITEMS]  # fmt: skip
    parts = [f"SELECT '{item}' AS item, CAST(count AS BIGINT) AS count FROM ({part})"
             for item, part in zip(TODO_ITEMS, parts, strict=True)]  # fmt: skip
    params = scope_params(mirror, actor, who, "customer", "contract", "receivable")
    frame = mirror.query(" UNION ALL ".join(parts), today=today or business_today(), **params)
    return pl.DataFrame({"item": TODO_ITEMS}).join(frame, on="item", how="left")


def todo_ids(mirror, *, actor: Actor, item: str, who: Who = EVERYONE,
             today: dt.date | None = None) -> list[int]:  # fmt: skip
    params = scope_params(mirror, actor, who, "customer", "contract", "receivable")
    sql = f"SELECT id FROM ({_todo_sql(item)}) ORDER BY id"
    return mirror.query(sql, today=today or business_today(), **params)["id"].to_list()


def cards(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
          today: dt.date | None = None) -> dict[str, pl.DataFrame]:  # fmt: skip
    """Every card of the dashboard, one after the other: each DuckDB query already uses every
    core, so running the cards on threads side by side gained nothing (measured on two cores)."""
    scoped = {"actor": actor, "who": who}
    return {
        "briefing": briefing(mirror, **scoped, period=period),
        "indicators": indicators(mirror, **scoped, period=period),
        "funnel": funnel(mirror, **scoped, period=period),
        "trend": trend(mirror, **scoped, today=today),
        "forgotten": forgotten(mirror, **scoped, today=today),
        "todo": todo(mirror, **scoped, today=today),
    }
