"""Contracts (CUS-7): numbered by the "contract" numbering rule, for a customer the actor can see,
with product lines and a whole-order discount (amount computed here), signatories, and an
approval state (core/services/sales_approval.py). Approved, pending and void contracts are
read-only; approval marks the customer as dealt (CUS-3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.entities import FieldSpec, Kind, audit_fields, define
from core.errors import DomainError, ValidationFailed
from core.models import (
    ApprovalStatus,
    Contact,
    Contract,
    ContractLine,
    Opportunity,
    Receivable,
    ReceivablePlan,
)
from core.permissions import Actor, require, scope_clause
from core.services import (
    changelog,
    customers,
    numbering,
    order_lines,
    records,
    sales_approval,
    sales_refs,
)
from core.services import opportunities as _opportunities  # noqa: F401 — registers "opportunity"
from core.services.record_query import not_deleted

E = "contract.error."
MAX_NUMBER_TRIES = 5


class ContractLocked(DomainError):
    key = "contract.error.locked"


class ContractHasReceivables(DomainError):
    key = "contract.error.has_receivables"


def _contract_choices(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """Visible approved contracts as "number name" (receivables are taken against these)."""
    rows = session.execute(
        select(Contract.id, Contract.number, Contract.name)
        .where(
            scope_clause(actor, Contract, "crm.contract.view"),
            not_deleted(Contract),
            Contract.approval_status == ApprovalStatus.APPROVED,
        )
        .order_by(Contract.order_date.desc(), Contract.id.desc())
        .limit(1000)
    )
    return [(i, f"{number} {name}") for i, number, name in rows]


CONTRACT = define(
    "contract",
    Contract,
    i18n="contract",
    actions="crm.contract",
    search_fields=("number", "name"),
    search_hint="contract.search_hint",
    default_sort="-order_date",
    title_field="number",
    ref_choices=_contract_choices,
    fields=[
        FieldSpec("number", readonly=True, filterable=True),
        FieldSpec("name", required=True, filterable=True),
        FieldSpec("customer_id", Kind.REF, ref="customer", required=True, filterable=True),
        FieldSpec("opportunity_id", Kind.REF, ref="opportunity", in_list=False),
        FieldSpec("amount", Kind.MONEY, min_value=Decimal("0"), filterable=True),
        FieldSpec("order_date", Kind.DATE, required=True, filterable=True),
        FieldSpec("start_date", Kind.DATE, in_list=False),
        FieldSpec("end_date", Kind.DATE, filterable=True, in_list=False),
        FieldSpec("customer_signatory_id", Kind.REF, ref="contact", in_list=False),
        FieldSpec("company_signatory_id", Kind.USER, in_list=False),
        FieldSpec(
            "approval_status",
            Kind.CHOICE,
            choices=tuple(ApprovalStatus),
            readonly=True,
            filterable=True,
        ),
        FieldSpec("received_amount", Kind.MONEY, readonly=True),
        FieldSpec("discount_rate", Kind.DECIMAL, readonly=True, in_list=False, in_form=False),
        FieldSpec("notes", Kind.TEXTAREA, in_list=False),
        *audit_fields(owner=True),
    ],
)


def get(session: Session, *, actor: Actor, contract_id: int, action: str | None = None):
    """The contract if the actor may reach it with `action` (default view), else NotFound."""
    return records.get_visible(
        session, actor=actor, spec=CONTRACT, record_id=contract_id, action=action
    )


def _check_links(session: Session, actor: Actor, contract: Mapping[str, Any]) -> None:
    """Customer visible; opportunity and customer signatory of that customer; end ≥ start."""
    customer_id = contract["customer_id"]
    sales_refs.check_customer(session, actor, customer_id)
    sales_refs.check_belongs(
        session,
        Opportunity,
        contract.get("opportunity_id"),
        customer_id,
        "opportunity_id",
        E + "other_customer",
    )
    sales_refs.check_belongs(
        session,
        Contact,
        contract.get("customer_signatory_id"),
        customer_id,
        "customer_signatory_id",
        E + "other_customer",
    )
    start, end = contract.get("start_date"), contract.get("end_date")
    if start and end and end < start:
        raise ValidationFailed({"end_date": (E + "end_before_start", {})})


def _number_taken(session: Session):
    return lambda number: (
        session.scalar(select(Contract.id).where(Contract.number == number)) is not None
    )


def _insert_numbered(session: Session, contract: Contract) -> None:
    """Give the contract the next free number and insert it; a number taken by a concurrent
    save (unique violation) rolls back the savepoint and takes the next one."""
    for _ in range(MAX_NUMBER_TRIES):
        contract.number = numbering.allocate(
            session, entity="contract", is_taken=_number_taken(session)
        )
        try:
            with session.begin_nested():
                session.add(contract)
                session.flush()
            return
        except IntegrityError:
            continue
    raise ValidationFailed({"number": ("records.validation.duplicate", {})})


def create(
    session: Session,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] = (),
    discount_rate: Any = None,
) -> Contract:
    """A new draft contract, owner = the actor, numbered by the contract rule. Rules: customer
    visible to the actor; opportunity and customer signatory belong to that customer; company
    signatory an active user; end date ≥ start date; lines valid (see order_lines)."""
    require(actor, CONTRACT.action("create"))
    cleaned = records.clean(session, CONTRACT, values)
    _check_links(session, actor, cleaned)
    discount = order_lines.clean_discount(discount_rate)
    clean = order_lines.clean_lines(session, lines)
    if clean:
        order_lines.total(clean, discount)  # refuse an overflowing total before numbering
    contract = Contract(**cleaned, approval_status=ApprovalStatus.DRAFT)
    contract.owner_id = contract.created_by_id = actor.user_id
    _insert_numbered(session, contract)
    order_lines.apply(
        session,
        contract,
        ContractLine,
        "contract_id",
        typed_amount=cleaned.get("amount"),
        raw_lines=lines,
        discount_rate=discount_rate,
    )
    sales_refs.flush(session, CONTRACT)
    changelog.log(
        session, actor_id=actor.user_id, entity="contract", record_id=contract.id, action="create"
    )
    return contract


def _for_edit(session: Session, actor: Actor, contract_id: int) -> Contract:
    contract = get(session, actor=actor, contract_id=contract_id, action="crm.contract.edit")
    if not sales_approval.is_editable(contract.approval_status):
        raise ContractLocked()
    return contract


def planned_total(session: Session, contract_id: int, *, exclude_plan: int | None = None):
    query = select(func.coalesce(func.sum(ReceivablePlan.planned_amount), 0)).where(
        ReceivablePlan.contract_id == contract_id, not_deleted(ReceivablePlan)
    )
    if exclude_plan is not None:
        query = query.where(ReceivablePlan.id != exclude_plan)
    return Decimal(session.scalar(query) or 0)


def update(
    session: Session,
    *,
    actor: Actor,
    contract_id: int,
    values: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None = None,
    discount_rate: Any = None,
    expected_version: int | None = None,
) -> Contract:
    """Edit a draft / rejected / withdrawn contract (others: ContractLocked). Same rules as
    create; the amount may not fall below the receivable plans already made."""
    contract = _for_edit(session, actor, contract_id)
    values = dict(values)
    if lines is None and line_rows(session, contract.id):
        values.pop("amount", None)  # the lines' total stays the amount
    record = records.update(
        session,
        actor=actor,
        spec=CONTRACT,
        record_id=contract.id,
        values=values,
        expected_version=expected_version,
    )
    _check_links(session, actor, {f.name: getattr(record, f.name) for f in CONTRACT.fields})
    if lines is not None:
        order_lines.apply_edit(
            session,
            actor_id=actor.user_id,
            spec=CONTRACT,
            record=record,
            line_model=ContractLine,
            fk="contract_id",
            raw_lines=lines,
            discount_rate=discount_rate,
        )
    if planned_total(session, record.id) > record.amount:
        raise ValidationFailed({"amount": (E + "below_plans", {})})
    return record


def line_rows(session: Session, contract_id: int) -> list[ContractLine]:
    return order_lines.stored_lines(session, ContractLine, ContractLine.contract_id, contract_id)


def lines(session: Session, *, actor: Actor, contract_id: int) -> list[ContractLine]:
    """The contract's product lines, in the order entered."""
    get(session, actor=actor, contract_id=contract_id)
    return line_rows(session, contract_id)


def delete(session: Session, *, actor: Actor, contract_id: int) -> None:
    """To the recycle bin: only draft / rejected / withdrawn contracts without receivables."""
    _for_edit(session, actor, contract_id)
    if _has_receivables(session, contract_id, approved_only=False):
        raise ContractHasReceivables()
    records.soft_delete(session, actor=actor, spec=CONTRACT, record_id=contract_id)


def _has_receivables(session: Session, contract_id: int, *, approved_only: bool) -> bool:
    query = select(Receivable.id).where(
        Receivable.contract_id == contract_id,
        not_deleted(Receivable),
        Receivable.approval_status != ApprovalStatus.VOID,
    )
    if approved_only:
        query = query.where(Receivable.approval_status == ApprovalStatus.APPROVED)
    return session.scalar(query.limit(1)) is not None


def lock(session: Session, contract_id: int) -> Contract:
    """Lock the contract row for the rest of the transaction and reload it: a no-op UPDATE takes
    the write lock on SQLite and the row lock on PostgreSQL, so two sessions checking the
    received total against the amount queue instead of both passing."""
    session.execute(
        sql_update(Contract)
        .where(Contract.id == contract_id)
        .values(received_amount=Contract.received_amount)
        .execution_options(synchronize_session=False)
    )
    return session.scalars(
        select(Contract)
        .where(Contract.id == contract_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def refresh_received(session: Session, contract: Contract) -> Decimal:
    """received_amount = Σ approved live receivables of the contract."""
    received = session.scalar(
        select(func.coalesce(func.sum(Receivable.amount), 0)).where(
            Receivable.contract_id == contract.id,
            not_deleted(Receivable),
            Receivable.approval_status == ApprovalStatus.APPROVED,
        )
    )
    received = Decimal(received or 0)
    if contract.received_amount != received:
        contract.received_amount = received
        sales_refs.flush(session, CONTRACT)
    return received


@dataclass(frozen=True)
class Money:
    amount: Decimal
    received: Decimal
    planned: Decimal
    pending: Decimal  # submitted receivables not yet approved

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.received, Decimal("0"))


def money(session: Session, *, actor: Actor, contract_id: int) -> Money:
    """Amount, received (approved receivables), outstanding, planned and pending amounts."""
    contract = get(session, actor=actor, contract_id=contract_id)
    pending = session.scalar(
        select(func.coalesce(func.sum(Receivable.amount), 0)).where(
            Receivable.contract_id == contract.id,
            not_deleted(Receivable),
            Receivable.approval_status == ApprovalStatus.PENDING,
        )
    )
    return Money(
        amount=contract.amount,
        received=contract.received_amount,
        planned=planned_total(session, contract.id),
        pending=Decimal(pending or 0),
    )


def _after_approval(session: Session, contract, old, new) -> None:
    """Approval makes the customer dealt (CUS-3)."""
    if new == ApprovalStatus.APPROVED:
        customers.mark_dealt(session, customer_id=contract.customer_id, at=sales_refs.utc_now())


def _before_void(session: Session, contract) -> None:
    if _has_receivables(session, contract.id, approved_only=True):
        raise ContractHasReceivables()


sales_approval.register_subject(
    sales_approval.Subject(
        kind="contract",
        title=lambda c: f"{c.number} {c.name}",
        before_void=_before_void,
        after=_after_approval,
    )
)


def transfer(
    session: Session, *, actor: Actor, contract_id: int, to_user_id: int, **_options
) -> Contract:
    """Give the contract a new owner (needs crm.contract.transfer in scope); its receivable plans
    and receivables follow, so whoever sees the contract sees its money."""
    contract = get(session, actor=actor, contract_id=contract_id, action="crm.contract.transfer")
    sales_refs.check_user(session, to_user_id, "owner_id")
    if contract.owner_id == to_user_id:
        return contract
    old = contract.owner_id
    contract.owner_id = to_user_id
    for model in (ReceivablePlan, Receivable):
        session.execute(
            sql_update(model)
            .where(model.contract_id == contract.id)
            .values(owner_id=to_user_id, version=model.version + 1)
            .execution_options(synchronize_session="fetch")
        )
    sales_refs.flush(session, CONTRACT)
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity="contract",
        record_id=contract.id,
        action="transfer",
        field="owner_id",
        old=old,
        new=to_user_id,
    )
    return contract


def submit(session: Session, *, actor: Actor, contract_id: int) -> ApprovalStatus:
    """Submit for approval (see sales_approval.submit); approved at once without a flow."""
    return sales_approval.submit(session, actor=actor, kind="contract", record_id=contract_id)
