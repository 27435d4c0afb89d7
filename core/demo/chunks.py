"""One chunk of customers with everything that hangs off them, written in foreign-key order."""

from __future__ import annotations

import numpy as np

from core.demo import activity, crm, deals, receivables
from core.demo.context import APPROVED, Ctx
from core.demo.places import Places


def customer_chunk(ctx: Ctx, places: Places, n: int) -> None:
    c = crm.customers(ctx, places, n)
    c["address"] = places.address(ctx, c["city"])
    k = crm.contacts(ctx, c)
    leads = crm.converted_leads(ctx, c, k)
    ct = deals.contracts(ctx, c, k)
    deals.contract_approvals(ctx, ct)  # requests first: contracts point at them
    op = deals.opportunities(ctx, c, ct)
    deals.stage_history(ctx, c, op)
    pl = receivables.plans(ctx, ct)
    rc = receivables.receivables(ctx, ct, pl)
    receivables.settle(ctx, ct, pl, rc)
    receivables.receivable_approvals(ctx, ct, rc)
    c["dealt_at"] = _dealt_at(c, ct)
    activity.followups(ctx, c, k, leads, op, ct)

    crm.write_customers(ctx, places, c)
    crm.write_contacts(ctx, k)
    ctx.writer.append("leads", leads)
    ctx.writer.append("customer_team_members", crm.team_members(ctx, c))
    ctx.writer.append("pool_events", crm.pool_events(ctx, c))
    deals.write_opportunities(ctx, c, ct, op)
    deals.write_contracts(ctx, ct)
    receivables.write(ctx, ct, pl, rc)
    activity.flush_followups(ctx)
    activity.visits(ctx, c, k)
    activity.change_logs(ctx, c, ct)
    ctx.writer.commit()
    _remember(ctx, c, ct)


def _dealt_at(c: dict, ct: dict) -> np.ndarray:
    """A customer became dealt when its first contract was approved."""
    first = np.full(len(c["id"]), np.iinfo(np.int64).max)
    ok = ct["status"] == APPROVED
    np.minimum.at(first, ct["parent"][ok], ct["finished"][ok])
    return np.where(c["dealt"], first, 0)


def _remember(ctx: Ctx, c: dict, ct: dict) -> None:
    """What later steps need: amounts per seller (targets), a few customers per seller."""
    ok = ct["status"] == APPROVED
    np.add.at(ctx.owner_amount, ct["owner"][ok], ct["amount"][ok])
    owned = np.flatnonzero(c["owner"] > 0)
    order = owned[np.argsort(c["owner"][owned], kind="stable")]
    owners, starts = np.unique(c["owner"][order], return_index=True)
    for owner, start in zip(owners, starts, strict=True):
        mine = ctx.user_customers.setdefault(int(owner), [])
        if len(mine) < 30:
            mine.extend(int(x) for x in c["id"][order[start : start + 30 - len(mine)]])


def lead_chunk(ctx: Ctx, places: Places, n: int) -> None:
    leads = crm.lead_chunk(ctx, places, n)
    ctx.writer.append("leads", leads)
    activity.lead_followups(ctx, leads)
    activity.flush_followups(ctx)
    deleted = np.flatnonzero(leads["deleted_at"] > 0)
    ctx.writer.append(
        "change_logs",
        {
            "id": ctx.writer.ids("change_logs", len(deleted)),
            "entity": "lead",
            "record_id": leads["id"][deleted],
            "action": "delete",
            "actor_id": leads["owner_id"][deleted],
            "changed_at": leads["deleted_at"][deleted],
        },
    )
    ctx.writer.commit()
