"""The contracts page (CUS-7) in AppTest: every role renders it, a rep creates a contract with two
product lines and submits it, bad lines or dates show translated errors and save nothing, a
double-clicked save creates one contract, the detail shows the money figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.models import Contract, ContractLine
from tests.pages.harness import open_page, texts
from tests.pages.sales_seed import USERS, seed, stored

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/contracts.py"


def open_form(username="sales1"):
    at = open_page(username, PAGE)
    at.button(key="contract.new").click()
    return at.run()


def fill(at, customer_id, name="两行合同"):
    at.text_input(key="contract.name").set_value(name)
    at.selectbox(key="contract.customer_id").set_value(customer_id)
    return at.run()


def type_lines(at, rows):
    """Seed the lines editor's edit state as a user typing rows would."""
    key = at.data_editor[0].key
    at.session_state[key] = {"edited_rows": {}, "added_rows": rows, "deleted_rows": []}
    return at.run()


def count_contracts():
    return stored(select(func.count()).select_from(Contract))[0][0]


@pytest.mark.parametrize("username", USERS)
def test_contracts_page_renders_for_every_seeded_role(username):
    data = seed()
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "office":
        assert "您没有执行此操作的权限。" in texts(at)
        return
    table = at.dataframe[0].value.to_string() if at.dataframe else ""
    sees = username in ("admin", "manager", "sales1")
    assert ("年度服务合同" in table) == sees
    if sees:
        at.session_state["contract.selected"] = data.contract_id
        at = at.run()
        assert not at.exception, at.exception
        figures = {m.label: m.value for m in at.metric}
        assert figures["未回款"] == "¥1,000.00" and figures["已回款"] == "¥0.00"


def test_a_rep_creates_a_contract_with_two_lines_and_submits_it():
    data = seed()
    at = fill(open_form(), data.customer_id)
    a, b = data.products
    at = type_lines(
        at,
        [{"product_id": a, "quantity": 2}, {"product_id": b, "quantity": 3, "discount_rate": 10}],
    )
    at.text_input(key="contract.order_discount").set_value("5")
    at = at.run()
    assert "¥318.25" in texts(at)  # (200 + 135) × 95 %, shown before saving
    at.button(key="contract.save").click()
    at = at.run()
    assert not at.exception, at.exception
    number, amount, status = stored(
        select(Contract.number, Contract.amount, Contract.approval_status).where(
            Contract.name == "两行合同"
        )
    )[0]
    assert (amount, status) == (Decimal("318.25"), "draft")
    assert len(stored(select(ContractLine.id).join(Contract).where(Contract.number == number))) == 2
    at.button(key="contract.submit").click()
    at = at.run()
    assert not at.exception, at.exception
    assert stored(select(Contract.approval_status).where(Contract.number == number)) == [
        ("approved",)
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"quantity": -1}, "第 1 行：数量必须大于 0。"),
        ({"quantity": 1, "discount_rate": 150}, "折扣应在 0 到 100 之间。"),
        ({"quantity": 1, "price": -3}, "第 1 行：售价不能为负数。"),
    ],
)
def test_bad_lines_show_a_translated_error_and_save_nothing(row, message):
    data = seed()
    before = count_contracts()
    at = fill(open_form(), data.customer_id)
    at = type_lines(at, [{"product_id": data.products[0]} | row])
    at.button(key="contract.save").click()
    at = at.run()
    assert not at.exception, at.exception
    assert message in texts(at)
    assert count_contracts() == before
    assert at.text_input(key="contract.name").value == "两行合同"  # input kept


def test_an_end_date_before_the_start_is_refused():
    import datetime as dt

    data = seed()
    before = count_contracts()
    at = fill(open_form(), data.customer_id, name="<script>alert(1)</script>")
    at.date_input(key="contract.start_date").set_value(dt.date(2026, 12, 1))
    at.date_input(key="contract.end_date").set_value(dt.date(2026, 11, 1))
    at.button(key="contract.save").click()
    at = at.run()
    assert "结束日期不能早于开始日期。" in texts(at)
    assert count_contracts() == before


def test_a_double_clicked_save_creates_one_contract():
    data = seed()
    before = count_contracts()
    at = fill(open_form(), data.customer_id, name="双击合同")
    at.text_input(key="contract.amount").set_value("500")
    state = dict(at.session_state["contract.order_form"])
    at.button(key="contract.save").click()
    at = at.run()
    at.session_state["contract.order_form"] = state | {"errors": {}}  # the same form again
    at = at.run()
    at.button(key="contract.save").click()
    at = at.run()
    assert not at.exception, at.exception
    assert count_contracts() == before + 1
