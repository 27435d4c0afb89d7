"""Pre-aggregated copies (DESIGN.md §4): per owner and month (and, for distinct customers, per
quarter and year) the counts and sums reports add up, plus two per-record derivations — each
customer's first deal and each opportunity's furthest stage. Periods made of whole months read
these instead of millions of rows.

They stay exact: every refresh captures the (owner, day) of each row it changes, before and
after, and recomputes just those cells from the mirrored rows in the same transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from core.bi import derived
from core.bi.periods import shift_months
from core.bi.schema import LISTED_IDS, in_ids


@dataclass(frozen=True)
class Rollup:
    name: str
    source: str  # a view of core/bi/views.py
    date: str  # the source column that places a row in a month
    values: str  # the aggregates
    tables: tuple[str, ...]  # mirrored tables whose rows feed it
    keys: tuple[str, ...] = ()  # group keys besides owner and period
    grains: tuple[str, ...] = ("month",)
    rebuild_on: tuple[str, ...] = ()  # tables whose any change recomputes it whole


ROLLUPS: tuple[Rollup, ...] = (
    Rollup("roll_customers", "live_customers", "created_at",
           "count(*) AS n, count(*) FILTER (WHERE is_dealt) AS dealt", ("customers",)),
    Rollup("roll_contacts", "live_contacts", "created_at", "count(*) AS n", ("contacts",)),
    Rollup("roll_leads", "live_leads", "created_at",
           "count(*) AS n, count(*) FILTER (WHERE is_converted) AS converted", ("leads",)),
    Rollup("roll_opportunities", "live_opportunities", "created_at",
           "count(*) AS n, sum(amount) AS amount", ("opportunities",),
           keys=("stage_group_id", "stage_id", "status")),
    Rollup("roll_contracts", "ok_contracts", "order_date",
           "count(*) AS n, sum(amount) AS amount", ("contracts",)),
    Rollup("roll_receivables", "ok_receivables", "received_date",
           "count(*) AS n, sum(amount) AS amount", ("receivables",)),
    # A contract has one order date, so distinct contracts per month add up over months. A
    # contract's change re-copies its lines (with its owner, date, approval), so lines suffice.
    Rollup("roll_products", "ok_contract_lines", "order_date",
           "sum(quantity) AS quantity, sum(subtotal) AS amount, "
           "count(DISTINCT contract_id) AS contracts",
           ("contract_lines",), keys=("product_id",)),
    # Per category, so a contract selling two products of one category counts once.
    Rollup("roll_categories", "ok_category_lines", "order_date",
           "sum(quantity) AS quantity, sum(subtotal) AS amount, "
           "count(DISTINCT contract_id) AS contracts",
           ("contract_lines",), keys=("category_id",), rebuild_on=("products",)),
    Rollup("roll_follow_ups", "live_follow_ups", "created_at", "count(*) AS n", ("follow_ups",),
           keys=("kind",)),
    # Distinct customers do not add up over months: one row per month, quarter and year.
    Rollup("roll_followed", "live_follow_ups", "created_at",
           "count(DISTINCT customer_id) AS customers", ("follow_ups",),
           grains=("month", "quarter", "year")),
    # Opportunities per furthest stage position (stage conversion, BI-2).
    Rollup("roll_reach", "opp_positions", "created_at", "count(*) AS n",
           ("opportunities", "opportunity_stage_changes"), keys=("stage_group_id", "position"),
           rebuild_on=("stages",)),
    Rollup("roll_trips", "ok_trips", "trip_at", "count(*) AS n", ("approval_requests",)),
    Rollup("roll_visits", "visits", "created_at", "count(*) AS n", ("check_ins",)),
)  # fmt: skip

# Per mirrored table: the owner and day of its rows ((columns, FROM clause)), captured for the
# rows in `_delta` before they go and after they arrive.
TOUCH: dict[str, tuple[str, str]] = {
    "customers": ("owner_id, created_at AS day", "customers"),
    "contacts": ("owner_id, created_at AS day", "contacts"),
    "leads": ("owner_id, created_at AS day", "leads"),
    "opportunities": ("owner_id, created_at AS day", "opportunities"),
    "contracts": ("owner_id, order_date AS day", "contracts"),
    "receivables": ("owner_id, received_date AS day", "receivables"),
    "follow_ups": ("owner_id, created_at AS day", "follow_ups"),
    "check_ins": ("owner_id, created_at AS day", "check_ins"),
    "approval_requests": ("owner_id, coalesce(starts_at, created_at) AS day", "approval_requests"),
    "opportunity_stage_changes": (
        "o.owner_id, o.created_at AS day",
        "opportunity_stage_changes"
        " JOIN opportunities o ON o.id = opportunity_stage_changes.opportunity_id",
    ),
    "contract_lines": ("owner_id, order_date AS day", "contract_lines"),
}
FULL_SQL = """
SELECT owner_id, '{grain}' AS grain, CAST(date_trunc('{grain}', {date}) AS DATE) AS start
       {keys}, {values}
FROM {source} WHERE {date} IS NOT NULL
GROUP BY ALL"""

DELETE_CELLS = """
DELETE FROM {name} WHERE grain = '{grain}'
  AND coalesce(owner_id, -1) IN {owners}
  AND (coalesce(owner_id, -1), start) IN {cells}"""

INSERT_CELLS = """
INSERT INTO {name}
SELECT owner_id, '{grain}' AS grain, CAST(date_trunc('{grain}', {date}) AS DATE) AS start
       {keys}, {values}
FROM {source}
WHERE {date} >= $low AND {date} < $high
  AND coalesce(owner_id, -1) IN {owners}
  AND (coalesce(owner_id, -1), CAST(date_trunc('{grain}', {date}) AS DATE)) IN {cells}
GROUP BY ALL"""


class Touched:
    """What one refresh changed: (table, owner, day) rows and derived keys."""

    def __init__(self) -> None:
        self.days: list[pl.DataFrame] = []
        self.keys: dict[str, set[int]] = defaultdict(set)
        self.full: set[str] = set()
        self.tables: set[str] = set()

    def capture(self, cur, table: str, ids: list[int] | None = None) -> None:
        """Record the rows of `table` listed in the registered `_delta` (`ids`: the same ids,
        when known) — call before the old rows go and after the new ones arrive — owner and
        day, and derived keys, in one go."""
        self.replaced(table)
        keys = derived.KEYS.get(table, {})
        if table not in TOUCH and not keys:
            return
        columns, source = TOUCH.get(table, ("NULL AS owner_id, NULL AS day", table))
        extra = "".join(f", {expr} AS {name}" for name, expr in keys.items())
        frame = cur.sql(
            f"SELECT {columns}{extra} FROM {source} WHERE {table}.id {in_ids(ids, '_delta')}"
        ).pl()
        if table in TOUCH:
            self.days.append(frame.select("owner_id", "day", tbl=pl.lit(table)))
        for name in keys:
            self.keys[name].update(k for k in frame[name].to_list() if k is not None)

    def capture_children(self, cur, table: str, fk: str, parent_ids: list[int] | None = None):
        """Record the rows of child `table` whose parents are in the registered `_parents`
        (before they are replaced with their parents' new state)."""
        if table in TOUCH:
            columns, source = TOUCH[table]
            query = f"SELECT {columns} FROM {source} WHERE {table}.{fk} {in_ids(parent_ids, '_parents')}"
            self.days.append(cur.sql(query).pl().with_columns(tbl=pl.lit(table)))
        self.tables.add(table)

    def replaced(self, table: str) -> None:
        """`table` changed as a whole (a full copy of a small table)."""
        self.tables.add(table)
        self.full |= {name for name, tables in derived.FULL.items() if table in tables}


def rebuild_all(cur) -> None:
    """Compute every derivation and rollup from the mirrored rows (after a full copy)."""
    derived.rebuild_all(cur)
    for r in ROLLUPS:
        _rebuild(cur, r)


def _rebuild(cur, r: Rollup) -> None:
    parts = [_format(FULL_SQL, r, g) for g in r.grains]
    cur.execute(f"CREATE OR REPLACE TABLE {r.name} AS " + " UNION ALL ".join(parts))


def _format(template: str, r: Rollup, grain: str, **where: str) -> str:
    keys = "".join(f", {k}" for k in r.keys)
    return template.format(grain=grain, date=r.date, keys=keys, values=r.values,
                           source=r.source, name=r.name, **where)  # fmt: skip


def update(cur, touched: Touched) -> None:
    """Recompute the derived rows and cells this refresh touched (inside its transaction);
    derivations first, since some rollups read them."""
    derived.update(cur, touched.keys, touched.full)
    days = pl.concat(touched.days, how="vertical_relaxed") if touched.days else None
    for r in ROLLUPS:
        if touched.tables & set(r.rebuild_on):
            _rebuild(cur, r)
        elif days is not None and touched.tables & set(r.tables):
            for grain in r.grains:
                _update_cells(cur, r, grain, days)


def _cells(days: pl.DataFrame, r: Rollup, grain: str) -> pl.DataFrame:
    """Distinct (owner, period start) of the touched rows that feed `r`."""
    every = {"month": "1mo", "quarter": "1q", "year": "1y"}[grain]
    return (
        days.filter(pl.col("tbl").is_in(r.tables) & pl.col("day").is_not_null())
        .select(o=pl.col("owner_id").fill_null(-1),
                s=pl.col("day").cast(pl.Date).dt.truncate(every))
        .unique()
    )  # fmt: skip


def _update_cells(cur, r: Rollup, grain: str, days: pl.DataFrame) -> None:
    cells = _cells(days, r, grain)
    if cells.is_empty():
        return
    step = {"month": 1, "quarter": 3, "year": 12}[grain]
    low, high = cells["s"].min(), shift_months(cells["s"].max(), step)
    if cells.height <= LISTED_IDS:  # literal lists let DuckDB prune (measured: ~2× quicker)
        owners = f"({', '.join(str(o) for o in cells['o'].unique().sort().to_list())})"
        pairs = ", ".join(f"({o}, DATE '{d:%Y-%m-%d}')" for o, d in cells.iter_rows())
        where = {"owners": owners, "cells": f"({pairs})"}
    else:
        cur.register("_cells", cells)
        where = {"owners": "(SELECT o FROM _cells)", "cells": "(SELECT o, s FROM _cells)"}
    cur.execute(_format(DELETE_CELLS, r, grain, **where))
    cur.execute(_format(INSERT_CELLS, r, grain, **where), {"low": low, "high": high})
    if cells.height > LISTED_IDS:
        cur.unregister("_cells")
