"""The figures reports share — what is counted, from which view, dated by which column, under
which scope — and the query shapes over them: per owner, per bucket, a total, and the matching
ids (the records behind a number, for click-through lists). Over whole months they read the
monthly rollups (core/bi/rollups.py) instead of the rows.

Dates follow DESIGN.md §4: contracts by order date, receivables by receipt date, trips by their
start, everything else by creation time."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.bi.periods import Period
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor


@dataclass(frozen=True)
class Measure:
    source: str  # a view of core/bi/views.py
    date: str  # the column that places a row in a period
    value: str  # the aggregate; amounts are DECIMAL(14,2) sums cast to DOUBLE at the end
    scope: str  # key of core/bi/scope.ACTIONS
    where: str = "TRUE"
    is_amount: bool = False
    rollup: tuple[str, str] | None = None  # (core/bi/rollups table, its aggregate)
    distinct: bool = False  # a distinct count: does not add up over months


def _m(source, date, value, scope, rollup, where="TRUE", **kw) -> Measure:
    return Measure(source, date, value, scope, where, rollup=rollup, **kw)


MEASURES: dict[str, Measure] = {
    "new_customers": _m("live_customers", "created_at", "count(*)", "customer",
                        ("roll_customers", "sum(n)")),
    "dealt_customers": _m("live_customers", "created_at", "count(*)", "customer",
                          ("roll_customers", "sum(dealt)"), "is_dealt"),
    "new_contacts": _m("live_contacts", "created_at", "count(*)", "contact",
                       ("roll_contacts", "sum(n)")),
    "new_leads": _m("live_leads", "created_at", "count(*)", "lead", ("roll_leads", "sum(n)")),
    "new_opportunities": _m("live_opportunities", "created_at", "count(*)", "opportunity",
                            ("roll_opportunities", "sum(n)")),
    "opportunity_amount": _m("live_opportunities", "created_at", "sum(amount)", "opportunity",
                             ("roll_opportunities", "sum(amount)"), is_amount=True),
    "contracts": _m("ok_contracts", "order_date", "count(*)", "contract",
                    ("roll_contracts", "sum(n)")),
    "contract_amount": _m("ok_contracts", "order_date", "sum(amount)", "contract",
                          ("roll_contracts", "sum(amount)"), is_amount=True),
    "receivables": _m("ok_receivables", "received_date", "count(*)", "receivable",
                      ("roll_receivables", "sum(n)")),
    "receivable_amount": _m("ok_receivables", "received_date", "sum(amount)", "receivable",
                            ("roll_receivables", "sum(amount)"), is_amount=True),
    "product_sales": _m("ok_contract_lines", "order_date", "sum(quantity)", "contract",
                        ("roll_products", "sum(quantity)"), is_amount=True),
    "follow_ups": _m("live_follow_ups", "created_at", "count(*)", "followup",
                     ("roll_follow_ups", "sum(n)")),
    "customers_followed": _m("live_follow_ups", "created_at", "count(DISTINCT customer_id)",
                             "followup", ("roll_followed", "sum(customers)"), distinct=True),
    "trips": _m("ok_trips", "trip_at", "count(*)", "trip", ("roll_trips", "sum(n)")),
    "visits": _m("visits", "created_at", "count(*)", "visit", ("roll_visits", "sum(n)")),
}  # fmt: skip


def grain(measure: Measure, period: Period) -> str | None:
    """The rollup grain that answers `measure` over `period` exactly, if any: whole months
    add up; a distinct count needs exactly one month, calendar quarter or year."""
    months = period.whole_months
    if measure.rollup is None or not months:
        return None
    if not measure.distinct or months == 1:
        return "month"
    if months == 3 and period.start.month % 3 == 1:
        return "quarter"
    return "year" if months == 12 and period.start.month == 1 else None


USE_ROLLUPS = True  # tests switch it off to check that both paths give the same figures


def use_rollups(period: Period) -> bool:
    """True when the monthly rollups answer sums over `period` (whole months)."""
    return USE_ROLLUPS and bool(period.whole_months)


def effective(name: str, period: Period | None = None, *, days: bool = False) -> Measure:
    """The measure itself, or its rollup when that answers `period` exactly (`days`: the
    caller needs day buckets, which rollups do not have)."""
    m = MEASURES[name]
    chosen = grain(m, period) if period is not None and not days and USE_ROLLUPS else None
    if chosen is None:
        return m
    table, value = m.rollup
    return Measure(table, "start", value, m.scope, f"grain = '{chosen}'", m.is_amount)


# Which records a number opens: the measure's rows (a distinct-customer count opens customers).
ID_COLUMN = {"customers_followed": "customer_id", "product_sales": "contract_id"}

SCOPE = "(${key}_all OR owner_id IN (SELECT unnest(${key}_owners)))"
IN_PERIOD = "{date} >= $start AND {date} < $end"

BY_OWNER_SQL = """
SELECT owner_id, CAST({value} AS {type}) AS value
FROM {source}
WHERE {where} AND {in_period} AND {scope}
GROUP BY owner_id"""

BY_BUCKET_SQL = """
SELECT CAST(date_trunc($bucket, {date}) AS DATE) AS bucket, CAST({value} AS {type}) AS value
FROM {source}
WHERE {where} AND {in_period} AND {scope}
GROUP BY ALL"""

TOTAL_SQL = """
SELECT CAST({value} AS {type}) AS value
FROM {source}
WHERE {where} AND {in_period} AND {scope}"""

IDS_SQL = """
SELECT DISTINCT {id} AS id
FROM {source}
WHERE {where} AND {in_period} AND {scope} AND {id} IS NOT NULL AND {owner_filter}
ORDER BY 1"""


def sql(template: str, name: str, period: Period | None = None, *, days: bool = False,
        **extra: str) -> str:  # fmt: skip
    """A query of the given shape for one measure — over its rollup when that answers
    `period` exactly (all values stay parameters)."""
    m = effective(name, period, days=days)
    return template.format(
        value=m.value,
        type="DOUBLE" if m.is_amount else "BIGINT",
        source=m.source,
        where=m.where,
        in_period=IN_PERIOD.format(date=m.date),
        scope=SCOPE.format(key=m.scope),
        date=m.date,
        **extra,
    )


def period_params(period: Period) -> dict[str, object]:
    return {"start": period.start, "end": period.end_exclusive}


def by_owner(mirror, name: str, *, actor: Actor, period: Period, who: Who = EVERYONE):
    """owner_id, value — one row per owner with at least one counted record."""
    params = scope_params(mirror, actor, who, MEASURES[name].scope) | period_params(period)
    return mirror.query(sql(BY_OWNER_SQL, name, period), **params)


def by_bucket(mirror, name: str, *, actor: Actor, period: Period, who: Who = EVERYONE):
    """bucket (DATE: the day or the month's first day), value — every bucket, zeros included."""
    params = scope_params(mirror, actor, who, MEASURES[name].scope) | period_params(period)
    query = sql(BY_BUCKET_SQL, name, period, days=period.bucket == "day")
    found = mirror.query(query, bucket=period.bucket, **params)
    frame = pl.DataFrame({"bucket": period.buckets()}, schema={"bucket": pl.Date})
    frame = frame.join(found, on="bucket", how="left")
    return frame.with_columns(pl.col("value").fill_null(0))


def _union(template: str, names, period: Period, **extra) -> str:
    """One query for several measures: the template per measure, labelled by name."""
    return " UNION ALL ".join(
        f"SELECT '{n}' AS name, * FROM ({sql(template, n, period, **extra)})" for n in names
    )


def totals(mirror, names, *, actor: Actor, period: Period, who: Who = EVERYONE) -> dict:
    """{name: total} for several measures in one query."""
    keys = {MEASURES[n].scope for n in names}
    params = scope_params(mirror, actor, who, *keys) | period_params(period)
    found = dict(mirror.query(_union(TOTAL_SQL, names, period), **params).iter_rows())
    return {n: found.get(n) or 0 for n in names}


def by_buckets(mirror, names, *, actor: Actor, period: Period,
               who: Who = EVERYONE) -> pl.DataFrame:  # fmt: skip
    """bucket, then one column per measure — every bucket, zeros included; one query."""
    keys = {MEASURES[n].scope for n in names}
    params = scope_params(mirror, actor, who, *keys) | period_params(period)
    query = _union(BY_BUCKET_SQL, names, period, days=period.bucket == "day")
    found = mirror.query(query, bucket=period.bucket, **params)
    frame = pl.DataFrame({"bucket": period.buckets()}, schema={"bucket": pl.Date})
    for n in names:
        values = found.filter(pl.col("name") == n).select("bucket", pl.col("value").alias(n))
        frame = frame.join(values, on="bucket", how="left")
    return frame.fill_null(0)


def total(mirror, name: str, *, actor: Actor, period: Period, who: Who = EVERYONE) -> float:
    params = scope_params(mirror, actor, who, MEASURES[name].scope) | period_params(period)
    value = mirror.query(sql(TOTAL_SQL, name, period), **params)["value"][0]
    return value or 0


def ids(
    mirror,
    name: str,
    *,
    actor: Actor,
    period: Period,
    who: Who = EVERYONE,
    owner_id: int | None = None,
) -> list[int]:
    """Ids of the records behind a figure (one owner's, when a ranking row is clicked)."""
    params = scope_params(mirror, actor, who, MEASURES[name].scope) | period_params(period)
    owner_filter = "owner_id = $owner_id" if owner_id is not None else "TRUE"
    if owner_id is not None:
        params["owner_id"] = owner_id
    query = sql(IDS_SQL, name, id=ID_COLUMN.get(name, "id"), owner_filter=owner_filter)
    return mirror.query(query, **params)["id"].to_list()
