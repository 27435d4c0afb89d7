"""Opportunities (CUS-6): create and edit with product lines, move through the stages of their
group (every move kept with time and user), close as won / lost (with a reason) / invalid, reopen.

Reopening: a lost or invalid opportunity may be reopened by whoever may edit it; it returns to
the stage it was in. A won opportunity is final (its deal continues as a contract)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.entities import FieldSpec, Kind, audit_fields, define
from core.errors import InvalidTransition, ValidationFailed
from core.models import (
    Opportunity,
    OpportunityLine,
    OpportunityStageChange,
    OpportunityStatus,
    OptionItem,
    Stage,
    User,
)
from core.permissions import Actor, require
from core.services import changelog, order_lines, records, sales_refs, stages
from core.services.record_query import visible_select

E = "opportunity.error."
CLOSED = (OpportunityStatus.WON, OpportunityStatus.LOST, OpportunityStatus.INVALID)

OPPORTUNITY = define(
    "opportunity",
    Opportunity,
    i18n="opportunity",
    actions="crm.opportunity",
    search_fields=("name",),
    search_hint="opportunity.search_hint",
    fields=[
        FieldSpec("name", required=True, filterable=True),
        FieldSpec("customer_id", Kind.REF, ref="customer", required=True, filterable=True),
        FieldSpec("amount", Kind.MONEY, min_value=Decimal("0"), filterable=True),
        FieldSpec("stage_group_id", Kind.REF, ref="stage_group", required=True, in_list=False),
        FieldSpec("stage_id", Kind.REF, ref="stage", readonly=True, filterable=True),
        FieldSpec(
            "status",
            Kind.CHOICE,
            choices=tuple(OpportunityStatus),
            readonly=True,
            filterable=True,
        ),
        FieldSpec("expected_close_date", Kind.DATE, filterable=True),
        FieldSpec("discount_rate", Kind.DECIMAL, readonly=True, in_list=False, in_form=False),
        FieldSpec("lost_reason", Kind.OPTION, options="lost_reason", readonly=True, in_list=False),
        FieldSpec("closed_at", Kind.DATETIME, readonly=True, in_list=False),
        FieldSpec("notes", Kind.TEXTAREA, in_list=False),
        *audit_fields(owner=True),
    ],
)


def get(session: Session, *, actor: Actor, opportunity_id: int, action: str | None = None):
    """The opportunity if the actor may reach it with `action` (default view), else NotFound."""
    return records.get_visible(
        session, actor=actor, spec=OPPORTUNITY, record_id=opportunity_id, action=action
    )


def _for_edit(session: Session, actor: Actor, opportunity_id: int) -> Opportunity:
    return get(session, actor=actor, opportunity_id=opportunity_id, action="crm.opportunity.edit")


def _log_stage(session: Session, actor: Actor, opp: Opportunity, from_stage, status) -> None:
    session.add(
        OpportunityStageChange(
            opportunity_id=opp.id,
            from_stage_id=from_stage,
            to_stage_id=opp.stage_id,
            to_status=str(status),
            changed_by_id=actor.user_id,
        )
    )


def _log(session: Session, actor: Actor, opp, action: str, field: str, old, new) -> None:
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity="opportunity",
        record_id=opp.id,
        action=action,
        field=field,
        old=old,
        new=new,
    )


def _check_group(session: Session, group_id: int) -> list[Stage]:
    group = session.get(stages.StageGroup, group_id) if group_id else None
    if group is None or group.deleted_at is not None or not group.is_active:
        raise ValidationFailed({"stage_group_id": sales_refs.UNKNOWN})
    ordered = stages.stages_of(session, group_id=group.id)
    if not ordered:
        raise ValidationFailed({"stage_group_id": (E + "no_stages", {})})
    return ordered


def create(
    session: Session,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] = (),
    discount_rate: Any = None,
) -> Opportunity:
    """A new open opportunity in the first stage of its (active) group, for a customer the actor
    can see; owner = the actor. Lines set the amount. The first stage is in the stage history."""
    require(actor, OPPORTUNITY.action("create"))
    values = dict(values)
    if not values.get("stage_group_id"):
        group = stages.default_group(session)
        values["stage_group_id"] = group.id if group else None
    cleaned = records.clean(session, OPPORTUNITY, values)
    sales_refs.check_customer(session, actor, cleaned["customer_id"])
    first = _check_group(session, cleaned["stage_group_id"])[0]
    opp = Opportunity(**cleaned, stage_id=first.id, status=OpportunityStatus.OPEN)
    opp.owner_id = opp.created_by_id = actor.user_id
    session.add(opp)
    session.flush()
    order_lines.apply(
        session,
        opp,
        OpportunityLine,
        "opportunity_id",
        typed_amount=cleaned.get("amount"),
        raw_lines=lines,
        discount_rate=discount_rate,
    )
    session.flush()
    _log_stage(session, actor, opp, None, OpportunityStatus.OPEN)
    changelog.log(
        session, actor_id=actor.user_id, entity="opportunity", record_id=opp.id, action="create"
    )
    return opp


def update(
    session: Session,
    *,
    actor: Actor,
    opportunity_id: int,
    values: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None = None,
    discount_rate: Any = None,
    expected_version: int | None = None,
) -> Opportunity:
    """Edit an open opportunity (closed ones are read-only). The stage group cannot change
    here; `lines` None keeps the stored lines (and the amount they give)."""
    opp = _for_edit(session, actor, opportunity_id)
    if opp.status != OpportunityStatus.OPEN:
        raise InvalidTransition(E + "closed")
    values = {k: v for k, v in values.items() if k != "stage_group_id"}
    if lines is None and line_rows(session, opp.id):
        values.pop("amount", None)  # the lines' total stays the amount
    record = records.update(
        session,
        actor=actor,
        spec=OPPORTUNITY,
        record_id=opp.id,
        values=values,
        expected_version=expected_version,
    )
    if "customer_id" in values:
        sales_refs.check_customer(session, actor, record.customer_id)
    if lines is not None:
        order_lines.apply_edit(
            session,
            actor_id=actor.user_id,
            spec=OPPORTUNITY,
            record=record,
            line_model=OpportunityLine,
            fk="opportunity_id",
            raw_lines=lines,
            discount_rate=discount_rate,
        )
    return record


def line_rows(session: Session, opportunity_id: int) -> list[OpportunityLine]:
    return order_lines.stored_lines(
        session, OpportunityLine, OpportunityLine.opportunity_id, opportunity_id
    )


def lines(session: Session, *, actor: Actor, opportunity_id: int) -> list[OpportunityLine]:
    """The opportunity's product lines, in the order entered."""
    get(session, actor=actor, opportunity_id=opportunity_id)
    return line_rows(session, opportunity_id)


def change_stage(
    session: Session, *, actor: Actor, opportunity_id: int, stage_id: int
) -> Opportunity:
    """Move an open opportunity to another stage of its own group (kept in its history)."""
    opp = _for_edit(session, actor, opportunity_id)
    if opp.status != OpportunityStatus.OPEN:
        raise InvalidTransition(E + "closed")
    stage = session.get(Stage, stage_id)
    if stage is None or stage.group_id != opp.stage_group_id:
        raise ValidationFailed({"stage_id": sales_refs.UNKNOWN})
    if stage.id == opp.stage_id:
        return opp
    previous = opp.stage_id
    opp.stage_id = stage.id
    sales_refs.flush(session, OPPORTUNITY)
    _log_stage(session, actor, opp, previous, OpportunityStatus.OPEN)
    _log(session, actor, opp, "stage", "stage_id", previous, stage.id)
    return opp


def _lost_reasons(session: Session) -> set[str]:
    return set(
        session.scalars(
            select(OptionItem.value).where(
                OptionItem.list_name == "lost_reason", OptionItem.is_active.is_(True)
            )
        )
    )


def close(
    session: Session,
    *,
    actor: Actor,
    opportunity_id: int,
    outcome: OpportunityStatus | str,
    reason: str = "",
) -> Opportunity:
    """Close an open opportunity: won (moves to the group's last stage), lost (needs a reason
    from the lost_reason option list) or invalid. Closing a closed one is InvalidTransition."""
    outcome = OpportunityStatus(outcome)
    if outcome not in CLOSED:
        raise InvalidTransition()
    opp = _for_edit(session, actor, opportunity_id)
    if opp.status != OpportunityStatus.OPEN:
        raise InvalidTransition(E + "closed")
    if outcome == OpportunityStatus.LOST and reason not in _lost_reasons(session):
        raise ValidationFailed({"lost_reason": (E + "reason_required", {})})
    previous = opp.stage_id
    if outcome == OpportunityStatus.WON:
        opp.stage_id = stages.stages_of(session, group_id=opp.stage_group_id)[-1].id
    opp.status = outcome
    opp.lost_reason = reason if outcome == OpportunityStatus.LOST else ""
    opp.closed_at = sales_refs.utc_now()
    sales_refs.flush(session, OPPORTUNITY)
    _log_stage(session, actor, opp, previous, outcome)
    _log(session, actor, opp, "close", "status", OpportunityStatus.OPEN, outcome)
    if outcome == OpportunityStatus.LOST:
        _log(session, actor, opp, "close", "lost_reason", "", reason)
    return opp


def reopen(session: Session, *, actor: Actor, opportunity_id: int) -> Opportunity:
    """Reopen a lost or invalid opportunity in the stage it was in; won ones stay closed."""
    opp = _for_edit(session, actor, opportunity_id)
    if opp.status not in (OpportunityStatus.LOST, OpportunityStatus.INVALID):
        raise InvalidTransition(E + "cannot_reopen")
    previous_status = opp.status
    opp.status = OpportunityStatus.OPEN
    opp.lost_reason = ""
    opp.closed_at = None
    sales_refs.flush(session, OPPORTUNITY)
    _log_stage(session, actor, opp, opp.stage_id, OpportunityStatus.OPEN)
    _log(session, actor, opp, "reopen", "status", previous_status, OpportunityStatus.OPEN)
    return opp


@dataclass(frozen=True)
class StageStep:
    changed_at: Any
    from_stage: str
    to_stage: str
    to_status: str
    changed_by: str


def stage_history(session: Session, *, actor: Actor, opportunity_id: int) -> list[StageStep]:
    """Every stage change of the opportunity, oldest first, with stage and user names."""
    get(session, actor=actor, opportunity_id=opportunity_id)
    from_stage = Stage.__table__.alias("from_stage")
    to_stage = Stage.__table__.alias("to_stage")
    rows = session.execute(
        select(
            OpportunityStageChange.changed_at,
            from_stage.c.name,
            to_stage.c.name,
            OpportunityStageChange.to_status,
            User.display_name,
        )
        .outerjoin(from_stage, from_stage.c.id == OpportunityStageChange.from_stage_id)
        .outerjoin(to_stage, to_stage.c.id == OpportunityStageChange.to_stage_id)
        .outerjoin(User, User.id == OpportunityStageChange.changed_by_id)
        .where(OpportunityStageChange.opportunity_id == opportunity_id)
        .order_by(OpportunityStageChange.changed_at, OpportunityStageChange.id)
    ).all()
    return [StageStep(at, f or "", t or "", s, who or "") for at, f, t, s, who in rows]


@dataclass
class KanbanColumn:
    stage: Stage
    count: int
    amount: Decimal
    cards: list[Opportunity]


def kanban(
    session: Session,
    *,
    actor: Actor,
    group_id: int,
    search: str = "",
    mine_only: bool = False,
    per_column: int = 30,
) -> list[KanbanColumn]:
    """Open opportunities of a group by stage: per column the count and amount of every visible
    match, and the `per_column` most recently updated cards."""
    require(actor, OPPORTUNITY.view_action)
    where = [Opportunity.stage_group_id == group_id, Opportunity.status == OpportunityStatus.OPEN]
    if mine_only:
        where.append(Opportunity.owner_id == actor.user_id)
    base = visible_select(actor, OPPORTUNITY, search=search, where=where).subquery()
    totals = {
        stage_id: (n, amount or Decimal("0"))
        for stage_id, n, amount in session.execute(
            select(base.c.stage_id, func.count(), func.sum(base.c.amount)).group_by(base.c.stage_id)
        )
    }
    columns = []
    for stage in stages.stages_of(session, group_id=group_id):
        count, amount = totals.get(stage.id, (0, Decimal("0")))
        cards = []
        if count:
            query = visible_select(
                actor, OPPORTUNITY, search=search, where=[*where, Opportunity.stage_id == stage.id]
            )
            cards = list(
                session.scalars(
                    query.order_by(Opportunity.updated_at.desc(), Opportunity.id.desc()).limit(
                        per_column
                    )
                )
            )
        columns.append(KanbanColumn(stage, count, Decimal(amount), cards))
    return columns


def closed_summary(
    session: Session, *, actor: Actor, group_id: int, search: str = "", mine_only: bool = False
) -> dict[str, tuple[int, Decimal]]:
    """Visible closed opportunities of a group: {status: (count, amount)}."""
    where = [Opportunity.stage_group_id == group_id, Opportunity.status.in_(list(CLOSED))]
    if mine_only:
        where.append(Opportunity.owner_id == actor.user_id)
    base = visible_select(actor, OPPORTUNITY, search=search, where=where).subquery()
    rows = session.execute(
        select(base.c.status, func.count(), func.sum(base.c.amount)).group_by(base.c.status)
    )
    found = {str(s): (0, Decimal("0")) for s in CLOSED}
    found.update({str(s): (n, Decimal(a or 0)) for s, n, a in rows})
    return found


def delete(session: Session, *, actor: Actor, opportunity_id: int) -> None:
    """To the recycle bin (needs crm.opportunity.delete in scope)."""
    records.soft_delete(session, actor=actor, spec=OPPORTUNITY, record_id=opportunity_id)


def choices_for_customer(
    session: Session, actor: Actor, customer_id: int | None
) -> list[tuple[int, str]]:
    """Visible open or won opportunities of a customer as (id, name): what a contract may cite."""
    if customer_id is None:
        return []
    query = visible_select(
        actor,
        OPPORTUNITY,
        where=[
            Opportunity.customer_id == customer_id,
            Opportunity.status.in_([OpportunityStatus.OPEN, OpportunityStatus.WON]),
        ],
    ).order_by(Opportunity.updated_at.desc(), Opportunity.id.desc())
    return [(o.id, o.name) for o in session.scalars(query.limit(200))]
