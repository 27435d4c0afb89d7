"""The opportunities page (CUS-6) in AppTest: board and list for every role, moving a card to the
next stage, the stage stepper, closing as won and as lost with a reason, a new opportunity with a
line, and a contract started from an opportunity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.models import Contract, Opportunity, OpportunityStageChange, Stage
from tests.pages.harness import ROOT, open_page, texts
from tests.pages.sales_seed import USERS, seed, stored

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/opportunities.py"


def opportunity(opportunity_id):
    return stored(
        select(Opportunity.status, Opportunity.stage_id, Opportunity.lost_reason).where(
            Opportunity.id == opportunity_id
        )
    )[0]


def open_detail(username, opportunity_id):
    at = open_page(username, PAGE)
    at.session_state["opportunity.selected"] = opportunity_id
    return at.run()


@pytest.mark.parametrize("username", USERS)
def test_board_and_list_render_for_every_seeded_role(username):
    seed()
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "office":
        assert "您没有执行此操作的权限。" in texts(at)
        return
    card_shown = any(b.label == "ERP 项目" for b in at.button)
    assert card_shown == (username in ("admin", "manager", "sales1"))
    assert "初步接洽" in texts(at)
    at.segmented_control(key="opportunity.layout").set_value("list").run()
    assert not at.exception, at.exception


def test_a_card_moves_to_the_next_stage_and_the_move_is_kept():
    data = seed()
    at = open_page("sales1", PAGE)
    first = opportunity(data.opportunity_id)[1]
    at.button(key=f"opportunity.card.{data.opportunity_id}.forward").click()
    at = at.run()
    assert not at.exception, at.exception
    moved = opportunity(data.opportunity_id)[1]
    assert moved != first
    changes = stored(
        select(OpportunityStageChange.to_stage_id)
        .where(OpportunityStageChange.opportunity_id == data.opportunity_id)
        .order_by(OpportunityStageChange.id)
    )
    assert [c[0] for c in changes] == [first, moved]


def stage_ids(opportunity_id):
    group = stored(select(Opportunity.stage_group_id).where(Opportunity.id == opportunity_id))
    rows = stored(select(Stage.id).where(Stage.group_id == group[0][0]).order_by(Stage.position))
    return [r[0] for r in rows]


def test_the_stage_stepper_moves_an_opportunity_in_one_click():
    data = seed()
    at = open_detail("sales1", data.opportunity_id)
    third = stage_ids(data.opportunity_id)[2]
    at.segmented_control(key=f"opportunity.stepper.{data.opportunity_id}").set_value(third).run()
    assert not at.exception, at.exception
    assert opportunity(data.opportunity_id)[1] == third


def test_closing_as_won_and_as_lost_with_a_reason():
    data = seed()
    at = open_detail("sales1", data.opportunity_id)
    at.button(key="opportunity.lose").click()
    at = at.run()
    assert "请从列表中选择输单原因。" in texts(at)
    assert opportunity(data.opportunity_id)[0] == "open"
    at.selectbox(key="opportunity.lost_reason_pick").set_value("价格太高")
    at.button(key="opportunity.lose").click()
    at = at.run()
    assert opportunity(data.opportunity_id)[::2] == ("lost", "价格太高")
    at.button(key="opportunity.reopen").click()
    at = at.run()
    at.button(key="opportunity.win").click()
    at = at.run()
    assert not at.exception, at.exception
    assert opportunity(data.opportunity_id)[0] == "won"


def test_a_new_opportunity_with_a_line_gets_its_amount():
    data = seed()
    at = open_page("sales1", PAGE)
    at.button(key="opportunity.new").click()
    at = at.run()
    at.text_input(key="opportunity.name").set_value("新商机")
    at.selectbox(key="opportunity.customer_id").set_value(data.customer_id)
    key = at.data_editor[0].key
    at.session_state[key] = {
        "edited_rows": {},
        "added_rows": [{"product_id": data.products[1], "quantity": 4, "price": 45}],
        "deleted_rows": [],
    }
    at = at.run()
    at.button(key="opportunity.save").click()
    at = at.run()
    assert not at.exception, at.exception
    assert stored(select(Opportunity.amount).where(Opportunity.name == "新商机")) == [
        (Decimal("180.00"),)
    ]


def test_a_rep_cannot_pick_a_colleagues_customer_and_must_pick_one():
    data = seed()
    at = open_page("sales2", PAGE)
    at.button(key="opportunity.new").click()
    at = at.run()
    at.text_input(key="opportunity.name").set_value("新商机")
    assert data.customer_id not in at.selectbox(key="opportunity.customer_id").options
    at.button(key="opportunity.save").click()
    at = at.run()
    assert "此项为必填项。" in texts(at)
    assert stored(select(Opportunity.id).where(Opportunity.name == "新商机")) == []


def test_a_contract_starts_from_an_opportunity_with_its_lines():
    data = seed()
    at = open_detail("sales1", data.opportunity_id)
    at.button(key="opportunity.new_contract").click()
    at = at.run()
    assert not at.exception, at.exception
    # st.switch_page moved the browser; AppTest keeps its own page until told
    at = at.switch_page(str(ROOT / "pages/crm/contracts.py")).run()
    assert at.text_input(key="contract.name").value == "ERP 项目"
    at.button(key="contract.save").click()
    at = at.run()
    assert not at.exception, at.exception
    rows = stored(
        select(Contract.amount, Contract.opportunity_id).where(Contract.name == "ERP 项目")
    )
    assert rows == [(Decimal("200.00"), data.opportunity_id)]
