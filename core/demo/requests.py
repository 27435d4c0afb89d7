"""Office approval requests (OFF-7): leave, trips, overtime, expenses, loans, general — each with
the typed fields and item rows its category needs."""

from __future__ import annotations

import numpy as np

from core.demo import approvals, texts
from core.demo.context import APPROVED, DRAFT, PENDING, REJECTED, WITHDRAWN, Ctx
from core.demo.gen import DAY, HOUR, digits, join, segments, strings, take, to_day
from core.demo.regions import CITIES

# category -> requests per employee over two years, and whether only sellers file it
RATES = {
    "general": (2.0, False),
    "leave": (5.0, False),
    "trip": (4.0, True),
    "overtime": (2.0, False),
    "reimbursement": (5.0, True),
    "loan": (0.4, False),
}


def _status(ctx: Ctx, created: np.ndarray) -> np.ndarray:
    rnd, n = ctx.rnd, len(created)
    old = rnd.pick([APPROVED, REJECTED, WITHDRAWN], n, [86, 9, 5])
    fresh = rnd.pick([PENDING, APPROVED, DRAFT], n, [60, 30, 10])
    return np.where(created > ctx.now - 5 * DAY, fresh, old)


def office_requests(ctx: Ctx) -> None:
    org = ctx.org
    for code, (rate, sellers_only) in RATES.items():
        flow = ctx.flows.get(code)
        if flow is None:
            continue
        named = {u for step in flow.steps for u in step.users} | {org.ids["admin"]}
        pool = org.sales if sellers_only else org.all_users
        pool = np.array([u for u in pool if int(u) not in named], dtype=np.int64)
        owner = np.repeat(pool, ctx.rnd.poisson(rate, len(pool)))
        created = ctx.rnd.between(ctx.start, ctx.now - 2 * HOUR, len(owner))
        _one_category(ctx, code, owner, created)


def _one_category(ctx: Ctx, code: str, owner, created) -> None:
    rnd, n = ctx.rnd, len(owner)
    status = _status(ctx, created)
    submitted = np.minimum(created + rnd.ints(60_000_000, HOUR, n), ctx.now - HOUR)
    start = (created // DAY + rnd.ints(1, 15, n)) * DAY + HOUR  # 09:00 in China
    fields, title = {"created_at": created}, None
    if code == "leave":
        types = ctx.options["leave_type"]
        days = rnd.pick([0.5, 1.0, 1.0, 2.0, 3.0, 5.0], n)
        kind = take(strings(types), rnd.index(len(types), n, [40, 25, 15, 2, 1, 17]))
        fields |= {
            "leave_type": kind,
            "starts_at": start,
            "ends_at": start + (days * 9 * HOUR).astype(np.int64),
            "duration": days,
        }
        title = join("请假申请（", kind, " ", pa_days(days), "天）")
    elif code == "trip":
        days = rnd.ints(1, 5, n)
        purpose = take(strings(texts.TRIP_PURPOSES), rnd.index(len(texts.TRIP_PURPOSES), n))
        fields |= {
            "starts_at": start,
            "ends_at": start + days * DAY - 2 * HOUR,
            "duration": days.astype(np.float64),
            "content": purpose,
        }
        title = join("出差申请：", purpose)
    elif code == "overtime":
        hours = rnd.ints(2, 4, n)
        evening = start + 9 * HOUR
        fields |= {
            "starts_at": evening,
            "ends_at": evening + hours * HOUR,
            "duration": hours.astype(np.float64),
        }
        fields["content"] = take(
            strings(texts.OVERTIME_REASONS), rnd.index(len(texts.OVERTIME_REASONS), n)
        )
        title = join("加班申请（", digits(hours, 1), "小时）")
    elif code == "loan":
        amount = rnd.ints(10, 200, n) * 100
        reason = take(strings(texts.LOAN_REASONS), rnd.index(len(texts.LOAN_REASONS), n))
        fields |= {"amount": amount.astype(np.float64), "content": reason}
        title = join("借款申请：", reason)
    elif code == "general":
        title = take(strings(texts.GENERAL_TITLES), rnd.index(len(texts.GENERAL_TITLES), n))
        fields["content"] = title
    items = None
    if code in ("trip", "reimbursement"):
        items = _items(ctx, code, start, n)
        if code == "reimbursement":
            total = np.bincount(items["parent"], weights=items["amount"], minlength=n)
            fields["amount"] = np.round(total, 2)
            title = join("差旅报销（", digits(np.round(total).astype(np.int64), 1), "元）")
    made = approvals.requests(ctx, ctx.flows[code], owner, status, submitted, title, fields)
    if items is not None:
        _write_items(ctx, made["id"], items)


def pa_days(days: np.ndarray):
    whole = digits(np.floor(days).astype(np.int64), 1)
    half = np.where(days % 1 > 0, ".5", "")
    return join(whole, half)


def _items(ctx: Ctx, code: str, start: np.ndarray, n: int) -> dict:
    rnd = ctx.rnd
    counts = rnd.ints(1, 3 if code == "trip" else 4, n)
    parent, rank = segments(counts)
    m = len(parent)
    cities = strings(c.full_name for c in CITIES)
    out = {"parent": parent, "item_date": to_day(start)[parent] + rank}
    if code == "trip":
        out["from_place"] = take(cities, rnd.index(len(CITIES), m))
        out["to_place"] = take(cities, rnd.index(len(CITIES), m))
        out["description"] = take(
            strings(texts.TRIP_PURPOSES), rnd.index(len(texts.TRIP_PURPOSES), m)
        )
        out["amount"] = np.full(m, np.nan)
    else:
        out["description"] = take(strings(texts.EXPENSES), rnd.index(len(texts.EXPENSES), m))
        out["amount"] = rnd.ints(3000, 150000, m) / 100
    return out


def _write_items(ctx: Ctx, request_ids: np.ndarray, items: dict) -> None:
    cols = {k: v for k, v in items.items() if k != "parent"}
    cols["request_id"] = request_ids[items["parent"]]
    cols["id"] = ctx.writer.ids("approval_request_items", len(cols["request_id"]))
    if len(cols["id"]) and "amount" in cols and not np.isnan(cols["amount"][0]):
        ctx.refs.setdefault("first_receipt_item", (int(cols["id"][0]), int(cols["request_id"][0])))
    ctx.writer.append("approval_request_items", cols)
