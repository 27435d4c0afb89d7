"""Editing an opportunity and a draft contract through the order form in AppTest: the changed
fields are saved on the same record, the stored lines and the amount they give are kept, and a
save with a stale version shows the edit-conflict warning and keeps what was typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from core import db as core_db
from core.models import Contract, Opportunity
from core.services import contracts
from tests.pages.accounts_pages import as_actor, click, pick
from tests.pages.harness import open_page, texts
from tests.pages.sales_seed import seed, stored
from tests.services import sales_data

pytestmark = pytest.mark.usefixtures("org_store")


def test_an_opportunity_renamed_in_its_form_keeps_its_lines_and_amount():
    data = seed()
    at = pick(open_page("sales1", "pages/crm/opportunities.py"), "opportunity", data.opportunity_id)
    at = click(at, "opportunity.edit")
    at.text_input(key="opportunity.name").set_value("ERP 二期")
    at = click(at, "opportunity.save")
    assert not at.exception, at.exception
    assert stored(select(Opportunity.id, Opportunity.name, Opportunity.amount)) == [
        (data.opportunity_id, "ERP 二期", Decimal("200.00"))
    ]


def draft_contract(data) -> int:
    values = {"name": "草稿合同", "customer_id": data.customer_id, "order_date": dt.date.today()}
    lines = [sales_data.line(data.products[1], "3")]
    return as_actor("sales1", contracts.create, values=values, lines=lines)


def test_a_draft_contract_renamed_in_its_form_keeps_its_lines_and_amount():
    data = seed()
    draft = draft_contract(data)
    at = click(
        pick(open_page("sales1", "pages/crm/contracts.py"), "contract", draft), "contract.edit"
    )
    at.text_input(key="contract.name").set_value("框架合同")
    at = click(at, "contract.save")
    assert not at.exception, at.exception
    assert stored(select(Contract.name, Contract.amount).where(Contract.id == draft)) == [
        ("框架合同", Decimal("150.00"))
    ]


def test_a_stale_contract_edit_warns_and_keeps_the_typed_name():
    data = seed()
    draft = draft_contract(data)
    at = click(
        pick(open_page("sales1", "pages/crm/contracts.py"), "contract", draft), "contract.edit"
    )
    with core_db.transaction() as s:  # someone else saved the contract meanwhile
        s.execute(update(Contract).where(Contract.id == draft).values(version=Contract.version + 1))
    at.text_input(key="contract.name").set_value("框架合同")
    at = click(at, "contract.save")
    assert not at.exception, at.exception
    assert "该记录已被其他人修改。" in texts(at)
    assert at.text_input(key="contract.name").value == "框架合同"
    assert stored(select(Contract.name).where(Contract.id == draft)) == [("草稿合同",)]
