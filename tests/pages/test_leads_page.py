"""The leads page (CUS-2) in AppTest: every role renders it; a lead is created through the form,
converted into a customer with its contact, and is read-only afterwards; bad input and double
submits save nothing extra."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Contact, Customer, FollowUp, Lead
from core.services import leads
from tests.pages.accounts_pages import (
    ROLES,
    add_customer,
    add_lead,
    as_actor,
    click,
    fill,
    pick,
    present,
    stored,
    table_text,
    user_id,
)
from tests.pages.harness import ROOT, open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/leads.py"


@pytest.mark.parametrize("username", ROLES)
def test_leads_page_renders_for_every_seeded_role(username):
    add_lead("sales1", name="李总", company="星辰科技")
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "office":
        assert "您没有执行此操作的权限。" in texts(at)
        return
    assert "线索" in [t.value for t in at.title]
    visible = "李总" in table_text(at)
    assert visible == (username in ("admin", "manager", "sales1"))


def create_lead(at, **values):
    at = click(at, "lead.new")
    return click(fill(at, "lead", **values), "lead.save")


def test_a_rep_creates_a_lead_converts_it_and_the_customer_has_its_contact():
    at = open_page("sales1", PAGE)
    at = create_lead(at, name="李总", company="星辰科技有限公司", mobile="139 1234 5678")
    assert not at.exception, at.exception
    assert stored(select(Lead.name, Lead.mobile)) == [("李总", "13912345678")]
    at = click(at, "lead.detail.convert")
    assert at.text_input(key="lead.convert.customer.name").value == "星辰科技有限公司"
    assert at.text_input(key="lead.convert.contact.name").value == "李总"
    at = click(at, "lead.convert.submit")
    assert not at.exception, at.exception
    [(customer_id, name, owner)] = stored(select(Customer.id, Customer.name, Customer.owner_id))
    assert name == "星辰科技有限公司"
    assert stored(select(Contact.name, Contact.mobile, Contact.customer_id)) == [
        ("李总", "13912345678", customer_id)
    ]
    assert stored(select(Lead.is_converted, Lead.customer_id)) == [(True, customer_id)]
    assert "此线索已于" in texts(at) and not present(at, "lead.detail.edit")

    at = click(at, "lead.detail.open_customer")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["客户"] and "星辰科技有限公司" in texts(at)
    # AppTest forgets st.switch_page on the next run: stay on the customers page explicitly.
    at.session_state["customer.tabs"] = "联系人"
    at = at.switch_page(str(ROOT / "pages/crm/customers.py")).run()
    assert "李总" in table_text(at)


def test_a_conversion_with_a_bad_contact_mobile_saves_nothing_and_keeps_the_input():
    lead_id = add_lead("sales1", name="李总", company="星辰科技")
    at = pick(open_page("sales1", PAGE), "lead", lead_id)
    at = click(at, "lead.detail.convert")
    at.text_input(key="lead.convert.contact.mobile").set_value("12345")
    at = click(at, "lead.convert.submit")
    assert not at.exception, at.exception
    assert "手机号格式不正确" in texts(at)
    assert at.text_input(key="lead.convert.contact.mobile").value == "12345"
    assert stored(select(func.count()).select_from(Customer)) == [(0,)]
    assert stored(select(Lead.is_converted)) == [(False,)]


def test_converting_onto_an_existing_customer_shows_it_and_needs_confirmation():
    add_customer("sales2", name="星辰科技有限公司")
    lead_id = add_lead("sales1", name="李总", company="星辰科技")
    at = pick(open_page("sales1", PAGE), "lead", lead_id)
    at = click(at, "lead.detail.convert")
    assert "可能与已有记录重复" in texts(at)
    assert "星辰科技有限公司" in table_text(at)
    at = click(at, "lead.convert.submit")
    assert "已存在同名或同电话的客户" in texts(at)
    assert stored(select(func.count()).select_from(Customer)) == [(1,)]
    at.checkbox(key="lead.convert.confirm").check()
    at = click(at, "lead.convert.submit")
    assert stored(select(func.count()).select_from(Customer)) == [(2,)]


def test_a_converted_lead_cannot_be_edited_even_from_a_form_opened_before():
    lead_id = add_lead("sales1", name="李总", company="星辰科技")
    at = pick(open_page("sales1", PAGE), "lead", lead_id)
    at = click(at, "lead.detail.edit")
    as_actor("sales1", leads.convert, lead_id=lead_id)  # converted in another tab meanwhile
    at = click(fill(at, "lead", name="改名"), "lead.save")
    assert not at.exception, at.exception
    assert "该线索已转换为客户" in texts(at)
    assert stored(select(Lead.name)) == [("李总",)]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": ""}, "此项为必填项。"),
        ({"name": "甲", "email": "li@"}, "邮箱格式不正确"),
        ({"name": "甲", "mobile": "1234"}, "手机号格式不正确"),
        ({"name": "甲", "phone": "打电话给我"}, "电话号码格式不正确"),
    ],
)
def test_bad_lead_input_shows_a_translated_error_and_saves_nothing(values, message):
    at = create_lead(open_page("sales1", PAGE), **values)
    assert not at.exception, at.exception
    assert message in texts(at)
    assert stored(select(func.count()).select_from(Lead)) == [(0,)]


def test_script_and_sql_text_in_a_lead_is_saved_and_shown_as_text():
    script = "<script>alert(1)</script>'; DROP TABLE leads; --"
    at = create_lead(open_page("sales1", PAGE), name=script)
    assert stored(select(Lead.name)) == [(script,)]
    assert script in table_text(at)


def test_a_double_submitted_lead_form_creates_one_lead():
    at = click(open_page("sales1", PAGE), "lead.new")
    fill(at, "lead", name="王五")
    state = dict(at.session_state["lead.form_state"])
    at = click(at, "lead.save")
    at.session_state["lead.form_state"] = state | {"errors": {}}
    at = at.run()
    at = click(fill(at, "lead", name="王五"), "lead.save")
    assert not at.exception, at.exception
    assert stored(select(func.count()).select_from(Lead)) == [(1,)]


def test_a_follow_up_written_on_a_lead_appears_in_its_timeline():
    lead_id = add_lead("sales1", name="李总")
    at = pick(open_page("sales1", PAGE), "lead", lead_id)
    at.session_state["lead.tabs"] = "跟进记录"
    at = at.run()
    prefix = f"timeline.lead.{lead_id}.0"
    at.text_area(key=f"{prefix}.content").set_value("电话沟通，约下周拜访")
    at = click(at, f"timeline.lead.{lead_id}.save")
    assert not at.exception, at.exception
    assert stored(select(FollowUp.subject_type, FollowUp.content)) == [
        ("lead", "电话沟通，约下周拜访")
    ]
    assert "电话沟通，约下周拜访" in texts(at)


def test_a_manager_transfers_a_reps_lead():
    lead_id = add_lead("sales1", name="李总")
    at = pick(open_page("manager", PAGE), "lead", lead_id)
    at = click(at, "lead.detail.transfer")
    at = at.selectbox(key="lead.detail.transfer_to").set_value(user_id("sales2")).run()
    at = click(at, "lead.detail.transfer_go")
    assert not at.exception, at.exception
    assert stored(select(Lead.owner_id)) == [(user_id("sales2"),)]


def test_the_default_view_lists_open_leads_and_converted_ones_have_their_own_view():
    add_lead("sales1", name="未转换的线索")
    converted = add_lead("sales1", name="已转换的线索", company="星辰科技")
    as_actor("sales1", leads.convert, lead_id=converted)
    at = open_page("sales1", PAGE)
    table = table_text(at)
    assert "未转换的线索" in table and "已转换的线索" not in table
    at.session_state["lead.view"] = "converted"
    at = at.run()
    table = table_text(at)
    assert "已转换的线索" in table and "未转换的线索" not in table
