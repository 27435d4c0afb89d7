"""Receivable plans and receivables (CUS-8). Plans split a contract's amount into numbered
periods (their total never exceeds the contract amount); receivables are numbered by the
"receivable" rule, taken against approved contracts, and approved like contracts. Only approved
receivables count: the contract's received amount and each plan's status follow from them, and
they can never push the received total past the contract amount (checked under a row lock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from core.entities import FieldSpec, Kind, audit_fields, define
from core.errors import DomainError, InvalidTransition, ValidationFailed
from core.models import ApprovalStatus, Contract, PlanStatus, Receivable, ReceivablePlan
from core.permissions import Actor, require
from core.services import changelog, contracts, numbering, records, sales_approval, sales_refs
from core.services.record_query import not_deleted

E = "receivable.error."
REMIND_MAX = 365


class ReceivableExceedsContract(DomainError):
    key = "receivable.error.exceeds"


class PlanHasReceivables(DomainError):
    key = "receivable.error.plan_used"


class ContractNotApproved(DomainError):
    key = "receivable.error.contract_not_approved"


def _plan_choices(session: Session, actor: Actor) -> list[tuple[int, str]]:
    return []  # plans are offered per contract by the receivable form


PLAN = define(
    "receivable_plan",
    ReceivablePlan,
    i18n="receivable.plan",
    actions="crm.receivable",
    default_sort="planned_date",
    title_field="period",
    ref_choices=_plan_choices,
    fields=[
        FieldSpec("contract_id", Kind.REF, ref="contract", readonly=True, filterable=True),
        FieldSpec("customer_id", Kind.REF, ref="customer", readonly=True, filterable=True),
        FieldSpec("period", Kind.INT, readonly=True),
        FieldSpec("planned_amount", Kind.MONEY, required=True, min_value=Decimal("0.01")),
        FieldSpec("planned_date", Kind.DATE, required=True, filterable=True),
        FieldSpec("remind_days", Kind.INT, min_value=0, max_value=REMIND_MAX, default=0),
        FieldSpec("status", Kind.CHOICE, choices=tuple(PlanStatus), readonly=True, filterable=True),
        FieldSpec("notes", Kind.TEXTAREA, in_list=False),
        *audit_fields(owner=True),
    ],
)

RECEIVABLE = define(
    "receivable",
    Receivable,
    i18n="receivable",
    actions="crm.receivable",
    default_sort="-received_date",
    title_field="number",
    search_fields=("number",),
    search_hint="receivable.search_hint",
    fields=[
        FieldSpec("number", readonly=True, filterable=True),
        FieldSpec("contract_id", Kind.REF, ref="contract", required=True, filterable=True),
        FieldSpec("customer_id", Kind.REF, ref="customer", readonly=True, filterable=True),
        FieldSpec("plan_id", Kind.REF, ref="receivable_plan", in_list=False),
        FieldSpec("received_date", Kind.DATE, required=True, filterable=True),
        FieldSpec("method", Kind.OPTION, options="payment_method", filterable=True),
        FieldSpec("amount", Kind.MONEY, required=True, min_value=Decimal("0.01"), filterable=True),
        FieldSpec(
            "approval_status",
            Kind.CHOICE,
            choices=tuple(ApprovalStatus),
            readonly=True,
            filterable=True,
        ),
        FieldSpec("notes", Kind.TEXTAREA, in_list=False),
        *audit_fields(owner=True),
    ],
)


# --- plans ---------------------------------------------------------------------------------


def plan_status(
    paid: Decimal, planned: Decimal, planned_date: dt.date, today: dt.date
) -> PlanStatus:
    """done when fully paid, partial when partly, overdue when unpaid past its date, else to
    collect (only approved receivables count as paid)."""
    if paid >= planned:
        return PlanStatus.DONE
    if paid > 0:
        return PlanStatus.PARTIAL
    return PlanStatus.OVERDUE if planned_date < today else PlanStatus.TO_COLLECT


def _paid(session: Session, plan_id: int) -> Decimal:
    paid = session.scalar(
        select(func.coalesce(func.sum(Receivable.amount), 0)).where(
            Receivable.plan_id == plan_id,
            not_deleted(Receivable),
            Receivable.approval_status == ApprovalStatus.APPROVED,
        )
    )
    return Decimal(paid or 0)


def refresh_plan(session: Session, plan: ReceivablePlan, today: dt.date | None = None) -> None:
    """Recompute one plan's status from its approved receivables."""
    status = plan_status(
        _paid(session, plan.id),
        plan.planned_amount,
        plan.planned_date,
        today or numbering.local_today(),
    )
    if plan.status != status:
        plan.status = status
        sales_refs.flush(session, PLAN)


def _plan_contract(session: Session, actor: Actor, contract_id: int) -> Contract:
    contract = contracts.get(session, actor=actor, contract_id=contract_id)
    if contract.approval_status == ApprovalStatus.VOID:
        raise InvalidTransition(E + "contract_void")
    return contract


def _check_plan_total(session, contract: Contract, amount: Decimal, exclude=None) -> None:
    left = contract.amount - contracts.planned_total(session, contract.id, exclude_plan=exclude)
    if amount > left:
        raise ValidationFailed(
            {"planned_amount": (E + "plans_exceed", {"left": format(max(left, 0), "f")})}
        )


def add_plan(
    session: Session, *, actor: Actor, contract_id: int, values: Mapping[str, Any]
) -> ReceivablePlan:
    """A plan for the next period of a visible, not void contract (needs crm.receivable.create);
    the plans' total may not exceed the contract amount. Owner and customer follow the contract."""
    require(actor, PLAN.action("create"))
    contract = _plan_contract(session, actor, contract_id)
    cleaned = records.clean(session, PLAN, values)
    contracts.lock(session, contract.id)
    _check_plan_total(session, contract, cleaned["planned_amount"])
    last = session.scalar(
        select(func.max(ReceivablePlan.period)).where(
            ReceivablePlan.contract_id == contract.id, not_deleted(ReceivablePlan)
        )
    )
    plan = ReceivablePlan(
        **cleaned, contract_id=contract.id, customer_id=contract.customer_id, period=(last or 0) + 1
    )
    plan.owner_id, plan.created_by_id = contract.owner_id, actor.user_id
    plan.status = plan_status(
        Decimal("0"), plan.planned_amount, plan.planned_date, numbering.local_today()
    )
    session.add(plan)
    sales_refs.flush(session, PLAN)
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity="receivable_plan",
        record_id=plan.id,
        action="create",
    )
    return plan


def update_plan(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    values: Mapping[str, Any],
    expected_version: int | None = None,
) -> ReceivablePlan:
    """Change a plan's amount, date, reminder or notes; same total rule; status recomputed."""
    plan = records.get_visible(
        session, actor=actor, spec=PLAN, record_id=plan_id, action=PLAN.action("edit")
    )
    contract = contracts.lock(session, plan.contract_id)
    if "planned_amount" in values:
        amount = records.clean(
            session, PLAN, {"planned_amount": values["planned_amount"]}, record=plan
        )
        _check_plan_total(session, contract, amount["planned_amount"], exclude=plan.id)
    plan = records.update(
        session,
        actor=actor,
        spec=PLAN,
        record_id=plan.id,
        values=values,
        expected_version=expected_version,
    )
    refresh_plan(session, plan)
    return plan


def delete_plan(session: Session, *, actor: Actor, plan_id: int) -> None:
    """Delete a plan no live receivable points at (needs crm.receivable.delete in scope)."""
    used = session.scalar(
        select(Receivable.id).where(Receivable.plan_id == plan_id, not_deleted(Receivable)).limit(1)
    )
    if used is not None:
        raise PlanHasReceivables()
    records.soft_delete(session, actor=actor, spec=PLAN, record_id=plan_id)


def plans_of(session: Session, *, actor: Actor, contract_id: int) -> list[ReceivablePlan]:
    """The contract's live plans by period (the contract must be visible)."""
    contracts.get(session, actor=actor, contract_id=contract_id)
    return list(
        session.scalars(
            select(ReceivablePlan)
            .where(ReceivablePlan.contract_id == contract_id, not_deleted(ReceivablePlan))
            .order_by(ReceivablePlan.period, ReceivablePlan.id)
        )
    )


def paid_by_plan(session: Session, plan_ids) -> dict[int, Decimal]:
    """Approved receivable amounts per plan."""
    ids = sorted(set(plan_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Receivable.plan_id, func.sum(Receivable.amount))
        .where(
            Receivable.plan_id.in_(ids),
            not_deleted(Receivable),
            Receivable.approval_status == ApprovalStatus.APPROVED,
        )
        .group_by(Receivable.plan_id)
    )
    return {plan_id: Decimal(total or 0) for plan_id, total in rows}


def due_reminders(
    session: Session, *, actor: Actor, today: dt.date, limit: int = 200
) -> list[ReceivablePlan]:
    """Plans the actor may see that are not fully collected and whose reminder day (planned
    date − remind days) has come, earliest planned date first: for the workbench to-do list."""
    from core.services.record_query import visible_select

    horizon = today + dt.timedelta(days=REMIND_MAX)
    query = visible_select(
        actor,
        PLAN,
        where=[
            ReceivablePlan.status != PlanStatus.DONE,
            ReceivablePlan.planned_date <= horizon,
            ReceivablePlan.contract_id.in_(
                select(Contract.id).where(
                    not_deleted(Contract), Contract.approval_status != ApprovalStatus.VOID
                )
            ),
        ],
    ).order_by(ReceivablePlan.planned_date, ReceivablePlan.id)
    due = (
        p
        for p in session.scalars(query)
        if p.planned_date - dt.timedelta(days=p.remind_days or 0) <= today
    )
    return [p for _, p in zip(range(limit), due, strict=False)]


def mark_overdue_plans(session: Session, *, today: dt.date) -> int:
    """Job: plans still to collect whose planned date has passed become overdue (idempotent).
    Returns how many plans changed."""
    live_contract = select(Contract.id).where(
        not_deleted(Contract), Contract.approval_status != ApprovalStatus.VOID
    )
    result = session.execute(
        sql_update(ReceivablePlan)
        .where(
            ReceivablePlan.status == PlanStatus.TO_COLLECT,
            ReceivablePlan.planned_date < today,
            ReceivablePlan.deleted_at.is_(None),
            ReceivablePlan.contract_id.in_(live_contract),
        )
        .values(status=PlanStatus.OVERDUE, version=ReceivablePlan.version + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def overdue_plans_job(session: Session, *, now: dt.datetime) -> dict:
    """The job registered in core/jobs.py: overdue as of the business-local day of `now`."""
    from core.bi.mirror import mark_dirty
    from core.i18n import to_local

    changed = mark_overdue_plans(session, today=to_local(now).date())
    if changed:
        mark_dirty()  # a bulk UPDATE does not flush, so the mirror's session hook misses it
    return {"overdue": changed}


# --- receivables ---------------------------------------------------------------------------


def _approved_total(session: Session, contract_id: int, exclude: int | None) -> Decimal:
    query = select(func.coalesce(func.sum(Receivable.amount), 0)).where(
        Receivable.contract_id == contract_id,
        not_deleted(Receivable),
        Receivable.approval_status == ApprovalStatus.APPROVED,
    )
    if exclude is not None:
        query = query.where(Receivable.id != exclude)
    return Decimal(session.scalar(query) or 0)


def check_cap(session: Session, contract_id: int, amount: Decimal, exclude=None) -> Contract:
    """Lock the contract and refuse `amount` if approved receivables plus it would pass the
    contract amount (ReceivableExceedsContract with the amount still open)."""
    contract = contracts.lock(session, contract_id)
    left = contract.amount - _approved_total(session, contract_id, exclude)
    if amount > left:
        raise ReceivableExceedsContract(left=format(max(left, Decimal("0")), "f"))
    return contract


def _receivable_contract(session: Session, actor: Actor, contract_id) -> Contract:
    try:
        contract = contracts.get(session, actor=actor, contract_id=contract_id)
    except DomainError:
        raise ValidationFailed({"contract_id": sales_refs.UNKNOWN}) from None
    if contract.approval_status != ApprovalStatus.APPROVED:
        raise ValidationFailed({"contract_id": (E + "contract_not_approved", {})})
    return contract


def _check_plan(session: Session, plan_id, contract_id: int) -> None:
    if plan_id is None:
        return
    plan = session.get(ReceivablePlan, plan_id)
    if plan is None or plan.deleted_at is not None or plan.contract_id != contract_id:
        raise ValidationFailed({"plan_id": (E + "plan_of_other_contract", {})})


def _cap_as_field_error(session, contract_id: int, amount: Decimal, exclude=None) -> None:
    try:
        check_cap(session, contract_id, amount, exclude)
    except ReceivableExceedsContract as exc:
        raise ValidationFailed({"amount": (exc.key, exc.params)}) from None


def _receivable_number_taken(session: Session):
    return lambda number: (
        session.scalar(select(Receivable.id).where(Receivable.number == number)) is not None
    )


def create(session: Session, *, actor: Actor, values: Mapping[str, Any]) -> Receivable:
    """A draft receivable against an approved contract the actor can see: amount > 0, plan of
    that contract, method from payment_method; approved receivables plus this one may not pass
    the contract amount. Numbered by the receivable rule; owner and customer follow the contract."""
    require(actor, RECEIVABLE.action("create"))
    cleaned = records.clean(session, RECEIVABLE, values)
    contract = _receivable_contract(session, actor, cleaned["contract_id"])
    _check_plan(session, cleaned.get("plan_id"), contract.id)
    _cap_as_field_error(session, contract.id, cleaned["amount"])
    receivable = Receivable(**cleaned, customer_id=contract.customer_id)
    receivable.owner_id, receivable.created_by_id = contract.owner_id, actor.user_id
    receivable.approval_status = ApprovalStatus.DRAFT
    receivable.number = numbering.allocate(
        session, entity="receivable", is_taken=_receivable_number_taken(session)
    )
    session.add(receivable)
    sales_refs.flush(session, RECEIVABLE)
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity="receivable",
        record_id=receivable.id,
        action="create",
    )
    return receivable


def update(
    session: Session,
    *,
    actor: Actor,
    receivable_id: int,
    values: Mapping[str, Any],
    expected_version: int | None = None,
) -> Receivable:
    """Edit a draft / rejected / withdrawn receivable; its contract cannot change."""
    receivable = records.get_visible(
        session, actor=actor, spec=RECEIVABLE, record_id=receivable_id, action="crm.receivable.edit"
    )
    if not sales_approval.is_editable(receivable.approval_status):
        raise InvalidTransition(E + "locked")
    values = {k: v for k, v in values.items() if k != "contract_id"}
    record = records.update(
        session,
        actor=actor,
        spec=RECEIVABLE,
        record_id=receivable.id,
        values=values,
        expected_version=expected_version,
    )
    _check_plan(session, record.plan_id, record.contract_id)
    _cap_as_field_error(session, record.contract_id, record.amount, exclude=record.id)
    return record


def delete(session: Session, *, actor: Actor, receivable_id: int) -> None:
    """To the recycle bin: only draft / rejected / withdrawn receivables."""
    receivable = records.get_visible(
        session,
        actor=actor,
        spec=RECEIVABLE,
        record_id=receivable_id,
        action="crm.receivable.delete",
    )
    if not sales_approval.is_editable(receivable.approval_status):
        raise InvalidTransition(E + "locked")
    records.soft_delete(session, actor=actor, spec=RECEIVABLE, record_id=receivable_id)


def transfer(session: Session, *, actor: Actor, receivable_id: int, to_user_id: int, **_options):
    """A receivable's owner is always its contract's owner: transfer the contract instead
    (bulk transfer of receivables is refused with that message)."""
    raise InvalidTransition(E + "owner_follows_contract")


def _check_before_approval(session: Session, receivable: Receivable) -> None:
    contract = session.get(Contract, receivable.contract_id)
    if contract is None or contract.approval_status != ApprovalStatus.APPROVED:
        raise ContractNotApproved()
    check_cap(session, receivable.contract_id, receivable.amount, exclude=receivable.id)


def _after_change(session: Session, receivable: Receivable, old, new) -> None:
    """Approving, or voiding an approved receivable, changes what was received."""
    if ApprovalStatus.APPROVED not in (old, new):
        return
    contract = contracts.lock(session, receivable.contract_id)
    contracts.refresh_received(session, contract)
    if receivable.plan_id is not None:
        plan = session.get(ReceivablePlan, receivable.plan_id)
        if plan is not None:
            refresh_plan(session, plan)


sales_approval.register_subject(
    sales_approval.Subject(
        kind="receivable",
        title=lambda r: r.number,
        check=_check_before_approval,
        after=_after_change,
    )
)


def submit(session: Session, *, actor: Actor, receivable_id: int) -> ApprovalStatus:
    """Submit for approval (see sales_approval.submit); approved at once without a flow."""
    return sales_approval.submit(session, actor=actor, kind="receivable", record_id=receivable_id)


def of_contract(session: Session, *, actor: Actor, contract_id: int) -> list[Receivable]:
    """The contract's live receivables, newest first (the contract must be visible)."""
    contracts.get(session, actor=actor, contract_id=contract_id)
    return list(
        session.scalars(
            select(Receivable)
            .where(Receivable.contract_id == contract_id, not_deleted(Receivable))
            .order_by(Receivable.received_date.desc(), Receivable.id.desc())
        )
    )
