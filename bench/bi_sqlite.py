"""The baseline for bench/bi.py: each report's figures computed by SQL directly in a SQLite
store (what the app would do without the mirror), for the admin's view (no owner filter).

Parameters: :s/:e (period, ISO text, end exclusive), :ps (previous period start), :ys/:ye (the
same period a year earlier), :t0 (12-month trend start), :today, :tomorrow, :soon (today + 30),
:year, :ym0/:ym1 (first/last month as year*100+month)."""

from __future__ import annotations

_LIVE = "deleted_at IS NULL"
_OK = "deleted_at IS NULL AND approval_status = 'approved'"


def _two(table: str, date: str, value: str, where: str = _LIVE) -> str:
    return (
        f"SELECT {value.format(f=f'FILTER (WHERE {date} >= :s)')}, "
        f"{value.format(f=f'FILTER (WHERE {date} < :s)')} "
        f"FROM {table} WHERE {where} AND {date} >= :ps AND {date} < :e"
    )


BRIEFING = [
    _two("customers", "created_at", "count(*) {f}"),
    _two("contacts", "created_at", "count(*) {f}"),
    _two("opportunities", "created_at", "count(*) {f}, sum(amount) {f}"),
    _two("contracts", "order_date", "count(*) {f}, sum(amount) {f}", _OK),
    _two("receivables", "received_date", "sum(amount) {f}", _OK),
    _two("follow_ups", "created_at", "count(*) {f}"),
]

TARGETS_IN_PERIOD = """
SELECT sum(amount) FROM sales_targets
WHERE metric = 'contract' AND user_id IS NOT NULL AND year * 100 + month BETWEEN :ym0 AND :ym1"""

DASHBOARD = [
    *BRIEFING,
    f"SELECT sum(amount) FROM contracts WHERE {_OK} AND order_date >= :s AND order_date < :e",
    f"SELECT sum(amount) FROM receivables WHERE {_OK} AND received_date >= :s AND received_date < :e",
    TARGETS_IN_PERIOD,
    TARGETS_IN_PERIOD.replace("'contract'", "'receivable'"),
    f"""SELECT stage_id, status, count(*), sum(amount) FROM opportunities
        WHERE {_LIVE} AND created_at >= :s AND created_at < :e
          AND stage_group_id = (SELECT id FROM stage_groups ORDER BY is_default DESC, id LIMIT 1)
        GROUP BY 1, 2""",
    f"""SELECT substr(order_date, 1, 7), sum(amount) FROM contracts
        WHERE {_OK} AND order_date >= :t0 AND order_date < :e GROUP BY 1""",
    f"""SELECT substr(received_date, 1, 7), sum(amount) FROM receivables
        WHERE {_OK} AND received_date >= :t0 AND received_date < :e GROUP BY 1""",
    """SELECT year, month, metric, sum(amount) FROM sales_targets
       WHERE user_id IS NOT NULL GROUP BY 1, 2, 3""",
    f"""SELECT count(*) FILTER (WHERE idle >= 7), count(*) FILTER (WHERE idle >= 15),
               count(*) FILTER (WHERE idle >= 30), count(*) FILTER (WHERE idle >= 90),
               count(*) FILTER (WHERE idle >= 180)
        FROM (SELECT julianday(:today)
                     - julianday(date(coalesce(last_followup_at, owned_since, created_at))) AS idle
              FROM customers WHERE {_LIVE} AND owner_id IS NOT NULL)""",
    f"""SELECT count(*) FROM customers
        WHERE {_LIVE} AND next_contact_at >= :today AND next_contact_at < :tomorrow""",
    f"""SELECT count(*) FROM customers c
        JOIN pool_rules r ON r.pool_id = coalesce(c.pool_id,
             (SELECT id FROM pools WHERE is_default ORDER BY id LIMIT 1))
         AND (r.customer_level = c.level OR r.customer_level = '')
        JOIN pools p ON p.id = r.pool_id AND p.recall_enabled AND p.is_active
        WHERE c.{_LIVE} AND c.owner_id IS NOT NULL AND NOT c.is_locked
          AND NOT (p.exempt_dealt AND c.is_dealt)
          AND julianday(date(coalesce(c.last_followup_at, c.owned_since, c.created_at)))
              + r.days_without_followup <= julianday(:today) + p.warn_days""",
    f"SELECT count(*) FROM contracts WHERE {_LIVE} AND approval_status = 'pending'",
    f"SELECT count(*) FROM receivables WHERE {_LIVE} AND approval_status = 'pending'",
    f"""SELECT count(*) FROM receivable_plans
        WHERE {_LIVE} AND status <> 'done' AND date(planned_date, '-' || remind_days || ' days') <= :today""",
    f"SELECT count(*) FROM contracts WHERE {_OK} AND end_date >= :today AND end_date <= :soon",
]

CUSTOMER_ANALYSIS = [
    f"""WITH cust AS (SELECT owner_id, count(*) n, count(*) FILTER (WHERE is_dealt) dealt
                      FROM customers WHERE {_LIVE} AND created_at >= :s AND created_at < :e
                      GROUP BY owner_id),
        fu AS (SELECT owner_id, count(*) n, count(DISTINCT customer_id) c FROM follow_ups
               WHERE {_LIVE} AND created_at >= :s AND created_at < :e GROUP BY owner_id),
        ld AS (SELECT owner_id, count(*) n, count(*) FILTER (WHERE is_converted) conv FROM leads
               WHERE {_LIVE} AND created_at >= :s AND created_at < :e GROUP BY owner_id),
        pool AS (SELECT CASE WHEN kind IN ('release', 'recall') THEN from_owner_id
                             ELSE to_owner_id END AS owner_id, count(*) n FROM pool_events
                 WHERE happened_at >= :s AND happened_at < :e GROUP BY 1),
        firsts AS (SELECT customer_id, min(order_date) f FROM contracts WHERE {_OK}
                   AND customer_id IN (SELECT customer_id FROM contracts WHERE {_OK}
                                       AND order_date >= :s AND order_date < :e)
                   GROUP BY customer_id HAVING min(order_date) >= :s),
        cycle AS (SELECT c.owner_id, avg(julianday(f.f) - julianday(date(c.created_at))) d
                  FROM firsts f JOIN customers c ON c.id = f.customer_id GROUP BY c.owner_id)
    SELECT u.id, cust.n, cust.dealt, fu.n, fu.c, ld.n, ld.conv, pool.n, cycle.d FROM users u
    LEFT JOIN cust ON cust.owner_id = u.id LEFT JOIN fu ON fu.owner_id = u.id
    LEFT JOIN ld ON ld.owner_id = u.id LEFT JOIN pool ON pool.owner_id = u.id
    LEFT JOIN cycle ON cycle.owner_id = u.id""",
]

FUNNEL = [
    f"""SELECT stage_id, count(*), sum(amount) FROM opportunities
        WHERE {_LIVE} AND status = 'open' AND created_at >= :s AND created_at < :e
        GROUP BY stage_id""",
    f"""WITH opp AS (SELECT id, status, stage_id FROM opportunities
                     WHERE {_LIVE} AND created_at >= :s AND created_at < :e),
        hist AS (SELECT h.opportunity_id, max(s.position) p FROM opportunity_stage_changes h
                 JOIN stages s ON s.id = h.to_stage_id
                 WHERE h.opportunity_id IN (SELECT id FROM opp) GROUP BY 1),
        reach AS (SELECT o.id, CASE WHEN o.status = 'won' THEN 1000000
                  ELSE max(coalesce(s.position, 0), coalesce(h.p, 0)) END AS p
                  FROM opp o LEFT JOIN stages s ON s.id = o.stage_id
                  LEFT JOIN hist h ON h.opportunity_id = o.id)
    SELECT s.id, count(r.id) FROM stages s LEFT JOIN reach r ON r.p >= s.position
    GROUP BY s.id""",
    f"""SELECT count(*), count(*) FILTER (WHERE status = 'won'), count(*) FILTER (WHERE status = 'lost'),
               sum(amount) FILTER (WHERE status = 'won') FROM opportunities
        WHERE {_LIVE} AND created_at >= :s AND created_at < :e""",
]

PERFORMANCE = [
    f"""WITH k AS (SELECT owner_id,
            count(*) FILTER (WHERE order_date >= :s), sum(amount) FILTER (WHERE order_date >= :s),
            count(*) FILTER (WHERE order_date < :s), sum(amount) FILTER (WHERE order_date < :s)
            FROM contracts WHERE {_OK} AND order_date >= :ps AND order_date < :e GROUP BY 1),
        y AS (SELECT owner_id, count(*), sum(amount) FROM contracts
              WHERE {_OK} AND order_date >= :ys AND order_date < :ye GROUP BY 1),
        r AS (SELECT owner_id, sum(amount) FILTER (WHERE received_date >= :s),
                     sum(amount) FILTER (WHERE received_date < :s)
              FROM receivables WHERE {_OK} AND received_date >= :ps AND received_date < :e GROUP BY 1)
    SELECT * FROM users u LEFT JOIN k ON k.owner_id = u.id LEFT JOIN y ON y.owner_id = u.id
    LEFT JOIN r ON r.owner_id = u.id""",
    f"""SELECT substr(order_date, 1, 7), count(*), sum(amount) FROM contracts
        WHERE {_OK} AND order_date >= :ys AND order_date < :e GROUP BY 1""",
    f"""SELECT substr(received_date, 1, 7), sum(amount) FROM receivables
        WHERE {_OK} AND received_date >= :ys AND received_date < :e GROUP BY 1""",
]

PORTRAIT = [
    f"""SELECT {d}, count(*), count(*) FILTER (WHERE is_dealt) FROM customers
        WHERE {_LIVE} AND created_at >= :s AND created_at < :e GROUP BY 1"""
    for d in ("province", "industry", "level", "source")
]

PRODUCTS = [
    f"""SELECT l.product_id, sum(l.quantity), sum(l.subtotal), count(DISTINCT l.contract_id)
        FROM contract_lines l JOIN contracts c ON c.id = l.contract_id
        WHERE c.{_OK} AND c.order_date >= :s AND c.order_date < :e GROUP BY 1""",
    f"""SELECT p.category_id, sum(l.quantity), sum(l.subtotal), count(DISTINCT l.contract_id)
        FROM contract_lines l JOIN contracts c ON c.id = l.contract_id
        LEFT JOIN products p ON p.id = l.product_id
        WHERE c.{_OK} AND c.order_date >= :s AND c.order_date < :e GROUP BY 1""",
]

RANKINGS = [
    f"""SELECT u.id, coalesce(x.v, 0) v FROM users u LEFT JOIN (
            SELECT owner_id, sum(amount) v FROM contracts
            WHERE {_OK} AND order_date >= :s AND order_date < :e GROUP BY 1) x
        ON x.owner_id = u.id ORDER BY v DESC""",
    f"""SELECT u.id, coalesce(x.v, 0) v FROM users u LEFT JOIN (
            SELECT owner_id, count(DISTINCT customer_id) v FROM follow_ups
            WHERE {_LIVE} AND created_at >= :s AND created_at < :e GROUP BY 1) x
        ON x.owner_id = u.id ORDER BY v DESC""",
]

TARGETS = [
    f"""WITH a AS (SELECT owner_id, CAST(substr(order_date, 6, 2) AS INTEGER) m, sum(amount) v
                   FROM contracts WHERE {_OK} AND order_date >= :year || '-01-01'
                   AND order_date < (:year + 1) || '-01-01' GROUP BY 1, 2),
        t AS (SELECT user_id, month, sum(amount) v FROM sales_targets
              WHERE year = :year AND metric = 'contract' AND user_id IS NOT NULL GROUP BY 1, 2)
    SELECT u.id, sum(t.v), sum(a.v) FROM users u LEFT JOIN t ON t.user_id = u.id
    LEFT JOIN a ON a.owner_id = u.id AND a.m = t.month GROUP BY u.id""",
    f"""WITH RECURSIVE tree(anc, id) AS (SELECT id, id FROM departments
            UNION SELECT tree.anc, d.id FROM departments d JOIN tree ON d.parent_id = tree.id),
        a AS (SELECT owner_id, CAST(substr(order_date, 6, 2) AS INTEGER) m, sum(amount) v
              FROM contracts WHERE {_OK} AND order_date >= :year || '-01-01'
              AND order_date < (:year + 1) || '-01-01' GROUP BY 1, 2)
    SELECT tree.anc, a.m, sum(a.v) FROM a JOIN users u ON u.id = a.owner_id
    JOIN tree ON tree.id = u.department_id GROUP BY 1, 2""",
]

REPORTS: dict[str, list[str]] = {
    "dashboard (CUS-1, all cards)": DASHBOARD,
    "BI-1 employee customer analysis": CUSTOMER_ANALYSIS,
    "BI-2 sales funnel": FUNNEL,
    "BI-3 employee performance": PERFORMANCE,
    "BI-4 customer portrait": PORTRAIT,
    "BI-5 product analysis": PRODUCTS,
    "BI-6 rankings": RANKINGS,
    "BI-7 target completion": TARGETS,
}
