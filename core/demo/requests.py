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
        if flow is None or code not in KINDS:
            continue
        named = {u for step in flow.steps for u in step.users} | {org.ids["admin"]}
        pool = org.sales if sellers_only else org.all_users
        pool = np.array([u for u in pool if int(u) not in named], dtype=np.int64)
        owner = np.repeat(pool, ctx.rnd.poisson(rate, len(pool)))
        created = ctx.rnd.between(ctx.start, ctx.now - 2 * HOUR, len(owner))
        _one_category(ctx, code, owner, created)


def _pick(ctx: Ctx, values: list[str], n: int):
    return take(strings(values), ctx.rnd.index(len(values), n))


def _leave(ctx: Ctx, start, n: int) -> tuple[dict, object]:
    types = ctx.options["leave_type"]
    days = ctx.rnd.pick([0.5, 1.0, 1.0, 2.0, 3.0, 5.0], n)
    kind = take(strings(types), ctx.rnd.index(len(types), n, [40, 25, 15, 2, 1, 17]))
    ends = start + (days * 9 * HOUR).astype(np.int64)
    fields = {"leave_type": kind, "starts_at": start, "ends_at": ends, "duration": days}
    return fields, join("请假申请（", kind, " ", _days(days), "天）")


def _trip(ctx: Ctx, start, n: int) -> tuple[dict, object]:
    days = ctx.rnd.ints(1, 5, n)
    purpose = _pick(ctx, texts.TRIP_PURPOSES, n)
    ends = start + days * DAY - 2 * HOUR
    fields = {"starts_at": start, "ends_at": ends, "duration": days * 1.0, "content": purpose}
    return fields, join("出差申请：", purpose)


def _overtime(ctx: Ctx, start, n: int) -> tuple[dict, object]:
    hours = ctx.rnd.ints(2, 4, n)
    evening = start + 9 * HOUR  # 18:00 in China
    fields = {"starts_at": evening, "ends_at": evening + hours * HOUR, "duration": hours * 1.0}
    fields["content"] = _pick(ctx, texts.OVERTIME_REASONS, n)
    return fields, join("加班申请（", digits(hours, 1), "小时）")


def _loan(ctx: Ctx, start, n: int) -> tuple[dict, object]:
    reason = _pick(ctx, texts.LOAN_REASONS, n)
    amount = ctx.rnd.ints(10, 200, n) * 100.0
    return {"amount": amount, "content": reason}, join("借款申请：", reason)


def _general(ctx: Ctx, start, n: int) -> tuple[dict, object]:
    title = _pick(ctx, texts.GENERAL_TITLES, n)
    return {"content": title}, title


def _reimbursement(ctx: Ctx, start, n: int) -> tuple[dict, object]:
    return {}, None  # amount and title come from the expense rows


KINDS = {
    "leave": _leave,
    "trip": _trip,
    "overtime": _overtime,
    "loan": _loan,
    "general": _general,
    "reimbursement": _reimbursement,
}


def _one_category(ctx: Ctx, code: str, owner, created) -> None:
    rnd, n = ctx.rnd, len(owner)
    status = _status(ctx, created)
    submitted = np.minimum(created + rnd.ints(60_000_000, HOUR, n), ctx.now - HOUR)
    start = (created // DAY + rnd.ints(1, 15, n)) * DAY + HOUR  # 09:00 in China
    fields, title = KINDS[code](ctx, start, n)
    fields["created_at"] = created
    items = _items(ctx, code, start, n) if code in ("trip", "reimbursement") else None
    if code == "reimbursement":
        total = np.round(np.bincount(items["parent"], weights=items["amount"], minlength=n), 2)
        fields["amount"] = total
        title = join("差旅报销（", digits(np.round(total).astype(np.int64), 1), "元）")
    made = approvals.requests(ctx, ctx.flows[code], owner, status, submitted, title, fields)
    if items is not None:
        _write_items(ctx, made["id"], items)


def _days(days: np.ndarray):
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
