"""Receivable plans and receivables of approved contracts (CUS-8).

Plans split the contract amount exactly; only approved receivables count, so a plan's status
and the contract's received amount follow from them and never exceed the contract."""

from __future__ import annotations

import numpy as np

from core.demo import approvals
from core.demo.context import APPROVED, PENDING, REJECTED, STATUS, Ctx
from core.demo.gen import DAY, HOUR, MINUTE, day_numbers, join, segments, strings, take, to_day

FULL, PART, NONE = range(3)


def plans(ctx: Ctx, ct: dict) -> dict:
    rnd = ctx.rnd
    sel = np.flatnonzero(ct["status"] == APPROVED)
    periods = 1 + rnd.index(3, len(sel), [40, 30, 30])
    parent, rank = segments(periods)
    n = len(parent)
    amount = ct["amount"][sel]
    base = amount // periods
    planned = np.where(
        rank == periods[parent] - 1,
        amount[parent] - base[parent] * (periods[parent] - 1),
        base[parent],
    )
    gaps = rnd.ints(15, 90, n)
    total = np.cumsum(gaps)
    starts = np.cumsum(periods) - periods
    offset = total - np.repeat(total[starts] - gaps[starts], periods)
    order_day = to_day(ct["t"][sel])
    return {
        "id": ctx.writer.ids("receivable_plans", n),
        "contract": sel[parent],
        "period": rank + 1,
        "planned": planned,
        "day": order_day[parent] + offset,
        "order_day": order_day[parent],
    }


def receivables(ctx: Ctx, ct: dict, pl: dict) -> dict:
    """At most one receivable per plan: paid in full, in part, or not yet."""
    rnd, today = ctx.rnd, ctx.today
    n = len(pl["id"])
    due = pl["day"] <= today
    outcome = np.where(
        due, rnd.pick([FULL, PART, NONE], n, [72, 10, 18]), rnd.pick([FULL, NONE], n, [8, 92])
    )
    sel = np.flatnonzero(outcome != NONE)
    m = len(sel)
    planned = pl["planned"][sel]
    part = (planned * rnd.ints(30, 70, m) // 100) // 100 * 100
    part = np.clip(part, 1, np.maximum(planned - 1, 1))
    amount = np.where(outcome[sel] == FULL, planned, part)
    day = np.where(
        due[sel],
        np.clip(pl["day"][sel] + rnd.ints(-10, 25, m), pl["order_day"][sel], today),
        rnd.ints(pl["order_day"][sel], today, m),
    )
    contract = pl["contract"][sel]
    received = day * DAY + rnd.ints(9 * HOUR, 18 * HOUR, m)
    created = np.maximum(received, ct["finished"][contract] + HOUR)
    created = np.minimum(created + rnd.ints(0, 2 * DAY, m), ctx.now - HOUR)
    fresh = created > ctx.now - 7 * DAY
    status = np.where(
        fresh & rnd.chance(0.4, m), PENDING, rnd.pick([APPROVED, REJECTED], m, [96, 4])
    )
    return {
        "id": ctx.writer.ids("receivables", m),
        "plan": sel,
        "contract": contract,
        "amount": amount,
        "day": day,
        "created": created,
        "status": status,
    }


def settle(ctx: Ctx, ct: dict, pl: dict, rc: dict) -> None:
    """Plan statuses and contract received amounts from approved receivables only."""
    ok = rc["status"] == APPROVED
    paid = np.bincount(rc["plan"][ok], weights=rc["amount"][ok], minlength=len(pl["id"]))
    paid = paid.astype(np.int64)
    pl["status"] = np.select(
        [paid >= pl["planned"], paid > 0, pl["day"] < ctx.today],
        ["done", "partial", "overdue"],
        "to_collect",
    )
    got = np.bincount(rc["contract"][ok], weights=rc["amount"][ok], minlength=len(ct["id"]))
    ct["received"] = got.astype(np.int64)


def receivable_approvals(ctx: Ctx, ct: dict, rc: dict) -> None:
    m = len(rc["id"])
    rc["number"] = day_numbers(ctx, "HK", rc["created"])
    submitted = np.minimum(rc["created"] + ctx.rnd.ints(MINUTE, HOUR, m), ctx.now - 30 * MINUTE)
    made = approvals.requests(
        ctx,
        ctx.flows["receivable"],
        ct["owner"][rc["contract"]],
        rc["status"],
        submitted,
        join("回款审批：", rc["number"]),
        {
            "amount": rc["amount"] / 100,
            "subject_type": "receivable",
            "subject_id": rc["id"],
            "created_at": rc["created"],
        },
    )
    rc["request_id"] = made["id"]
    rc["finished"] = made["finished"]


def write(ctx: Ctx, ct: dict, pl: dict, rc: dict) -> None:
    rnd, w = ctx.rnd, ctx.writer
    owner = ct["owner"][pl["contract"]]
    plan_created = ct["finished"][pl["contract"]]
    last_paid = np.zeros(len(pl["id"]), dtype=np.int64)
    np.maximum.at(last_paid, rc["plan"], rc["created"])
    w.append(
        "receivable_plans",
        {
            "id": pl["id"],
            "contract_id": ct["id"][pl["contract"]],
            "customer_id": ct["customer_id"][pl["contract"]],
            "period": pl["period"],
            "planned_amount": pl["planned"] / 100,
            "planned_date": pl["day"],
            "remind_days": rnd.pick([0, 3, 3, 7], len(pl["id"])),
            "status": pl["status"],
            "owner_id": owner,
            "created_by_id": owner,
            "created_at": plan_created,
            "updated_at": np.maximum(plan_created, last_paid),
        },
    )
    owner_r = ct["owner"][rc["contract"]]
    methods = ctx.options["payment_method"]
    w.append(
        "receivables",
        {
            "id": rc["id"],
            "number": rc["number"],
            "customer_id": ct["customer_id"][rc["contract"]],
            "contract_id": ct["id"][rc["contract"]],
            "plan_id": pl["id"][rc["plan"]],
            "received_date": rc["day"],
            "method": rnd.pick(methods, len(rc["id"]), [60, 8, 4, 10, 10, 8][: len(methods)]),
            "amount": rc["amount"] / 100,
            "approval_status": take(strings(STATUS), rc["status"]),
            "approval_request_id": rc["request_id"],
            "owner_id": owner_r,
            "created_by_id": owner_r,
            "created_at": rc["created"],
            "updated_at": np.maximum(rc["created"], rc["finished"]),
        },
    )
