"""The records behind a report row (BI-*, CUS-1 click-through): ids from the mirror for rows that
core/bi/measures.ids does not cover (funnel stage, product, customer dimension, follow-up kind),
and which kind of record each figure opens. Names come from the store: core/bi/records.py.

API — `(mirror, *, actor, period, who=EVERYONE, …) -> list[int]`, in the viewer's scope:
- funnel_ids(…, status, stage_id=None, stage_group_id=None)   opportunities (created in period)
- product_contract_ids(…, product_id=None, category_id=None, any_category=True)   contracts
- portrait_ids(…, dimension, value, dealt_only=False)   customers created in the period
- follow_up_kind_ids(…, kind)   follow-ups
- bucket_period(period, bucket) -> the Period of one chart bucket (a day or a month)"""

from __future__ import annotations

import datetime as dt

from core.bi.funnel import GROUP_AND_OPPORTUNITIES
from core.bi.measures import SCOPE, period_params
from core.bi.periods import Period, month
from core.bi.portrait import DIMENSIONS
from core.bi.products import LINES
from core.bi.scope import EVERYONE, Who, scope_params
from core.permissions import Actor

# Which record a figure opens (measures, dashboard to-do items, report rows).
RECORD_OF: dict[str, str] = {
    "new_customers": "customer",
    "dealt_customers": "customer",
    "customers_followed": "customer",
    "new_contacts": "contact",
    "new_leads": "lead",
    "new_opportunities": "opportunity",
    "opportunity_amount": "opportunity",
    "contracts": "contract",
    "contract_amount": "contract",
    "product_sales": "contract",
    "receivables": "receivable",
    "receivable_amount": "receivable",
    "follow_ups": "follow_up",
    "trips": "trip",
    "visits": "visit",
    "contact_today": "customer",
    "about_to_return": "customer",
    "contracts_pending": "contract",
    "receivables_pending": "receivable",
    "plans_due": "receivable_plan",
    "contracts_expiring": "contract",
}

FUNNEL_IDS_SQL = f"""
WITH {GROUP_AND_OPPORTUNITIES}
SELECT id FROM opp
WHERE status = $status AND (CAST($stage_id AS BIGINT) IS NULL OR stage_id = $stage_id)
ORDER BY id"""

PRODUCT_CONTRACT_IDS_SQL = f"""
SELECT DISTINCT l.contract_id AS id
FROM ({LINES}) l LEFT JOIN products p ON p.id = l.product_id
WHERE (CAST($product_id AS BIGINT) IS NULL OR l.product_id = $product_id)
  AND ($any_category OR p.category_id IS NOT DISTINCT FROM CAST($category_id AS BIGINT))
ORDER BY 1"""

PORTRAIT_IDS_SQL = """
SELECT id FROM live_customers
WHERE created_at >= $start AND created_at < $end AND {scope}
  AND coalesce({dimension}, '') = $value AND (NOT $dealt_only OR is_dealt)
ORDER BY id"""

FOLLOW_UP_KIND_IDS_SQL = f"""
SELECT id FROM live_follow_ups
WHERE created_at >= $start AND created_at < $end AND {SCOPE.format(key="followup")}
  AND coalesce(kind, '') = $kind
ORDER BY id"""


def _ids(mirror, sql: str, params: dict) -> list[int]:
    return mirror.query(sql, **params)["id"].to_list()


def funnel_ids(mirror, *, actor: Actor, period: Period, status: str, stage_id: int | None = None,
               who: Who = EVERYONE, stage_group_id: int | None = None) -> list[int]:  # fmt: skip
    params = scope_params(mirror, actor, who, "opportunity") | period_params(period)
    params |= {"status": status, "stage_id": stage_id, "stage_group_id": stage_group_id}
    return _ids(mirror, FUNNEL_IDS_SQL, params)


def product_contract_ids(mirror, *, actor: Actor, period: Period, who: Who = EVERYONE,
                         product_id: int | None = None, category_id: int | None = None,
                         any_category: bool = True) -> list[int]:  # fmt: skip
    """Approved contracts in the period with a line of the product (or of a product in the
    category; `any_category=False` with category_id None = products without a category)."""
    params = scope_params(mirror, actor, who, "contract") | period_params(period)
    params |= {"product_id": product_id, "category_id": category_id, "any_category": any_category}
    return _ids(mirror, PRODUCT_CONTRACT_IDS_SQL, params)


def portrait_ids(mirror, *, actor: Actor, period: Period, dimension: str, value: str,
                 who: Who = EVERYONE, dealt_only: bool = False) -> list[int]:  # fmt: skip
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown customer dimension {dimension!r}")
    sql = PORTRAIT_IDS_SQL.format(dimension=dimension, scope=SCOPE.format(key="customer"))
    params = scope_params(mirror, actor, who, "customer") | period_params(period)
    return _ids(mirror, sql, params | {"value": value, "dealt_only": dealt_only})


def follow_up_kind_ids(mirror, *, actor: Actor, period: Period, kind: str,
                       who: Who = EVERYONE) -> list[int]:  # fmt: skip
    params = scope_params(mirror, actor, who, "followup") | period_params(period)
    return _ids(mirror, FOLLOW_UP_KIND_IDS_SQL, params | {"kind": kind})


def bucket_period(period: Period, bucket: dt.date) -> Period:
    """One chart bucket as a period, clipped to the report period."""
    if period.bucket == "day":
        return Period(bucket, bucket)
    whole = month(bucket.year, bucket.month)
    return Period(max(whole.start, period.start), min(whole.end, period.end))
