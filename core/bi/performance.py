"""Employee performance (BI-3): contracts signed, contract amount and receivable amount (approved
only; contracts by order date, receivables by receipt date) with month-on-month and
year-on-year change.

API — `(mirror, *, actor, period, who=EVERYONE)`:
- trend(…) -> bucket (DATE), then for each figure f in FIGURES: f, f_prev, f_mom_pct,
  f_year_ago, f_yoy_pct — `prev` is the bucket before (the previous month; for day buckets the
  same day of the previous month), `year_ago` the same bucket a year earlier.
- by_employee(…) -> user_id, employee, department, then per figure the same five columns,
  comparing the period with `period.previous()` and `period.year_ago()`.
Amounts are DOUBLE exact to 2 dp; `*_pct` are percents (2 dp), null when the base is 0."""

from __future__ import annotations

import polars as pl

from core.bi.measures import MEASURES, SCOPE, effective
from core.bi.periods import Period, shift_months
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor

FIGURES = ("contracts", "contract_amount", "receivable_amount")

_RANGES = {"": "", "_prev": "prev_", "_year_ago": "ya_"}


def _filtered(value: str, date: str, name: str, cast: str) -> str:
    return ",\n".join(
        f"CAST(coalesce({value} FILTER (WHERE {date} >= ${p}start AND {date} < ${p}end), 0)"
        f" AS {cast}) AS {name}{suffix}"
        for suffix, p in _RANGES.items()
    )


def _any_range(date: str) -> str:
    return " OR ".join(f"({date} >= ${p}start AND {date} < ${p}end)" for p in _RANGES.values())


BY_EMPLOYEE_SQL = """
WITH k AS (
    SELECT owner_id,
           {contracts},
           {contract_amount}
    FROM {contract_source}
    WHERE {contract_where} AND ({contract_ranges}) AND {contract_scope}
    GROUP BY owner_id),
r AS (
    SELECT owner_id,
           {receivable_amount}
    FROM {receivable_source}
    WHERE {receivable_where} AND ({receivable_ranges}) AND {receivable_scope}
    GROUP BY owner_id),
people AS (SELECT * FROM users u WHERE {people_scope})
SELECT p.id AS user_id, p.display_name AS employee, d.name AS department,
       k.* EXCLUDE (owner_id), r.* EXCLUDE (owner_id)
FROM people p
LEFT JOIN k ON k.owner_id = p.id
LEFT JOIN r ON r.owner_id = p.id
LEFT JOIN departments d ON d.id = p.department_id
WHERE p.is_active OR k.owner_id IS NOT NULL OR r.owner_id IS NOT NULL
ORDER BY contract_amount DESC NULLS LAST, employee, user_id"""


def _by_employee_sql(period: Period) -> str:
    """Over the rollups when the three periods are whole months, else over the rows."""
    span = Period(period.year_ago().start, period.end)
    k, ka = effective("contracts", span), effective("contract_amount", span)
    r = effective("receivable_amount", span)
    return BY_EMPLOYEE_SQL.format(
        contracts=_filtered(k.value, k.date, "contracts", "BIGINT"),
        contract_amount=_filtered(ka.value, ka.date, "contract_amount", "DOUBLE"),
        contract_source=k.source, contract_where=k.where, contract_ranges=_any_range(k.date),
        contract_scope=SCOPE.format(key="contract"),
        receivable_amount=_filtered(r.value, r.date, "receivable_amount", "DOUBLE"),
        receivable_source=r.source, receivable_where=r.where,
        receivable_ranges=_any_range(r.date), receivable_scope=SCOPE.format(key="receivable"),
        people_scope=SCOPE.format(key="contract").replace("owner_id", "u.id"),
    )  # fmt: skip


def _change(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds f_mom_pct and f_yoy_pct next to each figure, in FIGURES order."""
    columns = [c for c in frame.columns if not any(c.startswith(f) for f in FIGURES)]
    out = []
    for f in FIGURES:
        for base, name in ((f"{f}_prev", f"{f}_mom_pct"), (f"{f}_year_ago", f"{f}_yoy_pct")):
            change = ((pl.col(f) - pl.col(base)) / pl.col(base) * 100).round(2)
            out.append(pl.when(pl.col(base) != 0).then(change).alias(name))
        columns += [f, f"{f}_prev", f"{f}_mom_pct", f"{f}_year_ago", f"{f}_yoy_pct"]
    return frame.with_columns(out).select(columns)


def by_employee(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    params = scope_params(mirror, actor, who, "contract", "receivable")
    for prefix, p in (("", period), ("prev_", period.previous()), ("ya_", period.year_ago())):
        params |= {f"{prefix}start": p.start, f"{prefix}end": p.end_exclusive}
    frame = mirror.query(_by_employee_sql(period), **params)
    figures = [c for c in frame.columns if c.startswith(FIGURES)]
    return _change(frame.with_columns(pl.col(figures).fill_null(0)))


TREND_SQL = """
SELECT CAST(date_trunc($bucket, {date}) AS DATE) AS bucket, {values}
FROM {source}
WHERE {where} AND {scope}
  AND (({date} >= $s0 AND {date} < $e0) OR ({date} >= $s1 AND {date} < $e1)
       OR ({date} >= $s2 AND {date} < $e2))
GROUP BY ALL"""


def _trend_sql(period: Period, figures: tuple[str, ...]) -> str:
    """One query for the figures of one source: the period's buckets, the buckets a month
    before and a year before (rollups when they answer whole months)."""
    span = Period(period.year_ago().start, period.end)
    days = period.bucket == "day"
    ms = [effective(f, span, days=days) for f in figures]
    values = ", ".join(f"CAST({m.value} AS {'DOUBLE' if m.is_amount else 'BIGINT'}) AS {f}"
                       for f, m in zip(figures, ms, strict=True))  # fmt: skip
    m = ms[0]
    return TREND_SQL.format(date=m.date, values=values, source=m.source, where=m.where,
                            scope=SCOPE.format(key=m.scope))  # fmt: skip


def trend(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE) -> pl.DataFrame:
    ranges = {"0": 0, "1": -1, "2": -12}
    params = {"bucket": period.bucket}
    for key, months in ranges.items():
        params[f"s{key}"] = shift_months(period.start, months)
        params[f"e{key}"] = shift_months(period.end_exclusive, months)
    frame = pl.DataFrame({"bucket": period.buckets()}, schema={"bucket": pl.Date})
    shifted = {"": "0d", "_prev": "-1mo", "_year_ago": "-1y"}
    for figures in (("contracts", "contract_amount"), ("receivable_amount",)):
        scope = scope_params(mirror, actor, who, MEASURES[figures[0]].scope)
        values = mirror.query(_trend_sql(period, figures), **params, **scope)
        for suffix, offset in shifted.items():
            keyed = values.rename({f: f"{f}{suffix}" for f in figures} | {"bucket": "_key"})
            frame = frame.with_columns(_key=pl.col("bucket").dt.offset_by(offset))
            frame = frame.join(keyed, on="_key", how="left").drop("_key")
    figures = [c for c in frame.columns if c != "bucket"]
    return _change(frame.with_columns(pl.col(figures).fill_null(0)))
