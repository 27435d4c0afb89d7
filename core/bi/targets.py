"""Target completion (BI-7): monthly and yearly targets (SalesTarget, set by managers) against
approved contract or receivable amounts, per employee and per department, with completion %.

API — `metric` is "contract" (ok contracts by order date) or "receivable" (ok receivables by
receipt date); the viewer's scope for that record type applies, narrowed by `who`:
- monthly(mirror, *, actor, year, metric, by="employee"|"department", who=EVERYONE)
    -> id, name, month (1…12), target, actual, completion_pct
- yearly(mirror, *, actor, year, metric, by=…, who=EVERYONE)
    -> id, name, target, actual, completion_pct
- period_target(mirror, *, actor, period, metric, who=EVERYONE) -> float: the target of any
  period, each month's target pro rata to the days of it inside the period (dashboard).
- monthly_targets(mirror, *, actor, period, metric, who=EVERYONE) -> month (DATE), target
- period_targets(…) / monthly_targets_all(…): the same for both metrics in one query

Employees: users in scope (inactive ones only with a target or an amount). Departments: those
with an employee in scope; a department's actual covers its sub-departments. Which targets add
up to a figure: the filtered department's own target when the viewer's scope covers the whole
department, otherwise the employees' targets."""

from __future__ import annotations

import polars as pl

from core.bi.measures import MEASURES, SCOPE, effective
from core.bi.periods import Period
from core.bi.periods import year as year_period
from core.bi.scope import ACTIONS, EVERYONE, Who, department_users, scope_params
from core.permissions import Actor

METRICS = {"contract": "contract_amount", "receivable": "receivable_amount"}

TARGET_MONTHS = """
SELECT *, make_date(year, month, 1) AS m_start, last_day(make_date(year, month, 1)) AS m_end
FROM sales_targets WHERE metric = $metric"""

USER_HOLDERS = "user_id IS NOT NULL AND ({scope})"
DEPARTMENT_HOLDER = "user_id IS NULL AND department_id = $department_id"

PERIOD_TARGET_SQL = """
SELECT CAST(coalesce(round(sum(CAST(amount AS DOUBLE)
       * (datediff('day', greatest(m_start, $start), least(m_end, $last)) + 1)
       / day(m_end)), 2), 0) AS DOUBLE) AS target
FROM ({months}) t
WHERE m_end >= $start AND m_start <= $last AND {holder}"""

MONTHLY_TARGETS_SQL = """
SELECT m_start AS month, CAST(sum(amount) AS DOUBLE) AS target
FROM ({months}) t
WHERE m_start >= $start AND m_start <= $last AND {holder}
GROUP BY m_start"""

# Amount per owner and month of the year.
ACTUALS = """
SELECT owner_id, CAST(month({date}) AS BIGINT) AS month, {value} AS actual
FROM {source}
WHERE {where} AND {date} >= $start AND {date} < $end AND ({scope})
GROUP BY ALL"""

EMPLOYEE_MONTHLY_SQL = """
WITH actuals AS ({actuals}),
targets AS (SELECT user_id, month, sum(amount) AS target FROM sales_targets
            WHERE metric = $metric AND year = $year AND user_id IS NOT NULL GROUP BY ALL),
people AS (
    SELECT u.id, u.display_name AS name FROM users u
    WHERE ({user_scope})
      AND (u.is_active OR u.id IN (SELECT owner_id FROM actuals)
           OR u.id IN (SELECT user_id FROM targets)))
SELECT p.id, p.name, m.month,
       CAST(coalesce(t.target, 0) AS DOUBLE) AS target,
       CAST(coalesce(a.actual, 0) AS DOUBLE) AS actual
FROM people p CROSS JOIN range(1, 13) m(month)
LEFT JOIN targets t ON t.user_id = p.id AND t.month = m.month
LEFT JOIN actuals a ON a.owner_id = p.id AND a.month = m.month
ORDER BY p.name, p.id, m.month"""

DEPARTMENT_MONTHLY_SQL = """
WITH RECURSIVE tree(ancestor, id) AS (
    SELECT id, id FROM departments
    UNION
    SELECT t.ancestor, d.id FROM departments d JOIN tree t ON d.parent_id = t.id),
actuals AS ({actuals}),
in_scope AS (SELECT u.id, u.department_id FROM users u WHERE ({user_scope})),
shown AS (SELECT id, name, sort_order FROM departments
          WHERE $all_departments OR id IN (SELECT department_id FROM in_scope)),
dept_actuals AS (
    SELECT tree.ancestor AS department_id, a.month, sum(a.actual) AS actual
    FROM actuals a JOIN in_scope u ON u.id = a.owner_id JOIN tree ON tree.id = u.department_id
    GROUP BY ALL),
targets AS (SELECT department_id, month, sum(amount) AS target FROM sales_targets
            WHERE metric = $metric AND year = $year AND user_id IS NULL GROUP BY ALL)
SELECT s.id, s.name, m.month,
       CAST(coalesce(t.target, 0) AS DOUBLE) AS target,
       CAST(coalesce(a.actual, 0) AS DOUBLE) AS actual
FROM shown s CROSS JOIN range(1, 13) m(month)
LEFT JOIN targets t ON t.department_id = s.id AND t.month = m.month
LEFT JOIN dept_actuals a ON a.department_id = s.id AND a.month = m.month
ORDER BY s.sort_order, s.id, m.month"""


def _completion(frame: pl.DataFrame) -> pl.DataFrame:
    pct = pl.when(pl.col("target") > 0).then((pl.col("actual") / pl.col("target") * 100).round(2))
    return frame.with_columns(completion_pct=pct.otherwise(None))


def _params(mirror, actor: Actor, metric: str, who: Who, year: int) -> dict:
    scope_key = MEASURES[METRICS[metric]].scope
    params = scope_params(mirror, actor, who, scope_key)
    period = year_period(year)
    return params | {"start": period.start, "end": period.end_exclusive, "metric": metric,
                     "year": year}  # fmt: skip


def _sql(template: str, metric: str, year: int) -> str:
    m = effective(METRICS[metric], year_period(year))  # whole months: the monthly rollup
    scope = SCOPE.format(key=m.scope)
    actuals = ACTUALS.format(date=m.date, source=m.source, scope=scope, value=m.value,
                             where=m.where)  # fmt: skip
    return template.format(actuals=actuals, user_scope=scope.replace("owner_id", "u.id"))


def monthly(mirror, *, actor: Actor, year: int, metric: str, by: str = "employee",
            who: Who = EVERYONE) -> pl.DataFrame:  # fmt: skip
    params = _params(mirror, actor, metric, who, year)
    if by == "employee":
        frame = mirror.query(_sql(EMPLOYEE_MONTHLY_SQL, metric, year), **params)
    else:
        key = MEASURES[METRICS[metric]].scope
        params["all_departments"] = params[f"{key}_all"] and who.department_id is None
        frame = mirror.query(_sql(DEPARTMENT_MONTHLY_SQL, metric, year), **params)
    return _completion(frame)


def yearly(mirror, *, actor: Actor, year: int, metric: str, by: str = "employee",
           who: Who = EVERYONE) -> pl.DataFrame:  # fmt: skip
    months = monthly(mirror, actor=actor, year=year, metric=metric, by=by, who=who)
    totals = months.group_by("id", "name", maintain_order=True).agg(
        pl.col("target").sum().round(2), pl.col("actual").sum().round(2)
    )
    return _completion(totals)


def _holder(mirror, actor: Actor, metric: str, who: Who) -> tuple[str, dict]:
    """Whose targets make the figure: the filtered department's own, when the viewer sees the
    whole department, else the employees' in scope."""
    key = MEASURES[METRICS[metric]].scope
    params = scope_params(mirror, actor, who, key)
    if who.department_id is not None and not who.user_ids:
        scope = actor.owner_ids(ACTIONS[key])
        if scope is None or department_users(mirror, who.department_id) <= scope:
            return DEPARTMENT_HOLDER, {"department_id": who.department_id}
    scope_sql = SCOPE.format(key=key).replace("owner_id", "user_id")
    return USER_HOLDERS.format(scope=scope_sql), params


def _every_metric(mirror, actor: Actor, who: Who, template: str) -> tuple[str, dict]:
    """`template` for the contract and the receivable targets in one query (column metric)."""
    parts, params = [], {}
    for metric in METRICS:
        holder, found = _holder(mirror, actor, metric, who)
        months = TARGET_MONTHS.replace("$metric", f"'{metric}'")
        sql = template.format(months=months, holder=holder)
        parts.append(f"SELECT '{metric}' AS metric, * FROM ({sql})")
        params |= found
    return " UNION ALL ".join(parts), params


def period_targets(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> dict:
    """{metric: target of the period} for both metrics (see period_target)."""
    sql, params = _every_metric(mirror, actor, who, PERIOD_TARGET_SQL)
    frame = mirror.query(sql, start=period.start, last=period.end, **params)
    return dict(frame.iter_rows())


def monthly_targets_all(mirror, *, actor: Actor, period: Period,
                        who: Who = EVERYONE) -> pl.DataFrame:  # fmt: skip
    """metric, month, target for both metrics (see monthly_targets)."""
    sql, params = _every_metric(mirror, actor, who, MONTHLY_TARGETS_SQL)
    return mirror.query(sql, start=period.start, last=period.end, **params)


def period_target(mirror, *, actor: Actor, period: Period, metric: str,
                  who: Who = EVERYONE) -> float:  # fmt: skip
    holder, params = _holder(mirror, actor, metric, who)
    sql = PERIOD_TARGET_SQL.format(months=TARGET_MONTHS, holder=holder)
    params |= {"start": period.start, "last": period.end, "metric": metric}
    return mirror.query(sql, **params)["target"][0]


def monthly_targets(mirror, *, actor: Actor, period: Period, metric: str,
                    who: Who = EVERYONE) -> pl.DataFrame:  # fmt: skip
    holder, params = _holder(mirror, actor, metric, who)
    sql = MONTHLY_TARGETS_SQL.format(months=TARGET_MONTHS, holder=holder)
    params |= {"start": period.start, "last": period.end, "metric": metric}
    return mirror.query(sql, **params)
