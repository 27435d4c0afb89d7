"""The receivables page and a contract's money tab (CUS-8) in AppTest: every role renders it, a
plan and a receivable are added to an approved contract and the receivable is submitted, an
amount past the contract is refused with a translated message and saves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.models import Contract, Receivable, ReceivablePlan
from tests.pages.harness import open_page, texts
from tests.pages.sales_seed import USERS, seed, stored

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/receivables.py"
CONTRACTS = "pages/crm/contracts.py"


@pytest.mark.parametrize("username", USERS)
def test_receivables_page_renders_for_every_seeded_role(username):
    seed()
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "office":
        assert "您没有执行此操作的权限。" in texts(at)


def money_tab(data):
    at = open_page("sales1", CONTRACTS)
    at.session_state["contract.selected"] = data.contract_id
    at.session_state["contract.tabs"] = "回款"  # the lazy tabs render the open one only
    return at.run()


def test_a_plan_is_added_from_the_contracts_money_tab():
    data = seed()
    at = money_tab(data)
    assert not at.exception, at.exception
    at.text_input(key="receivable_plan.planned_amount").set_value("600")
    at.date_input(key="receivable_plan.planned_date").set_value(dt.date(2026, 12, 31))
    at.button(key="receivable.plan.save").click()
    at = at.run()
    assert not at.exception, at.exception
    assert stored(select(ReceivablePlan.period, ReceivablePlan.planned_amount)) == [
        (1, Decimal("600.00"))
    ]


def new_receivable(amount: str):
    data = seed()
    at = open_page("sales1", PAGE)
    at.button(key="receivable.new").click()
    at = at.run()
    at.selectbox(key="receivable.contract_id").set_value(data.contract_id)
    at.selectbox(key="receivable.method").set_value("银行转账")
    at.text_input(key="receivable.amount").set_value(amount)
    at.button(key="receivable.save_submit").click()
    return data, at.run()


def test_a_receivable_is_saved_and_submitted_and_counts_as_received():
    data, at = new_receivable("400")
    assert not at.exception, at.exception
    assert stored(select(Receivable.amount, Receivable.approval_status)) == [
        (Decimal("400.00"), "approved")
    ]
    assert stored(select(Contract.received_amount).where(Contract.id == data.contract_id)) == [
        (Decimal("400.00"),)
    ]


def test_a_receivable_past_the_contract_amount_is_refused():
    _data, at = new_receivable("1000.01")
    assert not at.exception, at.exception
    assert "回款总额不能超过合同金额（还可回款 ¥1000.00）。" in texts(at)
    assert stored(select(Receivable.id)) == []
    assert at.text_input(key="receivable.amount").value == "1000.01"
