"""Follow-ups (CUS-10), customer visits in the schedule and check-ins, and the change log.

A follow-up's author is the owner of its record at the time (for a pool customer, the owner
who released it) or that owner's superior — people who could see the record (PLT-3)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from core.demo import texts
from core.demo.context import APPROVED, RECALL_DAYS, Ctx
from core.demo.gen import DAY, HOUR, MINUTE, strings, take

SUBJECTS = ["customer", "contact", "opportunity", "contract", "lead"]
_CONTENTS: pa.Array | None = None


def _contents() -> pa.Array:
    global _CONTENTS
    if _CONTENTS is None:
        _CONTENTS = strings(texts.followup_contents())
    return _CONTENTS


def _recent(ctx: Ctx, c: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One follow-up inside the recall window for owned, undealt customers."""
    sel = np.flatnonzero((c["owner"] > 0) & ~c["dealt"])
    days = np.array([RECALL_DAYS.get(i, 30) for i in range(len(ctx.options["customer_level"]))])
    window = days[c["level"][sel]]
    lo = np.maximum(c["lo"][sel], ctx.now - (window * 0.8 * DAY).astype(np.int64))
    return sel, lo, np.full(len(sel), ctx.now - HOUR)


def followups(ctx: Ctx, c: dict, k: dict, leads: dict, op: dict, ct: dict) -> None:
    """Write the chunk's follow-ups; sets c["last_followup"]."""
    rnd = ctx.rnd
    n_c = len(c["id"])
    cust = np.repeat(np.arange(n_c), rnd.poisson(6.0, n_c))
    recent, recent_lo, recent_hi = _recent(ctx, c)
    per_k = rnd.poisson(0.5, len(k["id"]))
    per_o = rnd.poisson(2.0, len(op["id"]))
    per_t = rnd.poisson(0.8, len(ct["id"]))
    lead_idx = leads["customer_id"] - c["id"][0]
    per_l = rnd.poisson(1.5, len(lead_idx))
    kk, oo, tt = (
        np.repeat(np.arange(len(a)), p)
        for a, p in ((k["id"], per_k), (op["id"], per_o), (ct["id"], per_t))
    )
    ll = np.repeat(np.arange(len(lead_idx)), per_l)
    parts = [
        (0, c["id"][cust], cust, c["lo"][cust], c["hi"][cust]),
        (0, c["id"][recent], recent, recent_lo, recent_hi),
        (
            1,
            k["id"][kk],
            k["parent"][kk],
            np.maximum(k["created_at"][kk], c["lo"][k["parent"][kk]]),
            c["hi"][k["parent"][kk]],
        ),
        (2, op["id"][oo], op["parent"][oo], op["created"][oo], op["end"][oo]),
        (3, ct["id"][tt], ct["parent"][tt], ct["t"][tt], np.full(len(tt), ctx.now - HOUR)),
        (4, leads["id"][ll], lead_idx[ll], leads["created_at"][ll], leads["converted_at"][ll]),
    ]
    kind = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
    subject = np.concatenate([p[1] for p in parts])
    parent = np.concatenate([p[2] for p in parts])
    lo = np.concatenate([p[3] for p in parts])
    hi = np.concatenate([p[4] for p in parts])
    at = rnd.daytime(lo, hi, len(kind))
    base = np.where(kind == 4, c["first_owner"][parent], c["author"][parent])
    last = np.zeros(n_c, dtype=np.int64)
    np.maximum.at(last, parent, at)
    c["last_followup"] = last
    _write_followups(ctx, kind, subject, c["id"][parent], at, base)


def lead_followups(ctx: Ctx, leads: dict) -> None:
    rnd = ctx.rnd
    idx = np.repeat(np.arange(len(leads["id"])), rnd.poisson(1.5, len(leads["id"])))
    hi = np.where(leads["deleted_at"][idx] > 0, leads["deleted_at"][idx], ctx.now - HOUR)
    at = rnd.daytime(leads["created_at"][idx], hi, len(idx))
    kind = np.full(len(idx), 4)
    _write_followups(
        ctx, kind, leads["id"][idx], np.zeros(len(idx), dtype=np.int64), at, leads["owner_id"][idx]
    )


def _write_followups(ctx: Ctx, kind, subject, customer_id, at, base) -> None:
    rnd, n = ctx.rnd, len(kind)
    sup = ctx.org.superior[base]
    author = np.where(rnd.chance(0.1, n) & (sup > 0), sup, base)
    types = ctx.options["followup_type"]
    contents = _contents()
    nxt = np.where(rnd.chance(0.25, n), at + rnd.ints(DAY, 14 * DAY, n), 0)
    ctx.refs.setdefault("follow_ups", []).append(
        {
            "id": ctx.writer.ids("follow_ups", n),
            "subject_type": take(strings(SUBJECTS), kind),
            "subject_id": subject,
            "customer_id": customer_id,
            "kind": take(strings(types), rnd.index(len(types), n, [35, 25, 10, 5, 10, 15])),
            "content": take(contents, rnd.index(len(contents), n)),
            "followed_at": at,
            "next_contact_at": nxt,
            "owner_id": author,
            "created_by_id": author,
            "created_at": at + MINUTE,
            "updated_at": at + MINUTE,
        }
    )


def flush_followups(ctx: Ctx) -> None:
    """Follow-ups are decided before their records are written; write them after."""
    for cols in ctx.refs.pop("follow_ups", []):
        ctx.writer.append("follow_ups", cols)


def visits(ctx: Ctx, c: dict, k: dict) -> None:
    """Customer meetings in the schedule (some upcoming) with a colleague, and check-ins."""
    rnd, w = ctx.rnd, ctx.writer
    owned = np.flatnonzero(c["owner"] > 0)
    ev = np.repeat(owned, rnd.poisson(0.15, len(owned)))
    n = len(ev)
    day = rnd.between(c["lo"][ev] + DAY, ctx.now + 30 * DAY, n) // DAY
    start = day * DAY + rnd.ints(1, 8, n) * HOUR  # 09:00–16:00 China time
    owner = c["owner"][ev]
    titles = strings(texts.CUSTOMER_EVENT_TITLES)
    kinds = ctx.options["event_kind"]
    reminder = rnd.pick([15, 30, 60], n)
    ids = w.ids("events", n)
    created = np.minimum(start - rnd.ints(HOUR, 5 * DAY, n), ctx.now - HOUR)
    created = np.maximum(created, c["lo"][ev])
    w.append(
        "events",
        {
            "id": ids,
            "title": take(titles, rnd.index(len(titles), n)),
            "starts_at": start,
            "ends_at": start + rnd.ints(1, 3, n) * HOUR,
            "kind": rnd.pick(kinds, n, [20, 55, 15, 0, 10]),
            "colour": rnd.pick(texts.COLOURS, n),
            "reminder_minutes": pa.array(reminder, mask=rnd.chance(0.3, n)),
            "customer_id": c["id"][ev],
            "contact_id": k["first"][ev],
            "owner_id": owner,
            "created_by_id": owner,
            "created_at": created,
            "updated_at": created,
        },
    )
    mate = ctx.org.teammate(rnd, owner)
    with_mate = np.flatnonzero((mate > 0) & rnd.chance(0.5, n))
    w.append(
        "event_participants",
        {
            "id": w.ids("event_participants", len(with_mate)),
            "event_id": ids[with_mate],
            "user_id": mate[with_mate],
        },
    )
    _check_ins(ctx, c, owned)


def _check_ins(ctx: Ctx, c: dict, owned: np.ndarray) -> None:
    rnd = ctx.rnd
    idx = np.repeat(owned, rnd.poisson(0.25, len(owned)))
    n = len(idx)
    at = rnd.daytime(c["lo"][idx], ctx.now - HOUR, n)
    places = ctx.refs["places"]
    city = c["city"][idx]
    owner = c["owner"][idx]
    ids = ctx.writer.ids("check_ins", n)
    if not ctx.refs.get("first_check_ins"):
        ctx.refs["first_check_ins"] = [int(i) for i in ids[:3]]
    ctx.writer.append(
        "check_ins",
        {
            "id": ids,
            "checked_at": at,
            "latitude": np.round(places.lat[city] + rnd.g.normal(0, 0.03, n), 6),
            "longitude": np.round(places.lon[city] + rnd.g.normal(0, 0.03, n), 6),
            "address": take(c["address"], idx),
            "note": rnd.pick(["拜访客户", "商务洽谈", "售后回访", "送货上门", ""], n),
            "customer_id": c["id"][idx],
            "owner_id": owner,
            "created_by_id": owner,
            "created_at": at,
            "updated_at": at,
        },
    )


def _log_part(entity, record_id, action, field, old, new, actor, at) -> dict:
    n = len(record_id)
    return {
        "entity": np.full(n, entity),
        "record_id": record_id,
        "action": np.full(n, action),
        "field": np.full(n, field),
        "old_value": pa.array(old, pa.string()) if old is not None else pa.nulls(n, pa.string()),
        "new_value": pa.array(new, pa.string()) if new is not None else pa.nulls(n, pa.string()),
        "actor_id": actor,
        "changed_at": at,
    }


def change_logs(ctx: Ctx, c: dict, ct: dict) -> None:
    """History rows: customers created, owners changed through the pool, contracts approved.
    Values are the stored column values as text (owner ids, status codes)."""
    out = np.flatnonzero(c["pool"] | c["claimed"])
    back = np.flatnonzero(c["claimed"])
    app = np.flatnonzero(ct["status"] == APPROVED)
    first = c["first_owner"]
    parts = [
        _log_part("customer", c["id"], "create", "", None, None, first, c["created"]),
        _log_part(
            "customer",
            c["id"][out],
            "transfer",
            "owner_id",
            first[out].astype(str),
            None,
            first[out],
            c["released"][out],
        ),
        _log_part(
            "customer",
            c["id"][back],
            "transfer",
            "owner_id",
            None,
            c["owner"][back].astype(str),
            c["owner"][back],
            c["owned_since"][back],
        ),
        _log_part(
            "contract",
            ct["id"][app],
            "update",
            "approval_status",
            np.full(len(app), "pending"),
            np.full(len(app), "approved"),
            np.zeros(len(app), dtype=np.int64),
            ct["finished"][app],
        ),
    ]
    cols = {}
    for key in parts[0]:
        values = [p[key] for p in parts]
        if isinstance(values[0], pa.Array):
            cols[key] = pa.concat_arrays(values)
        else:
            cols[key] = np.concatenate(values)
    cols["id"] = ctx.writer.ids("change_logs", len(cols["record_id"]))
    ctx.writer.append("change_logs", cols)
