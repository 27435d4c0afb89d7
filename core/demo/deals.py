"""Contracts with lines and approvals, the opportunities they were won from, and the other
opportunities with their stage history (CUS-6, CUS-7).

Money is integer cents here: line subtotal = price × quantity × (100 − line discount %) / 100,
amount = Σ subtotals × (100 − order discount %) / 100, each rounded half-up to the cent."""

from __future__ import annotations

import numpy as np

from core.demo import approvals, texts
from core.demo.context import APPROVED, DRAFT, PENDING, REJECTED, STATUS, WITHDRAWN, Ctx
from core.demo.gen import DAY, HOUR, day_numbers, join, segments, strings, take, to_day

LINE_DISCOUNTS = [0, 0, 0, 0, 5, 10, 15, 20]
ORDER_DISCOUNTS = [0] * 8 + [2, 5]
STEPS = [1, 7, 11, 13]  # strides that keep up to five products of one order distinct


def _round(cents_times_100: np.ndarray) -> np.ndarray:
    return (cents_times_100 + 50) // 100


def lines(ctx: Ctx, n_orders: int, max_lines: int = 5) -> dict:
    """Product lines for n orders: distinct products per order, subtotals in cents."""
    rnd, prod = ctx.rnd, ctx.products
    weights = [15, 20, 30, 20, 15][:max_lines]
    counts = 1 + rnd.index(len(weights), n_orders, weights)
    parent, rank = segments(counts)
    n_products = len(prod["id"])
    start = rnd.index(n_products, n_orders)
    stride = rnd.pick(STEPS, n_orders)
    pick = (start[parent] + rank * stride[parent]) % n_products
    qty = rnd.ints(prod["qty_low"][pick], prod["qty_high"][pick], len(pick))
    price = prod["price"][pick]
    discount = rnd.pick(LINE_DISCOUNTS, len(pick))
    subtotal = _round(price * qty * (100 - discount))
    total = np.bincount(parent, weights=subtotal, minlength=n_orders).astype(np.int64)
    return {
        "parent": parent,
        "product_id": prod["id"][pick],
        "price": price,
        "quantity": qty,
        "discount_rate": discount,
        "subtotal": subtotal,
        "total": total,
    }


def write_lines(ctx: Ctx, table: str, fk: str, parent_ids: np.ndarray, ln: dict, updated=None):
    cols = {
        "id": ctx.writer.ids(table, len(ln["parent"])),
        fk: parent_ids[ln["parent"]],
        "product_id": ln["product_id"],
        "price": ln["price"] / 100,
        "quantity": ln["quantity"].astype(np.float64),
        "discount_rate": ln["discount_rate"].astype(np.float64),
        "subtotal": ln["subtotal"] / 100,
    }
    if updated is not None:
        cols["updated_at"] = updated[ln["parent"]]
    ctx.writer.append(table, cols)


def contracts(ctx: Ctx, c: dict, k: dict) -> dict:
    """Dealt customers get ≥1 approved contract; others only ever unapproved ones."""
    rnd, now = ctx.rnd, ctx.now
    owned = c["owner"] > 0
    n_app = np.where(c["dealt"], 1 + rnd.poisson(1.3, len(c["id"])), 0)
    n_other = np.where(owned, rnd.poisson(np.where(c["dealt"], 0.12, 0.22)), 0)
    parent, rank = segments(n_app + n_other)
    n = len(parent)
    approved = rank < n_app[parent]
    status = np.where(
        approved, APPROVED, rnd.pick([PENDING, REJECTED, DRAFT, WITHDRAWN], n, [35, 25, 20, 20])
    )
    lo = c["lo"][parent] + 2 * DAY
    recent = (status == PENDING) | (status == DRAFT)
    lo = np.where(recent, np.maximum(lo, now - 30 * DAY), lo)
    t = rnd.daytime(lo, now - 2 * HOUR, n)
    ln = lines(ctx, n)
    discount = rnd.pick(ORDER_DISCOUNTS, n)
    suffix = strings(s.replace("{c}", "") for s in texts.CONTRACT_NAMES)
    ids = ctx.writer.ids("contracts", n)
    return {
        "id": ids,
        "parent": parent,
        "status": status,
        "t": t,
        "lines": ln,
        "discount": discount,
        "amount": _round(ln["total"] * (100 - discount)),
        "name": join(take(c["name"], parent), take(suffix, rnd.index(len(suffix), n))),
        "owner": c["owner"][parent],
        "customer_id": c["id"][parent],
        "signatory": k["first"][parent],
        "opportunity_id": np.zeros(n, dtype=np.int64),
    }


def contract_approvals(ctx: Ctx, ct: dict) -> None:
    """Submit every non-draft contract to the contract flow; remember request ids and times."""
    rnd, n = ctx.rnd, len(ct["id"])
    sub = np.flatnonzero(ct["status"] != DRAFT)
    t = ct["t"][sub]
    submitted = rnd.between(t, np.minimum(t + 2 * HOUR, ctx.now - HOUR), len(sub))
    made = approvals.requests(
        ctx,
        ctx.flows["contract"],
        ct["owner"][sub],
        ct["status"][sub],
        submitted,
        join("合同审批：", take(ct["name"], sub)),
        {
            "amount": ct["amount"][sub] / 100,
            "subject_type": "contract",
            "subject_id": ct["id"][sub],
            "created_at": t,
        },
    )
    ct["request_id"] = np.zeros(n, dtype=np.int64)
    ct["request_id"][sub] = made["id"]
    ct["finished"] = np.zeros(n, dtype=np.int64)
    ct["finished"][sub] = made["finished"]


def write_contracts(ctx: Ctx, ct: dict) -> None:
    n = len(ct["id"])
    order_day = to_day(ct["t"])
    term = ctx.rnd.pick([365, 365, 730, 1095], n)
    updated = np.maximum(ct["t"], ct["finished"])
    ctx.writer.append(
        "contracts",
        {
            "id": ct["id"],
            "number": day_numbers(ctx, "HT", ct["t"]),
            "name": ct["name"],
            "customer_id": ct["customer_id"],
            "opportunity_id": ct["opportunity_id"],
            "order_date": order_day,
            "start_date": order_day,
            "end_date": order_day + term - 1,
            "amount": ct["amount"] / 100,
            "discount_rate": ct["discount"].astype(np.float64),
            "customer_signatory_id": ct["signatory"],
            "company_signatory_id": ct["owner"],
            "approval_status": take(strings(STATUS), ct["status"]),
            "approval_request_id": ct["request_id"],
            "received_amount": ct["received"] / 100,
            "owner_id": ct["owner"],
            "created_by_id": ct["owner"],
            "created_at": ct["t"],
            "updated_at": updated,
        },
    )
    write_lines(ctx, "contract_lines", "contract_id", ct["id"], ct["lines"], updated)


def opportunities(ctx: Ctx, c: dict, ct: dict) -> dict:
    """Won opportunities behind half the approved contracts, plus open / lost / invalid ones."""
    rnd, now = ctx.rnd, ctx.now
    won = np.flatnonzero((ct["status"] == APPROVED) & rnd.chance(0.5, len(ct["id"])))
    n_w = len(won)
    cust_w = ct["parent"][won]
    t = ct["t"][won]
    created_w = np.maximum(c["lo"][cust_w], t - rnd.ints(15 * DAY, 120 * DAY, n_w))
    closed_w = t - rnd.ints(HOUR, DAY, n_w)
    owned = np.flatnonzero(c["owner"] > 0)
    per = rnd.poisson(0.35, len(owned))
    cust_o = np.repeat(owned, per)
    n_o = len(cust_o)
    status_o = rnd.pick(["open", "lost", "invalid"], n_o, [50, 35, 15])
    lo = c["lo"][cust_o]
    is_open = status_o == "open"
    created_o = rnd.daytime(np.where(is_open, np.maximum(lo, now - 180 * DAY), lo), now - DAY, n_o)
    closed_o = np.where(
        is_open,
        0,
        rnd.between(created_o + HOUR, np.minimum(now - HOUR, created_o + 120 * DAY), n_o),
    )
    ids = ctx.writer.ids("opportunities", n_w + n_o)
    ct["opportunity_id"][won] = ids[:n_w]
    other_lines = lines(ctx, n_o, 3)
    discount_o = rnd.pick(ORDER_DISCOUNTS, n_o)
    return {
        "id": ids,
        "won_contracts": won,
        "parent": np.concatenate([cust_w, cust_o]),
        "status": np.concatenate([np.full(n_w, "won"), status_o]),
        "created": np.concatenate([created_w, created_o]),
        "closed": np.concatenate([closed_w, closed_o]),
        "other_lines": other_lines,
        "discount": np.concatenate([ct["discount"][won], discount_o]),
        "amount": np.concatenate(
            [ct["amount"][won], _round(other_lines["total"] * (100 - discount_o))]
        ),
    }


def stage_history(ctx: Ctx, c: dict, op: dict) -> None:
    """Changes in time order: into stage 1 at creation, one per stage reached, then the close."""
    rnd, now = ctx.rnd, ctx.now
    n = len(op["id"])
    groups = ctx.refs["stage_groups"]
    group = rnd.index(len(groups), n, [80] + [20] * (len(groups) - 1))
    size = np.array([len(s) for _, s in groups])[group]
    table = np.zeros((len(groups), size.max()), dtype=np.int64)
    for g, (_, stages) in enumerate(groups):
        table[g, : len(stages)] = stages
    status = op["status"]
    closed = status != "open"
    reached = np.where(status == "won", size, rnd.ints(1, size, n))
    count = reached + closed
    parent, rank = segments(count)
    end = np.where(closed, op["closed"], rnd.between(op["created"], now - HOUR, n))
    span = (end - op["created"])[parent]
    frac = (rank + 0.8 * rnd.u(len(rank))) / count[parent]
    frac = np.where(rank == 0, 0.0, frac)
    frac = np.where(closed[parent] & (rank == count[parent] - 1), 1.0, frac)
    at = op["created"][parent] + (frac * span).astype(np.int64)
    is_close = closed[parent] & (rank == reached[parent])
    to_pos = np.minimum(rank, reached[parent] - 1)
    from_pos = np.where(is_close, to_pos, rank - 1)
    g = group[parent]
    op["group"] = np.array([gid for gid, _ in groups])[group]
    op["stage"] = table[group, reached - 1]
    op["end"] = end
    op["changes"] = {
        "id": ctx.writer.ids("opportunity_stage_changes", len(parent)),
        "opportunity_id": op["id"][parent],
        "from_stage_id": np.where(rank == 0, 0, table[g, np.maximum(from_pos, 0)]),
        "to_stage_id": table[g, to_pos],
        "to_status": np.where(is_close, status[parent], "open"),
        "changed_by_id": c["owner"][op["parent"]][parent],
        "changed_at": at,
    }


def write_opportunities(ctx: Ctx, c: dict, ct: dict, op: dict) -> None:
    rnd = ctx.rnd
    n = len(op["id"])
    lost = op["status"] == "lost"
    reasons = ctx.options["lost_reason"]
    close_day = to_day(
        np.where(op["closed"] > 0, op["closed"], op["created"] + rnd.ints(30 * DAY, 120 * DAY, n))
    )
    names = strings(s.replace("{c}", "") for s in texts.OPPORTUNITY_NAMES)
    owner = c["owner"][op["parent"]]
    ctx.writer.append(
        "opportunities",
        {
            "id": op["id"],
            "name": join(take(c["name"], op["parent"]), take(names, rnd.index(len(names), n))),
            "customer_id": c["id"][op["parent"]],
            "stage_group_id": op["group"],
            "stage_id": op["stage"],
            "status": op["status"],
            "expected_close_date": close_day,
            "amount": op["amount"] / 100,
            "discount_rate": op["discount"].astype(np.float64),
            "lost_reason": np.where(lost, rnd.pick(reasons, n), ""),
            "closed_at": op["closed"],
            "owner_id": owner,
            "created_by_id": owner,
            "created_at": op["created"],
            "updated_at": np.maximum(op["created"], op["end"]),
        },
    )
    won = op["won_contracts"]
    won_lines = _subset_lines(ct["lines"], won)
    write_lines(ctx, "opportunity_lines", "opportunity_id", op["id"][: len(won)], won_lines)
    write_lines(ctx, "opportunity_lines", "opportunity_id", op["id"][len(won) :], op["other_lines"])
    ctx.writer.append("opportunity_stage_changes", op["changes"])


def _subset_lines(ln: dict, orders: np.ndarray) -> dict:
    """The lines of the given orders, re-parented to their position in `orders`."""
    pos = np.full(len(ln["total"]), -1)
    pos[orders] = np.arange(len(orders))
    keep = pos[ln["parent"]] >= 0
    out = {key: v[keep] for key, v in ln.items() if key not in ("parent", "total")}
    out["parent"] = pos[ln["parent"][keep]]
    return out
