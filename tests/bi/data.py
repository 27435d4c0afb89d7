"""Small hand-built CRM records for the BI tests, written with the ORM (one helper per noun)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import (
    ApprovalCategory,
    ApprovalRequest,
    CheckIn,
    Contact,
    Contract,
    ContractLine,
    Customer,
    FollowUp,
    Lead,
    Opportunity,
    OpportunityStageChange,
    PoolEvent,
    Product,
    ProductCategory,
    Receivable,
    ReceivablePlan,
    SalesTarget,
    Stage,
    StageGroup,
)

_numbers = itertools.count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def _add(session: Session, record):
    session.add(record)
    session.flush()
    return record


def customer(session: Session, owner, created: dt.date, **fields) -> Customer:
    fields.setdefault("name", f"客户{next(_numbers)}")
    return _add(
        session, Customer(owner_id=owner.id if owner else None, created_at=at(created), **fields)
    )


def contact(session: Session, owner, cust: Customer, created: dt.date, **fields) -> Contact:
    return _add(
        session,
        Contact(
            name=f"联系人{next(_numbers)}",
            owner_id=owner.id,
            customer_id=cust.id,
            created_at=at(created),
            **fields,
        ),
    )


def lead(session: Session, owner, created: dt.date, **fields) -> Lead:
    return _add(
        session,
        Lead(name=f"线索{next(_numbers)}", owner_id=owner.id, created_at=at(created), **fields),
    )


def contract(
    session: Session,
    owner,
    cust: Customer,
    order: dt.date,
    amount: str,
    status: str = "approved",
    **fields,
) -> Contract:
    fields.setdefault("created_at", at(order))
    return _add(
        session,
        Contract(
            number=f"HT{next(_numbers):05d}",
            name="合同",
            owner_id=owner.id,
            customer_id=cust.id,
            order_date=order,
            amount=Decimal(amount),
            approval_status=status,
            **fields,
        ),
    )


def line(session: Session, con: Contract, prod: Product, quantity: str, subtotal: str):
    return _add(
        session,
        ContractLine(
            contract_id=con.id,
            product_id=prod.id,
            price=Decimal(subtotal),
            quantity=Decimal(quantity),
            subtotal=Decimal(subtotal),
        ),
    )


def receivable(
    session: Session,
    owner,
    con: Contract,
    received: dt.date,
    amount: str,
    status: str = "approved",
    **fields,
) -> Receivable:
    fields.setdefault("created_at", at(received))
    return _add(
        session,
        Receivable(
            number=f"HK{next(_numbers):05d}",
            owner_id=owner.id,
            customer_id=con.customer_id,
            contract_id=con.id,
            received_date=received,
            amount=Decimal(amount),
            approval_status=status,
            **fields,
        ),
    )


def plan(session: Session, owner, con: Contract, planned: dt.date, amount: str, **fields):
    return _add(
        session,
        ReceivablePlan(
            owner_id=owner.id,
            contract_id=con.id,
            customer_id=con.customer_id,
            period=1,
            planned_amount=Decimal(amount),
            planned_date=planned,
            **fields,
        ),
    )


def follow_up(
    session: Session, owner, cust: Customer | None, created: dt.date, kind: str = "打电话"
) -> FollowUp:
    return _add(
        session,
        FollowUp(
            owner_id=owner.id,
            subject_type="customer",
            subject_id=cust.id if cust else 0,
            customer_id=cust.id if cust else None,
            kind=kind,
            content="跟进",
            created_at=at(created),
        ),
    )


def default_stages(session: Session) -> list[Stage]:
    group = session.scalar(select(StageGroup).where(StageGroup.is_default))
    return list(
        session.scalars(select(Stage).where(Stage.group_id == group.id).order_by(Stage.position))
    )


def opportunity(
    session: Session,
    owner,
    cust: Customer,
    created: dt.date,
    amount: str,
    stage: Stage | None = None,
    status: str = "open",
    **fields,
) -> Opportunity:
    stage = stage or default_stages(session)[0]
    return _add(
        session,
        Opportunity(
            name=f"商机{next(_numbers)}",
            owner_id=owner.id,
            customer_id=cust.id,
            stage_group_id=stage.group_id,
            stage_id=stage.id,
            status=status,
            amount=Decimal(amount),
            created_at=at(created),
            **fields,
        ),
    )


def stage_change(
    session: Session,
    opp: Opportunity,
    to: Stage | None,
    when: dt.date,
    to_status: str = "open",
    from_: Stage | None = None,
):
    return _add(
        session,
        OpportunityStageChange(
            opportunity_id=opp.id,
            from_stage_id=from_.id if from_ else None,
            to_stage_id=to.id if to else None,
            to_status=to_status,
            changed_at=at(when),
        ),
    )


def category(session: Session, name: str, parent=None) -> ProductCategory:
    return _add(session, ProductCategory(name=name, parent_id=parent.id if parent else None))


def product(session: Session, name: str, cat: ProductCategory | None) -> Product:
    return _add(
        session, Product(name=name, code=f"P{next(_numbers)}", category_id=cat.id if cat else None)
    )


def trip(session: Session, owner, starts: dt.date, status: str = "approved"):
    cat = session.scalar(select(ApprovalCategory).where(ApprovalCategory.code == "trip"))
    return _add(
        session,
        ApprovalRequest(
            category_id=cat.id,
            kind="trip",
            title="出差",
            owner_id=owner.id,
            status=status,
            starts_at=at(starts),
            created_at=at(starts),
        ),
    )


def check_in(session: Session, owner, cust: Customer | None, created: dt.date) -> CheckIn:
    return _add(
        session,
        CheckIn(
            owner_id=owner.id,
            customer_id=cust.id if cust else None,
            created_at=at(created),
            checked_at=at(created),
        ),
    )


def pool_event(
    session: Session, cust: Customer, kind: str, when: dt.date, *, from_owner=None, to_owner=None
) -> PoolEvent:
    return _add(
        session,
        PoolEvent(
            customer_id=cust.id,
            kind=kind,
            happened_at=at(when),
            from_owner_id=from_owner.id if from_owner else None,
            to_owner_id=to_owner.id if to_owner else None,
        ),
    )


def target(
    session: Session,
    year: int,
    month: int,
    amount: str,
    *,
    user=None,
    department=None,
    metric: str = "contract",
) -> SalesTarget:
    return _add(
        session,
        SalesTarget(
            year=year,
            month=month,
            metric=metric,
            amount=Decimal(amount),
            user_id=user.id if user else None,
            department_id=department.id if department else None,
        ),
    )
