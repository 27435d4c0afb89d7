"""The records behind a figure, read from the relational store for a click-through list: the
first `limit` of the ids a report found, with names, again filtered by the viewer's scope
(the one predicate, core.permissions.scope_clause) and leaving out soft-deleted rows.

API: rows(session, *, actor, kind, ids, limit=200) -> polars frame with COLUMNS[kind]
(ids order kept); `kind` is one of KINDS (core/bi/drilldown.RECORD_OF values)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from core.models import (
    ApprovalRequest,
    CheckIn,
    Contact,
    Contract,
    Customer,
    FollowUp,
    Lead,
    Opportunity,
    Receivable,
    ReceivablePlan,
    Stage,
    User,
)
from core.permissions import Actor, scope_clause


@dataclass(frozen=True)
class Kind:
    model: type
    action: str
    columns: tuple[str, ...]  # model attributes, or "customer" / "owner" / "stage" joins


KINDS: dict[str, Kind] = {
    "customer": Kind(Customer, "crm.customer.view",
                     ("name", "level", "province", "owner", "last_followup_at", "created_at")),
    "contact": Kind(Contact, "crm.contact.view", ("name", "customer", "mobile", "owner",
                                                  "created_at")),
    "lead": Kind(Lead, "crm.lead.view", ("name", "company", "source", "owner", "created_at")),
    "opportunity": Kind(Opportunity, "crm.opportunity.view",
                        ("name", "customer", "stage", "status", "amount", "owner", "created_at")),
    "contract": Kind(Contract, "crm.contract.view",
                     ("number", "name", "customer", "order_date", "amount", "approval_status",
                      "owner")),
    "receivable": Kind(Receivable, "crm.receivable.view",
                       ("number", "customer", "received_date", "amount", "approval_status",
                        "owner")),
    "receivable_plan": Kind(ReceivablePlan, "crm.receivable.view",
                            ("customer", "period", "planned_date", "planned_amount", "status",
                             "owner")),
    "follow_up": Kind(FollowUp, "crm.followup.view", ("customer", "kind", "content", "owner",
                                                      "created_at")),
    "trip": Kind(ApprovalRequest, "office.approval.view", ("title", "starts_at", "ends_at",
                                                           "status", "owner")),
    "visit": Kind(CheckIn, "office.checkin.view", ("customer", "address", "owner",
                                                   "checked_at")),
}  # fmt: skip

COLUMNS: dict[str, tuple[str, ...]] = {name: ("id", *k.columns) for name, k in KINDS.items()}


def _statement(actor: Actor, kind: Kind, ids: list[int]):
    model = kind.model
    owner, customer, stage = aliased(User), aliased(Customer), aliased(Stage)
    selected = [model.id.label("id")]
    joins = []
    for name in kind.columns:
        if name == "owner":
            selected.append(owner.display_name.label("owner"))
            joins.append((owner, owner.id == model.owner_id))
        elif name == "customer" and model is not Customer:
            selected.append(customer.name.label("customer"))
            joins.append((customer, customer.id == model.customer_id))
        elif name == "stage":
            selected.append(stage.name.label("stage"))
            joins.append((stage, stage.id == model.stage_id))
        else:
            selected.append(getattr(model, name).label(name))
    query = select(*selected)
    for target, on in joins:
        query = query.outerjoin(target, on)
    return query.where(
        model.id.in_(ids), model.deleted_at.is_(None), scope_clause(actor, model, kind.action)
    )


def rows(session: Session, *, actor: Actor, kind: str, ids: list[int],
         limit: int = 200) -> pl.DataFrame:  # fmt: skip
    """The first `limit` records of `ids` the actor may see, in the order of `ids`."""
    spec = KINDS[kind]
    wanted = list(ids[:limit])
    found = {}
    if wanted:
        for row in session.execute(_statement(actor, spec, wanted)).mappings():
            found[row["id"]] = dict(row)
    ordered = [found[i] for i in wanted if i in found]
    columns = COLUMNS[kind]
    return pl.DataFrame(
        {c: [r[c] for r in ordered] for c in columns},
        schema_overrides={"id": pl.Int64},
        strict=False,
    )
