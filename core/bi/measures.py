"""The figures reports share — what is counted, from which view, dated by which column, under
which scope — and three query shapes over them: per owner, per bucket, and the matching ids
(the records behind a number, for click-through lists).

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


MEASURES: dict[str, Measure] = {
    "new_customers": Measure("live_customers", "created_at", "count(*)", "customer"),
    "dealt_customers": Measure("live_customers", "created_at", "count(*)", "customer", "is_dealt"),
    "new_contacts": Measure("live_contacts", "created_at", "count(*)", "contact"),
    "new_leads": Measure("live_leads", "created_at", "count(*)", "lead"),
    "new_opportunities": Measure("live_opportunities", "created_at", "count(*)", "opportunity"),
    "opportunity_amount": Measure(
        "live_opportunities", "created_at", "sum(amount)", "opportunity", is_amount=True
    ),
    "contracts": Measure("ok_contracts", "order_date", "count(*)", "contract"),
    "contract_amount": Measure(
        "ok_contracts", "order_date", "sum(amount)", "contract", is_amount=True
    ),
    "receivables": Measure("ok_receivables", "received_date", "count(*)", "receivable"),
    "receivable_amount": Measure(
        "ok_receivables", "received_date", "sum(amount)", "receivable", is_amount=True
    ),
    "product_sales": Measure("ok_contract_lines", "order_date", "sum(quantity)", "contract"),
    "follow_ups": Measure("live_follow_ups", "created_at", "count(*)", "followup"),
    "customers_followed": Measure(
        "live_follow_ups", "created_at", "count(DISTINCT customer_id)", "followup"
    ),
    "trips": Measure("ok_trips", "trip_at", "count(*)", "trip"),
    "visits": Measure("visits", "created_at", "count(*)", "visit"),
}

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


def sql(template: str, name: str, **extra: str) -> str:
    """A query of the given shape for one measure (all values stay parameters)."""
    m = MEASURES[name]
    return template.format(
        value=m.value,
        type="DOUBLE" if m.is_amount or name == "product_sales" else "BIGINT",
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
    return mirror.query(sql(BY_OWNER_SQL, name), **params)


def by_bucket(mirror, name: str, *, actor: Actor, period: Period, who: Who = EVERYONE):
    """bucket (DATE: the day or the month's first day), value — every bucket, zeros included."""
    params = scope_params(mirror, actor, who, MEASURES[name].scope) | period_params(period)
    found = mirror.query(sql(BY_BUCKET_SQL, name), bucket=period.bucket, **params)
    frame = pl.DataFrame({"bucket": period.buckets()}, schema={"bucket": pl.Date})
    frame = frame.join(found, on="bucket", how="left")
    return frame.with_columns(pl.col("value").fill_null(0))


def total(mirror, name: str, *, actor: Actor, period: Period, who: Who = EVERYONE) -> float:
    params = scope_params(mirror, actor, who, MEASURES[name].scope) | period_params(period)
    value = mirror.query(sql(TOTAL_SQL, name), **params)["value"][0]
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
