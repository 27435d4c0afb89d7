"""Employee customer analysis (BI-1): new and dealt customers, follow-ups, conversion rates,
pool movements and deal cycle, per employee and over time.

API — `(mirror, *, actor, period, who=EVERYONE)`:
- by_employee(…) -> user_id, employee, department, new_customers, dealt_customers,
  deal_rate_pct, follow_ups, customers_followed, new_leads, converted_leads,
  lead_conversion_pct, pool_released (customers that went to the pool from the employee:
  release or recall), pool_claimed (customers the employee got from the pool: claim or
  assign), avg_deal_days
- trend(…) -> bucket (DATE), new_customers, dealt_customers
- follow_up_kinds(…) -> kind, follow_ups, share_pct
- deal_cycle(…, by="employee"|"province"|"product") -> key, label, customers, avg_deal_days
Dealt customers are customers created in the period that are dealt now; the deal cycle covers
customers whose first approved contract (by order date) falls in the period: days from the
customer's creation to that order date. Each figure uses the viewer's scope for its record
type (customers, follow-ups, leads; pool movements and deal cycle the customer scope)."""

from __future__ import annotations

import polars as pl

from core.bi.measures import MEASURES, SCOPE, by_bucket, grain, period_params, use_rollups
from core.bi.periods import Period
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor

IN_PERIOD = "{date} >= $start AND {date} < $end"
ROLLED = "grain = '{grain}' AND start >= $start AND start < $end"
_C, _F, _L = (SCOPE.format(key=k) for k in ("customer", "followup", "lead"))

# Each figure per owner, from the monthly rollups (whole months) or from the rows.
CUSTOMERS = {
    "rows": f"""SELECT owner_id, count(*) AS new_customers,
                       count(*) FILTER (WHERE is_dealt) AS dealt_customers
                FROM live_customers WHERE {IN_PERIOD.format(date="created_at")} AND {_C}
                GROUP BY owner_id""",
    "rollup": f"""SELECT owner_id, sum(n) AS new_customers, sum(dealt) AS dealt_customers
                  FROM roll_customers WHERE {ROLLED.format(grain="month")} AND {_C}
                  GROUP BY owner_id""",
}
FOLLOW_UPS = {
    "rows": f"""SELECT owner_id, count(*) AS follow_ups FROM live_follow_ups
                WHERE {IN_PERIOD.format(date="created_at")} AND {_F} GROUP BY owner_id""",
    "rollup": f"""SELECT owner_id, sum(n) AS follow_ups FROM roll_follow_ups
                  WHERE {ROLLED.format(grain="month")} AND {_F} GROUP BY owner_id""",
}
FOLLOWED = {
    "rows": f"""SELECT owner_id, count(DISTINCT customer_id) AS customers_followed
                FROM live_follow_ups WHERE {IN_PERIOD.format(date="created_at")} AND {_F}
                GROUP BY owner_id""",
    # {{grain}}: month, quarter or year — distinct customers do not add up over months.
    "rollup": f"""SELECT owner_id, sum(customers) AS customers_followed FROM roll_followed
                  WHERE {ROLLED} AND {_F} GROUP BY owner_id""",
}
LEADS = {
    "rows": f"""SELECT owner_id, count(*) AS new_leads,
                       count(*) FILTER (WHERE is_converted) AS converted_leads
                FROM live_leads WHERE {IN_PERIOD.format(date="created_at")} AND {_L}
                GROUP BY owner_id""",
    "rollup": f"""SELECT owner_id, sum(n) AS new_leads, sum(converted) AS converted_leads
                  FROM roll_leads WHERE {ROLLED.format(grain="month")} AND {_L}
                  GROUP BY owner_id""",
}

# Customers whose first approved contract (by order date) lies in the period.
DEALS = f"""
SELECT customer_id, owner_id, province, first_order, first_order - created AS days
FROM first_deals
WHERE {IN_PERIOD.format(date="first_order")} AND {_C}"""

BY_EMPLOYEE_SQL = f"""
WITH cust AS ({{customers}}),
fu AS ({{follow_ups}}),
followed AS ({{followed}}),
ld AS ({{leads}}),
moves AS (
    SELECT CASE WHEN kind IN ('release', 'recall') THEN from_owner_id ELSE to_owner_id END
               AS owner_id, kind IN ('release', 'recall') AS released
    FROM pool_events WHERE {IN_PERIOD.format(date="happened_at")}),
pool AS (
    SELECT owner_id, count(*) FILTER (WHERE released) AS pool_released,
           count(*) FILTER (WHERE NOT released) AS pool_claimed
    FROM moves WHERE owner_id IS NOT NULL AND {_C} GROUP BY owner_id),
cycle AS (SELECT owner_id, round(avg(days), 1) AS avg_deal_days FROM ({DEALS}) GROUP BY owner_id),
people AS (SELECT * FROM users u WHERE {_C.replace("owner_id", "u.id")})
SELECT p.id AS user_id, p.display_name AS employee, d.name AS department,
       CAST(coalesce(cust.new_customers, 0) AS BIGINT) AS new_customers,
       CAST(coalesce(cust.dealt_customers, 0) AS BIGINT) AS dealt_customers,
       round(100.0 * cust.dealt_customers / nullif(cust.new_customers, 0), 2) AS deal_rate_pct,
       CAST(coalesce(fu.follow_ups, 0) AS BIGINT) AS follow_ups,
       CAST(coalesce(followed.customers_followed, 0) AS BIGINT) AS customers_followed,
       CAST(coalesce(ld.new_leads, 0) AS BIGINT) AS new_leads,
       CAST(coalesce(ld.converted_leads, 0) AS BIGINT) AS converted_leads,
       round(100.0 * ld.converted_leads / nullif(ld.new_leads, 0), 2) AS lead_conversion_pct,
       coalesce(pool.pool_released, 0) AS pool_released,
       coalesce(pool.pool_claimed, 0) AS pool_claimed,
       cycle.avg_deal_days
FROM people p
LEFT JOIN departments d ON d.id = p.department_id
LEFT JOIN cust ON cust.owner_id = p.id
LEFT JOIN fu ON fu.owner_id = p.id
LEFT JOIN followed ON followed.owner_id = p.id
LEFT JOIN ld ON ld.owner_id = p.id
LEFT JOIN pool ON pool.owner_id = p.id
LEFT JOIN cycle ON cycle.owner_id = p.id
WHERE p.is_active OR cust.owner_id IS NOT NULL OR fu.owner_id IS NOT NULL
ORDER BY new_customers DESC, employee, user_id"""

FOLLOW_UP_KINDS = {
    "rows": f"""SELECT kind, count(*) AS follow_ups FROM live_follow_ups
                WHERE {IN_PERIOD.format(date="created_at")} AND {_F} GROUP BY kind""",
    "rollup": f"""SELECT kind, sum(n) AS follow_ups FROM roll_follow_ups
                  WHERE {ROLLED.format(grain="month")} AND {_F} GROUP BY kind""",
}
FOLLOW_UP_KINDS_SQL = """
SELECT kind, CAST(follow_ups AS BIGINT) AS follow_ups,
       round(100.0 * follow_ups / sum(follow_ups) OVER (), 2) AS share_pct
FROM ({kinds})
ORDER BY follow_ups DESC, kind"""

DEAL_CYCLE_SQL: dict[str, str] = {
    "employee": f"""
        SELECT CAST(d.owner_id AS VARCHAR) AS key, u.display_name AS label,
               count(*) AS customers, round(avg(d.days), 1) AS avg_deal_days
        FROM ({DEALS}) d LEFT JOIN users u ON u.id = d.owner_id
        GROUP BY ALL ORDER BY customers DESC, label""",
    "province": f"""
        SELECT coalesce(province, '') AS key, coalesce(province, '') AS label,
               count(*) AS customers, round(avg(days), 1) AS avg_deal_days
        FROM ({DEALS}) GROUP BY ALL ORDER BY customers DESC, label""",
    "product": f"""
        WITH sold AS (
            SELECT DISTINCT d.customer_id, d.days, l.product_id
            FROM ({DEALS}) d
            JOIN ok_contract_lines l
              ON l.customer_id = d.customer_id AND l.order_date = d.first_order)
        SELECT CAST(s.product_id AS VARCHAR) AS key, p.name AS label,
               count(*) AS customers, round(avg(s.days), 1) AS avg_deal_days
        FROM sold s LEFT JOIN products p ON p.id = s.product_id
        GROUP BY ALL ORDER BY customers DESC, label""",
}


def _path(period: Period) -> str:
    return "rollup" if use_rollups(period) else "rows"


def _followed(period: Period) -> str:
    chosen = grain(MEASURES["customers_followed"], period) if use_rollups(period) else None
    return FOLLOWED["rollup"].format(grain=chosen) if chosen else FOLLOWED["rows"]


def _params(mirror, actor: Actor, period: Period, who: Who) -> dict:
    return scope_params(mirror, actor, who, "customer", "followup", "lead") | period_params(period)


def by_employee(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    path = _path(period)
    sql = BY_EMPLOYEE_SQL.format(customers=CUSTOMERS[path], follow_ups=FOLLOW_UPS[path],
                                 followed=_followed(period), leads=LEADS[path])  # fmt: skip
    return mirror.query(sql, **_params(mirror, actor, period, who))


def trend(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    new = by_bucket(mirror, "new_customers", actor=actor, period=period, who=who)
    dealt = by_bucket(mirror, "dealt_customers", actor=actor, period=period, who=who)
    return new.rename({"value": "new_customers"}).with_columns(dealt_customers=dealt["value"])


def follow_up_kinds(mirror, *, actor: Actor, period: Period,
                    who: Who = EVERYONE) -> pl.DataFrame:  # fmt: skip
    sql = FOLLOW_UP_KINDS_SQL.format(kinds=FOLLOW_UP_KINDS[_path(period)])
    return mirror.query(sql, **_params(mirror, actor, period, who))


def deal_cycle(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
               by: str = "employee") -> pl.DataFrame:  # fmt: skip
    if by not in DEAL_CYCLE_SQL:
        raise ValueError(f"unknown deal cycle grouping {by!r}")
    return mirror.query(DEAL_CYCLE_SQL[by], **_params(mirror, actor, period, who))
