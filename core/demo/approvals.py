"""Approval requests with decisions that follow their flow (OFF-7): the right approver for each
step, in step order, and a status that follows from the decisions."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.demo import texts
from core.demo.context import APPROVED, DRAFT, PENDING, REJECTED, STATUS, WITHDRAWN, Ctx, Flow
from core.demo.gen import HOUR, MINUTE, digits, join, strings, take


def _approvers(ctx: Ctx, flow: Flow, owner: np.ndarray, chosen: np.ndarray) -> list[list]:
    """Per step, the approver arrays (one array for 'any', one per user for 'all')."""
    org, rnd, n = ctx.org, ctx.rnd, len(owner)
    out = []
    for step in flow.steps:
        if step.kind == "superior":
            sup = org.superior[owner]
            out.append([np.where(sup == 0, org.ids["admin"], sup)])
        elif step.kind == "chosen":
            out.append([chosen])
        elif step.mode == "all":
            out.append([np.full(n, u) for u in step.users])
        else:
            users = np.array(step.users)
            pick = rnd.index(len(users), n)
            clash = users[pick] == owner
            pick[clash] = (pick[clash] + 1) % len(users)
            out.append([users[pick]])
    return out


def _chosen(ctx: Ctx, owner: np.ndarray) -> np.ndarray:
    heads = ctx.org.heads
    pick = heads[ctx.rnd.index(len(heads), len(owner))]
    return np.where(pick == owner, ctx.org.ids["admin"], pick)


def _times(ctx: Ctx, submitted: np.ndarray, steps: int) -> np.ndarray:
    """Decision slots per step (rows), ≥ 5 minutes apart and before now."""
    n, slots = len(submitted), steps + 1
    span = np.maximum(ctx.now - 10 * MINUTE - submitted - slots * 5 * MINUTE, 0)
    gaps = ctx.rnd.u(n * slots).reshape(slots, n) * np.minimum(30 * HOUR, span / slots)
    return submitted + np.cumsum(gaps.astype(np.int64) + 5 * MINUTE, axis=0)


def _decisions(ids, status, stop, done, approvers, times) -> dict:
    """One row per decision: steps before `done` approved; a rejection ends its step."""
    dec = {k: [] for k in ("request_id", "step_position", "approver_id", "decision", "decided_at")}
    for k, step_users in enumerate(approvers, start=1):
        mask = done >= k
        reject = mask & (status == REJECTED) & (stop == k)
        for j, users in enumerate(step_users):
            keep = mask if j == 0 else mask & ~reject  # one rejection ends an 'all' step
            dec["request_id"].append(ids[keep])
            dec["step_position"].append(np.full(keep.sum(), k))
            dec["approver_id"].append(users[keep])
            dec["decision"].append(np.where(reject[keep] & (j == 0), "rejected", "approved"))
            dec["decided_at"].append(times[k - 1][keep] + j * MINUTE)
    return dec


def requests(ctx: Ctx, flow: Flow, owner, status, submitted, title, fields: dict) -> dict:
    """Write requests (with decisions and ccs); returns ids and finish times by request.

    `status` holds codes (DRAFT … WITHDRAWN); pending / rejected / withdrawn requests stop at a
    random step; `fields` adds category columns and must hold `created_at` (used for drafts)."""
    n, steps = len(owner), len(flow.steps)
    ids = ctx.writer.ids("approval_requests", n)
    has_chosen = any(s.kind == "chosen" for s in flow.steps)
    chosen = _chosen(ctx, owner) if has_chosen else np.zeros(n, dtype=np.int64)
    approvers = _approvers(ctx, flow, owner, chosen)
    stop = ctx.rnd.ints(1, steps, n)
    done = np.select(
        [status == APPROVED, status == REJECTED, status == DRAFT], [steps, stop, 0], stop - 1
    )
    submitted = np.where(status == DRAFT, 0, submitted)
    times = _times(ctx, submitted, steps)
    last = np.clip(np.where(status == APPROVED, steps, stop) - 1, 0, steps - 1)
    extra = np.where(status == APPROVED, (len(approvers[-1]) - 1) * MINUTE, 0)
    ended = np.isin(status, [APPROVED, REJECTED, WITHDRAWN])
    finished = np.where(ended, times[last, np.arange(n)] + extra, 0)
    created = np.where(status == DRAFT, fields.pop("created_at"), submitted - MINUTE)
    ctx.writer.append(
        "approval_requests",
        {
            "id": ids,
            "category_id": flow.category_id,
            "flow_id": flow.id,
            "kind": flow.kind,
            "title": title,
            "status": take(strings(STATUS), status),
            "current_step": pa.array(stop, mask=status != PENDING),
            "chosen_approver_ids": _json_lists(chosen),
            "owner_id": owner,
            "created_by_id": owner,
            "submitted_at": submitted,
            "finished_at": finished,
            "created_at": created,
            "updated_at": np.maximum.reduce([created, finished, submitted]),
            **fields,
        },
    )
    _write_decisions(ctx, _decisions(ids, status, stop, done, approvers, times))
    _write_ccs(ctx, flow, ids[status != DRAFT])
    return {"id": ids, "finished": finished}


def _json_lists(chosen: np.ndarray) -> pa.Array:
    """chosen_approver_ids as JSON text: "[12]" or "[]"."""
    one = join("[", digits(chosen, 1), "]")
    return pc.if_else(pa.array(chosen > 0), one, "[]")


def _write_decisions(ctx: Ctx, dec: dict) -> None:
    rid = np.concatenate(dec["request_id"])
    if not len(rid):
        return
    decision = np.concatenate(dec["decision"])
    rnd = ctx.rnd
    ok = strings(texts.APPROVAL_COMMENTS_OK)
    no = strings(texts.APPROVAL_COMMENTS_NO)
    comment_ok = take(ok, rnd.index(len(ok), len(rid)))
    comment_no = take(no, rnd.index(len(no), len(rid)))
    ctx.writer.append(
        "approval_decisions",
        {
            "id": ctx.writer.ids("approval_decisions", len(rid)),
            "request_id": rid,
            "step_position": np.concatenate(dec["step_position"]),
            "approver_id": np.concatenate(dec["approver_id"]),
            "decision": decision,
            "comment": pc.if_else(pa.array(decision == "approved"), comment_ok, comment_no),
            "decided_at": np.concatenate(dec["decided_at"]),
        },
    )


def _write_ccs(ctx: Ctx, flow: Flow, request_ids: np.ndarray) -> None:
    if not flow.cc or not len(request_ids):
        return
    rid = np.repeat(request_ids, len(flow.cc))
    ctx.writer.append(
        "approval_ccs",
        {
            "id": ctx.writer.ids("approval_ccs", len(rid)),
            "request_id": rid,
            "user_id": np.tile(np.array(flow.cc), len(request_ids)),
        },
    )
