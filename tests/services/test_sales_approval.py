"""The approval state machine of contracts and receivables (CUS-7, CUS-8; plug-in for OFF-7):
allowed and refused transitions, auto-approval without a flow, requests with one, decisions,
history rows, and the customer becoming dealt on approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import InvalidTransition, NotAllowed
from core.models import (
    ApprovalDecision,
    ApprovalRequest,
    ChangeLog,
    Customer,
    RequestStatus,
)
from core.services import contracts, sales_approval
from tests.services.sales_data import add_flow, approved_contract, new_contract, new_receivable

ALL_EVENTS = ["submit", "approve", "reject", "withdraw", "void"]


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("draft", ["submit", "void"]),
        ("pending", ["approve", "reject", "withdraw"]),
        ("approved", ["void"]),
        ("rejected", ["submit", "void"]),
        ("withdrawn", ["submit", "void"]),
        ("void", []),
    ],
)
def test_the_state_machine_allows_exactly_these_events(status, allowed):
    assert sales_approval.allowed_events(status) == allowed


@pytest.mark.parametrize("event", ["approve", "reject", "withdraw"])
def test_a_draft_cannot_be_approved_rejected_or_withdrawn(session, org, event):
    contract = new_contract(session, org)
    with pytest.raises(InvalidTransition):
        sales_approval.transition(
            session, actor_id=None, kind="contract", record=contract, event=event
        )
    assert contract.approval_status == "draft"


def history(session, contract_id):
    return session.execute(
        select(ChangeLog.action, ChangeLog.old_value, ChangeLog.new_value)
        .where(ChangeLog.entity == "contract", ChangeLog.record_id == contract_id)
        .where(ChangeLog.field == "approval_status")
        .order_by(ChangeLog.id)
    ).all()


def test_without_a_flow_submitting_approves_at_once_and_the_customer_is_dealt(session, org):
    contract = approved_contract(session, org)
    assert contract.approval_status == "approved" and contract.approval_request_id is None
    assert history(session, contract.id) == [
        ("submit", "draft", "pending"),
        ("approve", "pending", "approved"),
    ]
    customer = session.get(Customer, contract.customer_id)
    assert customer.is_dealt and customer.dealt_at is not None


def test_with_a_flow_submitting_opens_a_request_and_waits(session, org):
    add_flow(session, "contract")
    contract = approved_contract(session, org)
    request = session.get(ApprovalRequest, contract.approval_request_id)
    assert contract.approval_status == "pending"
    assert (request.status, request.subject_type, request.subject_id, request.kind) == (
        "pending",
        "contract",
        contract.id,
        "contract",
    )
    assert not session.get(Customer, contract.customer_id).is_dealt


def test_the_engine_callback_applies_the_outcome(session, org):
    add_flow(session, "contract")
    contract = approved_contract(session, org)
    request = session.get(ApprovalRequest, contract.approval_request_id)
    request.status = RequestStatus.APPROVED  # what the OFF-7 engine does before calling back
    sales_approval.on_decision(
        session, request_id=request.id, outcome="approved", actor_id=org.users["manager"].id
    )
    assert contract.approval_status == "approved"
    assert session.get(Customer, contract.customer_id).is_dealt
    with pytest.raises(InvalidTransition):  # a second callback finds nothing pending
        sales_approval.on_decision(
            session, request_id=request.id, outcome="rejected", actor_id=None
        )


def test_a_manager_decides_a_pending_contract_and_the_decision_is_kept(session, org):
    add_flow(session, "contract")
    contract = approved_contract(session, org)
    manager = org.actor(session, "manager")
    with pytest.raises(NotAllowed):
        sales_approval.decide(
            session,
            actor=org.actor(session, "sales1"),
            kind="contract",
            record_id=contract.id,
            approve=True,
        )
    sales_approval.decide(
        session,
        actor=manager,
        kind="contract",
        record_id=contract.id,
        approve=False,
        comment="价格需重新核算",
    )
    decision = session.scalar(select(ApprovalDecision))
    request = session.get(ApprovalRequest, contract.approval_request_id)
    assert (decision.decision, decision.comment, request.status) == (
        "rejected",
        "价格需重新核算",
        "rejected",
    )
    assert contract.approval_status == "rejected"
    contracts.update(
        session,
        actor=org.actor(session, "sales1"),
        contract_id=contract.id,
        values={"amount": "900"},
    )  # rejected contracts are editable again
    sales_approval.submit(
        session, actor=org.actor(session, "sales1"), kind="contract", record_id=contract.id
    )
    assert contract.approval_status == "pending"


def test_withdrawing_a_pending_contract_withdraws_its_request(session, org):
    add_flow(session, "contract")
    contract = approved_contract(session, org)
    sales_approval.withdraw(
        session, actor=org.actor(session, "sales1"), kind="contract", record_id=contract.id
    )
    request = session.get(ApprovalRequest, contract.approval_request_id)
    assert (contract.approval_status, request.status) == ("withdrawn", "withdrawn")


def test_voiding_an_approved_contract_needs_an_approver_and_is_final(session, org):
    contract = approved_contract(session, org)
    with pytest.raises(NotAllowed):
        sales_approval.void(
            session, actor=org.actor(session, "sales1"), kind="contract", record_id=contract.id
        )
    manager = org.actor(session, "manager")
    sales_approval.void(session, actor=manager, kind="contract", record_id=contract.id)
    assert contract.approval_status == "void"
    for event in ALL_EVENTS:
        with pytest.raises(InvalidTransition):
            sales_approval.transition(
                session, actor_id=None, kind="contract", record=contract, event=event
            )


def test_a_contract_with_approved_receivables_cannot_be_voided(session, org):
    contract = approved_contract(session, org, amount="1000.00")
    receivable = new_receivable(session, org, contract.id, "100.00")
    sales_approval.submit(
        session, actor=org.actor(session, "sales1"), kind="receivable", record_id=receivable.id
    )
    with pytest.raises(contracts.ContractHasReceivables):
        sales_approval.void(
            session, actor=org.actor(session, "manager"), kind="contract", record_id=contract.id
        )


def test_buttons_offered_follow_state_and_rights(session, org):
    rep, manager = org.actor(session, "sales1"), org.actor(session, "manager")
    assert sales_approval.offered_events(rep, "contract", "draft") == ["submit", "void"]
    assert sales_approval.offered_events(rep, "contract", "pending") == ["withdraw"]
    assert sales_approval.offered_events(manager, "contract", "pending") == [
        "approve",
        "reject",
        "withdraw",
    ]
    assert sales_approval.offered_events(rep, "contract", "approved") == []
    assert sales_approval.offered_events(manager, "contract", "approved") == ["void"]
