"""Per-record derivations the mirror keeps beside its copies: each customer's first deal (deal
cycle, BI-1), each opportunity's furthest stage (conversion, BI-2) and each owned customer's
last touch, next contact day and recall warning date, and the receivable plans still open
(forgotten customers and the to-do card, CUS-1).

Refreshes recompute the rows of the keys they touched; a change to a table in FULL (pools,
stages…) recomputes a derivation whole."""

from __future__ import annotations

import polars as pl

from core.bi.schema import LISTED_IDS, create_index, in_ids

FIRST_DEALS_SQL = """
SELECT c.id AS customer_id, c.owner_id, c.province, CAST(c.created_at AS DATE) AS created,
       f.first_order
FROM (SELECT customer_id, min(order_date) AS first_order FROM ok_contracts
      WHERE {filter} GROUP BY customer_id) f
JOIN live_customers c ON c.id = f.customer_id
WHERE {customer_filter}"""

REACH_SQL = """
SELECT h.opportunity_id, max(s.position) AS position
FROM opportunity_stage_changes h JOIN stages s ON s.id = h.to_stage_id
WHERE {filter}
GROUP BY h.opportunity_id"""

# The recall rules of the customer's pool (PoolRule per level; a rule for the customer's level
# wins over the "" rule for every level): the day the to-do card starts warning, i.e. the day
# it would return to the pool minus the pool's warning days. Null: never (locked, exempt, no
# rule). `touched`: the last follow-up, else since it was taken over or created.
CUSTOMER_STATUS_SQL = """
WITH default_pool AS (SELECT id FROM live_pools WHERE is_default ORDER BY id LIMIT 1),
rules AS (
    SELECT r.pool_id, r.customer_level, p.warn_days, p.exempt_dealt,
           CAST(r.days_without_followup AS INTEGER) AS followup_days,
           CAST(r.days_without_deal AS INTEGER) AS deal_days
    FROM pool_rules r JOIN live_pools p ON p.id = r.pool_id
    WHERE p.recall_enabled AND p.is_active
    QUALIFY row_number() OVER (PARTITION BY r.pool_id, r.customer_level ORDER BY r.id) = 1),
cust AS (
    SELECT c.id, c.owner_id, c.level, c.is_dealt, c.is_locked,
           CAST(c.next_contact_at AS DATE) AS next_contact,
           coalesce(c.pool_id, (SELECT id FROM default_pool)) AS home_pool,
           CAST(coalesce(c.last_followup_at, c.owned_since, c.created_at) AS DATE) AS touched,
           CAST(coalesce(c.owned_since, c.created_at) AS DATE) AS owned
    FROM live_customers c
    WHERE c.owner_id IS NOT NULL AND {filter}),
ruled AS (
    SELECT c.*, coalesce(own.warn_days, any_level.warn_days) AS warn_days,
           coalesce(own.exempt_dealt, any_level.exempt_dealt) AS exempt_dealt,
           CASE WHEN own.pool_id IS NOT NULL THEN own.followup_days
                ELSE any_level.followup_days END AS followup_days,
           CASE WHEN own.pool_id IS NOT NULL THEN own.deal_days
                ELSE any_level.deal_days END AS deal_days
    FROM cust c
    LEFT JOIN rules own ON own.pool_id = c.home_pool AND own.customer_level = c.level
                       AND c.level <> ''
    LEFT JOIN rules any_level ON any_level.pool_id = c.home_pool
                             AND any_level.customer_level = '')
SELECT id AS customer_id, owner_id, touched, next_contact,
       CASE WHEN NOT is_locked AND warn_days IS NOT NULL AND NOT (exempt_dealt AND is_dealt)
            THEN least(touched + followup_days, CASE WHEN NOT is_dealt THEN owned + deal_days END)
                 - CAST(warn_days AS INTEGER)
       END AS warn_date
FROM ruled"""

# Receivable plans not yet collected, with the day their reminder starts (CUS-1 to-do).
OPEN_PLANS_SQL = """
SELECT id AS plan_id, owner_id, planned_date - CAST(remind_days AS INTEGER) AS remind_date
FROM live_receivable_plans
WHERE status <> 'done' AND {filter}"""

# Per owner, how many customers were last touched / are due for contact on each day: a few
# rows per owner and day instead of a row per customer (forgotten customers, contact today).
CUSTOMER_DAYS_SQL = """
SELECT owner_id, 'touched' AS kind, touched AS day, count(*) AS customers
FROM customer_status WHERE {filter} GROUP BY ALL
UNION ALL
SELECT owner_id, 'next_contact', next_contact, count(*)
FROM customer_status WHERE next_contact IS NOT NULL AND {filter} GROUP BY ALL"""

# name -> (key column, SQL, {placeholder: the column it restricts to the touched keys})
KEYED = {
    "first_deals": (
        "customer_id",
        FIRST_DEALS_SQL,
        {"filter": "customer_id", "customer_filter": "c.id"},
    ),
    "opp_reach": ("opportunity_id", REACH_SQL, {"filter": "h.opportunity_id"}),
    "customer_status": ("customer_id", CUSTOMER_STATUS_SQL, {"filter": "c.id"}),
    "open_plans": ("plan_id", OPEN_PLANS_SQL, {"filter": "id"}),
    # After customer_status, which it reads.
    "customer_days": ("owner_id", CUSTOMER_DAYS_SQL, {"filter": "owner_id"}),
}
# Per mirrored table: the derived keys a row affects, as expressions over the row (captured
# for the rows of a refresh before and after, so moves away are recomputed too).
KEYS: dict[str, dict[str, str]] = {
    "customers": {"first_deals": "id", "customer_status": "id", "customer_days": "owner_id"},
    # Only approved contracts can make or move a first deal.
    "contracts": {
        "first_deals": (
            "CASE WHEN deleted_at IS NULL AND approval_status = 'approved' THEN customer_id END"
        ),
    },
    "opportunity_stage_changes": {"opp_reach": "opportunity_stage_changes.opportunity_id"},
    "receivable_plans": {"open_plans": "id"},
}
FULL: dict[str, set[str]] = {
    "opp_reach": {"stages"},
    "customer_status": {"pools", "pool_rules"},
}
ORDER = list(KEYED)  # derivations are brought up to date in this order

# Reads a derivation, so it is created with them.
OPP_POSITIONS_VIEW = """
CREATE OR REPLACE VIEW opp_positions AS
SELECT o.id, o.owner_id, o.created_at, o.stage_group_id,
       CASE WHEN o.status = 'won' THEN 1000000
            ELSE greatest(coalesce(s.position, 0), coalesce(r.position, 0)) END AS position
FROM live_opportunities o
LEFT JOIN stages s ON s.id = o.stage_id
LEFT JOIN opp_reach r ON r.opportunity_id = o.id"""


def rebuild_all(cur) -> None:
    for name in KEYED:
        _rebuild(cur, name)
    cur.execute(OPP_POSITIONS_VIEW)


def _rebuild(cur, name: str) -> None:
    key, sql, filters = KEYED[name]
    everything = dict.fromkeys(filters, "TRUE")
    cur.execute(f"CREATE OR REPLACE TABLE {name} AS " + sql.format(**everything))
    create_index(cur, name, key)  # refreshes replace rows by key


def update(cur, keys: dict[str, set[int]], full: set[str]) -> None:
    for name in ORDER:
        if name in full:
            _rebuild(cur, name)
        elif keys.get(name):
            _update(cur, name, keys[name])


def _update(cur, name: str, keys: set[int]) -> None:
    key, sql, filters = KEYED[name]
    listed = sorted(keys)
    many = len(listed) > LISTED_IDS
    if many:
        cur.register("_keys", pl.DataFrame({"k": listed}, schema={"k": pl.Int64}))
    where = in_ids(listed, "_keys", column="k")
    cur.execute(f"DELETE FROM {name} WHERE {key} {where}")
    only = {p: f"{column} {where}" for p, column in filters.items()}
    cur.execute(f"INSERT INTO {name} " + sql.format(**only))
    if many:
        cur.unregister("_keys")
