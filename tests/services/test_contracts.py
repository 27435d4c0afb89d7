"""Contracts (CUS-7): numbering, links to the customer's opportunity and contact, dates, lines
and totals, read-only once submitted, and bad input that changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import NotAllowed, ValidationFailed
from core.models import ChangeLog, Contract, ContractLine
from core.services import contracts, opportunities
from core.services.contracts import CONTRACT
from tests.services.sales_data import (
    TODAY,
    approved_contract,
    contact,
    contract_values,
    customer,
    line,
    new_contract,
    product,
)


@pytest.fixture
def rep(session, org):
    return org.actor(session, "sales1")


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_new_contract_is_a_numbered_draft_owned_by_its_creator(session, org, rep):
    contract = new_contract(session, org)
    assert contract.number.startswith("HT") and contract.number.endswith("0001")
    assert (contract.approval_status, contract.owner_id) == ("draft", rep.user_id)
    assert (
        session.scalar(
            select(ChangeLog.action).where(
                ChangeLog.entity == "contract", ChangeLog.record_id == contract.id
            )
        )
        == "create"
    )


def test_two_lines_and_an_order_discount_give_the_amount(session, org, rep):
    a, b = product(session, "A", "1999.00"), product(session, "B", "0.10")
    client = customer(session, org)
    contract = contracts.create(
        session,
        actor=rep,
        values=contract_values(client.id),
        lines=[line(a.id, "3", discount="12.5"), line(b.id, "0.25")],
        discount_rate="0.5",
    )
    stored = contracts.lines(session, actor=rep, contract_id=contract.id)
    # 5247.375 and 0.025 round half up; (5247.38 + 0.03) × 99.5 % = 5221.17295 → 5221.17
    assert [x.subtotal for x in stored] == [Decimal("5247.38"), Decimal("0.03")]
    assert contract.amount == Decimal("5221.17")


def test_opportunity_and_signatory_must_belong_to_the_customer(session, org, rep):
    mine, other = customer(session, org), customer(session, org, name="另一家")
    foreign_contact = contact(session, org, other.id)
    foreign_opp = opportunities.create(
        session, actor=rep, values={"name": "别家的商机", "customer_id": other.id}
    )
    for extra, field in (
        ({"customer_signatory_id": foreign_contact.id}, "customer_signatory_id"),
        ({"opportunity_id": foreign_opp.id}, "opportunity_id"),
    ):
        with pytest.raises(ValidationFailed) as failed:
            contracts.create(session, actor=rep, values=contract_values(mine.id, **extra))
        assert failed.value.errors[field][0] == "contract.error.other_customer"
    good = contracts.create(
        session,
        actor=rep,
        values=contract_values(
            other.id,
            customer_signatory_id=foreign_contact.id,
            opportunity_id=foreign_opp.id,
            company_signatory_id=rep.user_id,
        ),
    )
    assert good.customer_signatory_id == foreign_contact.id


@pytest.mark.parametrize(
    ("values", "field", "key"),
    [
        (
            {"end_date": TODAY, "start_date": TODAY + dt.timedelta(days=1)},
            "end_date",
            "contract.error.end_before_start",
        ),
        ({"amount": "-100"}, "amount", "records.validation.too_small"),
        ({"amount": "一百"}, "amount", "records.validation.not_a_number"),
        ({"name": ""}, "name", "records.validation.required"),
        ({"name": "x" * 201}, "name", "records.validation.too_long"),
        ({"order_date": None}, "order_date", "records.validation.required"),
        ({"company_signatory_id": 99999}, "company_signatory_id", "records.validation.unknown_ref"),
    ],
)
def test_bad_contract_input_gets_a_translated_error_and_saves_nothing(
    session, org, rep, values, field, key
):
    client = customer(session, org)
    session.commit()
    with pytest.raises(ValidationFailed) as failed:
        contracts.create(session, actor=rep, values=contract_values(client.id) | values)
    assert failed.value.errors[field][0] == key
    session.rollback()
    assert count(session, Contract) == 0 and count(session, ContractLine) == 0


def test_html_and_sql_text_are_stored_verbatim(session, org, rep):
    client = customer(session, org)
    text = "<script>alert('x')</script>; DROP TABLE contracts; --"
    contract = contracts.create(
        session, actor=rep, values=contract_values(client.id, name=text[:200], notes=text)
    )
    assert session.get(Contract, contract.id).notes == text


def test_a_customer_the_rep_cannot_see_is_refused(session, org, rep):
    foreign = customer(session, org, owner="outsider")
    with pytest.raises(ValidationFailed) as failed:
        contracts.create(session, actor=rep, values=contract_values(foreign.id))
    assert "customer_id" in failed.value.errors


def test_office_staff_may_not_create_contracts(session, org):
    client = customer(session, org)
    with pytest.raises(NotAllowed):
        contracts.create(
            session, actor=org.actor(session, "office"), values=contract_values(client.id)
        )


def test_an_approved_contract_cannot_be_edited_or_deleted(session, org, rep):
    contract = approved_contract(session, org)
    with pytest.raises(contracts.ContractLocked):
        contracts.update(session, actor=rep, contract_id=contract.id, values={"name": "改"})
    with pytest.raises(contracts.ContractLocked):
        contracts.delete(session, actor=org.actor(session, "manager"), contract_id=contract.id)


def test_editing_lines_recomputes_the_amount_and_logs_it(session, org, rep):
    item = product(session, "A", "100.00")
    contract = new_contract(session, org)
    contracts.update(
        session,
        actor=rep,
        contract_id=contract.id,
        values={"name": "改过的合同"},
        lines=[line(item.id, "4")],
        discount_rate="25",
    )
    assert (contract.amount, contract.name) == (Decimal("300.00"), "改过的合同")
    fields = set(
        session.scalars(
            select(ChangeLog.field).where(
                ChangeLog.entity == "contract", ChangeLog.record_id == contract.id
            )
        )
    )
    assert {"name", "lines", "amount", "discount_rate"} <= fields


def test_the_money_summary_shows_received_and_outstanding(session, org, rep):
    contract = approved_contract(session, org, amount="1000.00")
    summary = contracts.money(session, actor=rep, contract_id=contract.id)
    assert (summary.amount, summary.received, summary.outstanding) == (
        Decimal("1000.00"),
        Decimal("0"),
        Decimal("1000.00"),
    )


def test_a_transferred_contract_takes_its_plans_and_receivables_along(session, org):
    from core.services import receivables
    from tests.services.sales_data import new_receivable

    contract = approved_contract(session, org, amount="1000.00")
    rep = org.actor(session, "sales1")
    plan = receivables.add_plan(
        session,
        actor=rep,
        contract_id=contract.id,
        values={"planned_amount": "500", "planned_date": TODAY},
    )
    receivable = new_receivable(session, org, contract.id, "100.00")
    manager = org.actor(session, "manager")
    contracts.transfer(
        session, actor=manager, contract_id=contract.id, to_user_id=org.users["sales2"].id
    )
    session.expire_all()
    sales2 = org.users["sales2"].id
    assert {contract.owner_id, plan.owner_id, receivable.owner_id} == {sales2}


def test_bulk_delete_keeps_the_rule_that_approved_contracts_stay(session, org):
    from core.services import bulk

    approved = approved_contract(session, org)
    with pytest.raises(contracts.ContractLocked):
        bulk.delete(session, actor=org.actor(session, "manager"), spec=CONTRACT, ids=[approved.id])


def test_bulk_transfer_of_a_contract_moves_its_money_records(session, org):
    from core.services import bulk

    contract = approved_contract(session, org, amount="1000.00")
    plan = receivables_add_plan(session, org, contract.id)
    bulk.transfer(
        session,
        actor=org.actor(session, "manager"),
        spec=CONTRACT,
        ids=[contract.id],
        to_user_id=org.users["sales2"].id,
    )
    session.expire_all()
    assert plan.owner_id == org.users["sales2"].id


def receivables_add_plan(session, org, contract_id):
    from core.services import receivables

    return receivables.add_plan(
        session,
        actor=org.actor(session, "sales1"),
        contract_id=contract_id,
        values={"planned_amount": "100", "planned_date": TODAY},
    )
