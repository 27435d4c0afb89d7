"""Receivable plans and receivables (CUS-8): plan periods and their cap, the received-amount cap on
create, on approval and under concurrency, plan status from approved receivables, and the
overdue job."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import session_factory
from core.errors import InvalidTransition, ValidationFailed
from core.models import Contract, PlanStatus, Receivable, ReceivablePlan
from core.services import receivables, sales_approval
from tests.services.sales_data import (
    TODAY,
    add_flow,
    approved_contract,
    new_contract,
    new_receivable,
)


@pytest.fixture
def rep(session, org):
    return org.actor(session, "sales1")


def plan(session, actor, contract_id, amount, day=TODAY, **extra):
    values = {"planned_amount": amount, "planned_date": day, "remind_days": 3} | extra
    return receivables.add_plan(session, actor=actor, contract_id=contract_id, values=values)


def approve(session, org, receivable, username="sales1"):
    return sales_approval.submit(
        session, actor=org.actor(session, username), kind="receivable", record_id=receivable.id
    )


def test_plans_get_consecutive_periods_and_cannot_exceed_the_contract(session, org, rep):
    contract = approved_contract(session, org, amount="1000.00")
    first = plan(session, rep, contract.id, "600.00")
    second = plan(session, rep, contract.id, "400.00")
    assert (first.period, second.period) == (1, 2)
    assert first.owner_id == contract.owner_id and first.customer_id == contract.customer_id
    with pytest.raises(ValidationFailed) as failed:
        plan(session, rep, contract.id, "0.01")
    assert failed.value.errors["planned_amount"] == (
        "receivable.error.plans_exceed",
        {"left": "0.00"},
    )


def test_a_receivable_is_numbered_and_follows_its_contract(session, org, rep):
    contract = approved_contract(session, org)
    receivable = new_receivable(session, org, contract.id, "300.00")
    assert receivable.number.startswith("HK") and receivable.number.endswith("0001")
    assert (receivable.customer_id, receivable.owner_id, receivable.approval_status) == (
        contract.customer_id,
        contract.owner_id,
        "draft",
    )


def test_only_approved_receivables_count_as_received(session, org):
    contract = approved_contract(session, org, amount="1000.00")
    first = new_receivable(session, org, contract.id, "300.00")
    new_receivable(session, org, contract.id, "200.00")  # stays a draft
    approve(session, org, first)
    assert contract.received_amount == Decimal("300.00")


def test_receivables_need_an_approved_contract(session, org):
    draft = new_contract(session, org)
    with pytest.raises(ValidationFailed) as failed:
        new_receivable(session, org, draft.id, "10.00")
    assert failed.value.errors["contract_id"][0] == "receivable.error.contract_not_approved"


@pytest.mark.parametrize(
    ("amount", "key"),
    [
        ("-5", "records.validation.too_small"),
        ("0", "records.validation.too_small"),
        ("abc", "records.validation.not_a_number"),
        ("1000.01", "receivable.error.exceeds"),
    ],
)
def test_a_bad_or_too_large_amount_is_refused_on_create(session, org, amount, key):
    contract = approved_contract(session, org, amount="1000.00")
    session.commit()
    with pytest.raises(ValidationFailed) as failed:
        new_receivable(session, org, contract.id, amount)
    assert failed.value.errors["amount"][0] == key
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Receivable)) == 0


def test_the_cap_is_checked_again_when_approving(session, org):
    contract = approved_contract(session, org, amount="1000.00")
    first = new_receivable(session, org, contract.id, "700.00")
    second = new_receivable(session, org, contract.id, "400.00")  # fine while 0 is received
    approve(session, org, first)
    with pytest.raises(receivables.ReceivableExceedsContract) as refused:
        approve(session, org, second)
    assert refused.value.params == {"left": "300.00"}
    assert second.approval_status == "draft"
    assert contract.received_amount == Decimal("700.00")


def test_the_cap_is_checked_when_an_approver_decides(session, org):
    add_flow(session, "receivable")
    contract = approved_contract(session, org, amount="1000.00")
    first = new_receivable(session, org, contract.id, "600.00")
    second = new_receivable(session, org, contract.id, "600.00")
    approve(session, org, first)
    approve(session, org, second)  # both pending now
    manager = org.actor(session, "manager")
    sales_approval.decide(
        session, actor=manager, kind="receivable", record_id=first.id, approve=True
    )
    with pytest.raises(receivables.ReceivableExceedsContract):
        sales_approval.decide(
            session, actor=manager, kind="receivable", record_id=second.id, approve=True
        )


def _approve_in_own_session(url, org, receivable_id, barrier, results) -> None:
    factory = session_factory(url)
    with factory() as s:
        barrier.wait()
        try:
            sales_approval.submit(
                s, actor=org.actor(s, "sales1"), kind="receivable", record_id=receivable_id
            )
            s.commit()
            results.append("approved")
        except receivables.ReceivableExceedsContract:
            s.rollback()
            results.append("refused")


def test_two_concurrent_approvals_never_pass_the_contract_amount(db_url, session, org):
    contract = approved_contract(session, org, amount="1000.00")
    ids = [new_receivable(session, org, contract.id, "600.00").id for _ in range(2)]
    session.commit()
    barrier, results = threading.Barrier(2), []
    threads = [
        threading.Thread(target=_approve_in_own_session, args=(db_url, org, i, barrier, results))
        for i in ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["approved", "refused"]
    session.expire_all()
    assert session.get(Contract, contract.id).received_amount == Decimal("600.00")


def test_plan_status_follows_approved_receivables(session, org, rep):
    contract = approved_contract(session, org, amount="1000.00")
    first = plan(session, rep, contract.id, "600.00", day=TODAY + dt.timedelta(days=30))
    assert first.status == PlanStatus.TO_COLLECT
    part = new_receivable(session, org, contract.id, "100.00", plan_id=first.id)
    assert first.status == PlanStatus.TO_COLLECT  # a draft does not count
    approve(session, org, part)
    assert first.status == PlanStatus.PARTIAL
    rest = new_receivable(session, org, contract.id, "500.00", plan_id=first.id)
    approve(session, org, rest)
    assert first.status == PlanStatus.DONE
    sales_approval.void(
        session, actor=org.actor(session, "manager"), kind="receivable", record_id=rest.id
    )
    assert first.status == PlanStatus.PARTIAL
    assert contract.received_amount == Decimal("100.00")


def test_a_plan_of_another_contract_is_refused(session, org, rep):
    one = approved_contract(session, org, amount="100.00")
    other = approved_contract(session, org, amount="100.00")
    foreign = plan(session, rep, other.id, "50.00")
    with pytest.raises(ValidationFailed) as failed:
        new_receivable(session, org, one.id, "10.00", plan_id=foreign.id)
    assert "plan_id" in failed.value.errors


def test_the_overdue_job_marks_only_unpaid_past_plans_and_is_idempotent(session, org, rep):
    contract = approved_contract(session, org, amount="1000.00")
    past = plan(session, rep, contract.id, "100.00", day=TODAY - dt.timedelta(days=1))
    due_today = plan(session, rep, contract.id, "100.00", day=TODAY)
    paid = plan(session, rep, contract.id, "100.00", day=TODAY - dt.timedelta(days=5))
    approve(session, org, new_receivable(session, org, contract.id, "100.00", plan_id=paid.id))
    for p in (past, due_today):
        p.status = PlanStatus.TO_COLLECT  # as on the day they were made
    session.flush()
    assert receivables.mark_overdue_plans(session, today=TODAY) == 1
    assert receivables.mark_overdue_plans(session, today=TODAY) == 0
    session.expire_all()
    statuses = {p.id: p.status for p in session.scalars(select(ReceivablePlan))}
    assert statuses == {past.id: "overdue", due_today.id: "to_collect", paid.id: "done"}


def test_a_plan_with_receivables_cannot_be_deleted(session, org, rep):
    contract = approved_contract(session, org, amount="1000.00")
    used = plan(session, rep, contract.id, "100.00")
    new_receivable(session, org, contract.id, "50.00", plan_id=used.id)
    with pytest.raises(receivables.PlanHasReceivables):
        receivables.delete_plan(session, actor=org.actor(session, "manager"), plan_id=used.id)


def test_an_approved_receivable_is_read_only(session, org, rep):
    contract = approved_contract(session, org, amount="1000.00")
    receivable = new_receivable(session, org, contract.id, "50.00")
    approve(session, org, receivable)
    with pytest.raises(InvalidTransition) as refused:
        receivables.update(session, actor=rep, receivable_id=receivable.id, values={"amount": "60"})
    assert refused.value.key == "receivable.error.locked"


def test_the_overdue_job_runs_from_the_job_registry(db_url, session, org, rep):
    from core import jobs

    contract = approved_contract(session, org, amount="1000.00")
    late = plan(session, rep, contract.id, "100.00", day=TODAY - dt.timedelta(days=3))
    late.status = PlanStatus.TO_COLLECT
    session.commit()
    outcome = jobs.run_job(db_url, jobs.get_job("overdue_plans"))
    assert (outcome.status, outcome.result) == ("ran", {"overdue": 1})
    session.expire_all()
    assert session.get(ReceivablePlan, late.id).status == PlanStatus.OVERDUE


def test_bulk_transfer_of_receivables_is_refused_because_they_follow_the_contract(session, org):
    from core.services import bulk
    from core.services.receivables import RECEIVABLE

    contract = approved_contract(session, org, amount="1000.00")
    receivable = new_receivable(session, org, contract.id, "100.00")
    with pytest.raises(InvalidTransition) as refused:
        bulk.transfer(
            session,
            actor=org.actor(session, "manager"),
            spec=RECEIVABLE,
            ids=[receivable.id],
            to_user_id=org.users["sales2"].id,
        )
    assert refused.value.key == "receivable.error.owner_follows_contract"


def test_reminders_list_plans_whose_reminder_day_has_come(session, org, rep):
    contract = approved_contract(session, org, amount="1000.00")
    soon = plan(session, rep, contract.id, "100.00", day=TODAY + dt.timedelta(days=3))  # remind 3
    later = plan(session, rep, contract.id, "100.00", day=TODAY + dt.timedelta(days=10))
    late = plan(session, rep, contract.id, "100.00", day=TODAY - dt.timedelta(days=2))
    due = receivables.due_reminders(session, actor=rep, today=TODAY)
    assert [p.id for p in due] == [late.id, soon.id]
    assert later.id not in [p.id for p in due]
    other = org.actor(session, "sales2")
    assert receivables.due_reminders(session, actor=other, today=TODAY) == []
