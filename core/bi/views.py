"""DuckDB views every report reads instead of the raw copies, so the counting rules live in one
place: soft-deleted rows never count; only approved contracts and receivables count."""

from __future__ import annotations

import duckdb

_LIVE = (
    "customers",
    "contacts",
    "leads",
    "opportunities",
    "follow_ups",
    "check_ins",
    "receivable_plans",
    "approval_requests",
    "products",
    "product_categories",
    "stage_groups",
    "pools",
)

VIEWS: dict[str, str] = {
    **{f"live_{name}": f"SELECT * FROM {name} WHERE deleted_at IS NULL" for name in _LIVE},
    # Amounts count only once approved (CUS-1, BI-*).
    "ok_contracts": (
        "SELECT * FROM contracts WHERE deleted_at IS NULL AND approval_status = 'approved'"
    ),
    "ok_receivables": (
        "SELECT * FROM receivables WHERE deleted_at IS NULL AND approval_status = 'approved'"
    ),
    # Contract lines of approved contracts, dated and owned like their contract (the mirror
    # copies those columns into each line: schema.TableSpec.enrich).
    "ok_contract_lines": """
        SELECT id, contract_id, product_id, quantity, subtotal, owner_id, order_date, customer_id
        FROM contract_lines WHERE ok""",
    # The same lines with the product's category (BI-5 by category).
    "ok_category_lines": """
        SELECT l.*, p.category_id
        FROM ok_contract_lines l LEFT JOIN products p ON p.id = l.product_id""",
    # Approved business trips (OFF-7) dated by their start.
    "ok_trips": """
        SELECT id, owner_id, coalesce(starts_at, created_at) AS trip_at
        FROM live_approval_requests WHERE kind = 'trip' AND status = 'approved'""",
    # Check-ins with a customer are visits (OFF-9).
    "visits": "SELECT * FROM live_check_ins WHERE customer_id IS NOT NULL",
}


def ensure_views(cur: duckdb.DuckDBPyConnection) -> None:
    for name, body in VIEWS.items():
        cur.execute(f"CREATE OR REPLACE VIEW {name} AS {body}")
