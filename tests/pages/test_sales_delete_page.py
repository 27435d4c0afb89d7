"""Deleting from the contract, receivable and receivable-plan panels in AppTest: a draft goes to
the recycle bin and its panel closes; a plan that receivables point at is refused with a
translated message and stays open."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.models import Contract, Receivable, ReceivablePlan
from core.services import contracts, receivables
from tests.pages.accounts_pages import as_actor, click, pick, present
from tests.pages.harness import open_page, texts
from tests.pages.sales_seed import seed, stored

pytestmark = pytest.mark.usefixtures("org_store")
CONTRACTS = "pages/crm/contracts.py"
RECEIVABLES = "pages/crm/receivables.py"
TODAY = dt.date(2026, 6, 1)


def live(model):
    return stored(select(model.id).where(model.deleted_at.is_(None)).order_by(model.id))


def add_plan(contract_id: int, amount: str = "600") -> int:
    values = {"planned_amount": amount, "planned_date": TODAY}
    return as_actor("sales1", receivables.add_plan, contract_id=contract_id, values=values)


def add_receivable(contract_id: int, **extra) -> int:
    values = {"contract_id": contract_id, "received_date": TODAY, "amount": "100"} | extra
    return as_actor("sales1", receivables.create, values=values)


def test_a_draft_contract_is_deleted_after_confirmation_and_its_panel_closes():
    data = seed()
    values = {"name": "草稿合同", "customer_id": data.customer_id, "order_date": TODAY}
    draft = as_actor("sales1", contracts.create, values=values)
    at = pick(open_page("admin", CONTRACTS), "contract", draft)
    at = click(click(at, "contract.delete"), "contract.confirm_delete_yes")
    assert not at.exception, at.exception
    assert live(Contract) == [(data.contract_id,)]
    assert not present(at, "contract.close")


def test_a_draft_receivable_is_deleted_and_its_panel_closes():
    data = seed()
    receivable_id = add_receivable(data.contract_id)
    at = pick(open_page("admin", RECEIVABLES), "receivable", receivable_id)
    at = click(at, "receivable.delete")
    assert not at.exception, at.exception
    assert live(Receivable) == []
    assert not present(at, "receivable.close")


def test_an_unused_plan_is_deleted_and_a_used_one_is_refused_with_its_panel_open():
    data = seed()
    unused, used = add_plan(data.contract_id, "300"), add_plan(data.contract_id, "300")
    add_receivable(data.contract_id, plan_id=used)
    at = pick(open_page("admin", RECEIVABLES), "receivable_plan", unused)
    at = click(at, "receivable_plan.delete")
    assert not at.exception, at.exception
    assert live(ReceivablePlan) == [(used,)]
    assert not present(at, "receivable_plan.close")
    at = click(pick(at, "receivable_plan", used), "receivable_plan.delete")
    assert not at.exception, at.exception
    assert "该回款计划已有回款记录，不能删除。" in texts(at)
    assert live(ReceivablePlan) == [(used,)]
    assert present(at, "receivable_plan.close")
