"""The customers page (CUS-3) in AppTest: every role renders it; duplicates show while typing and
an exact one needs confirmation; bad input, double submits and edit conflicts; team access;
transfer, lock, follow-ups, contacts and the 查重 tool on the detail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Contact, Customer, FollowUp
from core.services import customer_team
from tests.pages.accounts_pages import (
    ROLES,
    add_contact,
    add_customer,
    as_actor,
    click,
    fill,
    pick,
    present,
    stored,
    table_text,
    user_id,
)
from tests.pages.harness import open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/customers.py"


def count():
    return stored(select(func.count()).select_from(Customer))[0][0]


@pytest.mark.parametrize("username", ROLES)
def test_customers_page_renders_for_every_seeded_role_with_the_right_rows(username):
    add_customer("sales1", name="星辰科技")
    add_customer("outsider", name="南方贸易")
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "office":
        assert "您没有执行此操作的权限。" in texts(at)
        return
    table = table_text(at)
    assert ("星辰科技" in table) == (username in ("admin", "manager", "sales1"))
    assert ("南方贸易" in table) == (username in ("admin", "outsider"))


@pytest.mark.parametrize("username", ["admin", "manager", "sales1"])
def test_the_customer_detail_renders_every_tab_for_every_role_that_sees_it(username):
    customer_id = add_customer("sales1", name="星辰科技")
    add_contact(customer_id)
    at = pick(open_page(username, PAGE), "customer", customer_id)
    for label in ("详细资料", "联系人", "跟进记录", "附件", "团队成员", "变更记录"):
        at.session_state["customer.tabs"] = label
        at = at.run()
        assert not at.exception, (label, at.exception)


def open_form(at):
    return click(at, "customer.new")


def test_possible_duplicates_show_while_typing_and_an_exact_one_needs_confirmation():
    add_customer("sales2", name="华为技术有限公司")
    at = open_form(open_page("sales1", PAGE))
    at = at.text_input(key="customer.name").set_value("华为技术（有限责任公司）").run()
    assert "可能与已有记录重复" in texts(at)
    assert "华为技术有限公司" in table_text(at)
    at = click(at, "customer.save")
    assert "已存在同名或同电话的客户" in texts(at)
    assert count() == 1
    assert at.text_input(key="customer.name").value == "华为技术（有限责任公司）"
    at.checkbox(key="customer.confirm_duplicate").check()
    at = click(at.run(), "customer.save")
    assert not at.exception, at.exception
    assert count() == 2


def test_a_similar_name_is_shown_but_does_not_block_saving():
    add_customer("sales2", name="华为技术有限公司")
    at = open_form(open_page("sales1", PAGE))
    at = at.text_input(key="customer.name").set_value("深圳华为技术有限公司").run()
    assert "可能与已有记录重复" in texts(at) and not present(at, "customer.confirm_duplicate")
    at = click(at, "customer.save")
    assert count() == 2


def test_bad_phone_shows_the_translated_error_keeps_input_and_saves_nothing():
    at = open_form(open_page("sales1", PAGE))
    at = click(fill(at, "customer", name="星辰科技", phone="打电话给我"), "customer.save")
    assert not at.exception, at.exception
    assert "电话号码格式不正确" in texts(at)
    assert at.text_input(key="customer.phone").value == "打电话给我"
    assert count() == 0


def test_script_text_in_a_customer_name_is_shown_as_text():
    script = "<script>alert('x')</script>"
    at = open_form(open_page("sales1", PAGE))
    at = click(fill(at, "customer", name=script), "customer.save")
    assert stored(select(Customer.name)) == [(script,)]
    assert script in table_text(at)


def test_a_double_submitted_customer_form_creates_one_customer():
    at = open_form(open_page("sales1", PAGE))
    fill(at, "customer", name="星辰科技")
    state = dict(at.session_state["customer.form_state"])
    at = click(at, "customer.save")
    at.session_state["customer.form_state"] = state | {"errors": {}}
    at = at.run()
    at = click(fill(at, "customer", name="星辰科技"), "customer.save")
    assert not at.exception, at.exception
    assert count() == 1


def test_the_second_of_two_users_editing_a_customer_is_refused_and_keeps_the_input():
    customer_id = add_customer("sales1", name="星辰科技")
    first = click(pick(open_page("sales1", PAGE), "customer", customer_id), "customer.detail.edit")
    second = click(
        pick(open_page("manager", PAGE), "customer", customer_id), "customer.detail.edit"
    )
    first = click(fill(first, "customer", notes="第一位的备注"), "customer.save")
    assert not first.exception, first.exception
    second = click(fill(second, "customer", notes="第二位的备注"), "customer.save")
    assert not second.exception, second.exception
    assert "该记录已被其他人修改" in texts(second)
    assert second.text_area(key="customer.notes").value == "第二位的备注"
    assert stored(select(Customer.notes)) == [("第一位的备注",)]


def _share(customer_id: int, username: str, access: str) -> None:
    as_actor(
        "sales1",
        customer_team.set_team_member,
        customer_id=customer_id,
        user_id=user_id(username),
        access=access,
    )


def test_a_read_only_member_sees_no_edit_button_and_a_read_write_member_does():
    customer_id = add_customer("sales1", name="星辰科技")
    _share(customer_id, "outsider", "read")
    _share(customer_id, "sales3", "write")
    reader = pick(open_page("outsider", PAGE), "customer", customer_id)
    assert "星辰科技" in texts(reader) and not present(reader, "customer.detail.edit")
    writer = pick(open_page("sales3", PAGE), "customer", customer_id)
    assert present(writer, "customer.detail.edit")
    assert not present(writer, "customer.detail.transfer")


def test_the_owner_transfers_a_customer_with_its_contacts():
    customer_id = add_customer("sales1", name="星辰科技")
    add_contact(customer_id)
    at = click(pick(open_page("sales1", PAGE), "customer", customer_id), "customer.detail.transfer")
    at = at.selectbox(key="customer.detail.transfer_to").set_value(user_id("sales2")).run()
    at.checkbox(key="customer.detail.transfer_cascade").check()
    at = click(at, "customer.detail.transfer_go")
    assert not at.exception, at.exception
    sales2 = user_id("sales2")
    assert stored(select(Customer.owner_id)) == [(sales2,)]
    assert stored(select(Contact.owner_id)) == [(sales2,)]


def test_lock_and_unlock_from_the_detail():
    customer_id = add_customer("sales1", name="星辰科技")
    at = click(pick(open_page("sales1", PAGE), "customer", customer_id), "customer.detail.lock")
    assert stored(select(Customer.is_locked)) == [(True,)]
    assert "已锁定" in texts(at)
    click(at, "customer.detail.lock")
    assert stored(select(Customer.is_locked)) == [(False,)]


def test_a_follow_up_on_the_customer_sets_its_last_follow_up_time():
    customer_id = add_customer("sales1", name="星辰科技")
    at = pick(open_page("sales1", PAGE), "customer", customer_id)
    at.session_state["customer.tabs"] = "跟进记录"
    at = at.run()
    prefix = f"timeline.customer.{customer_id}"
    at.text_area(key=f"{prefix}.0.content").set_value("上门拜访，确认需求")
    at = click(at, f"{prefix}.save")
    assert not at.exception, at.exception
    [(followed_at,)] = stored(select(FollowUp.followed_at))
    assert stored(select(Customer.last_followup_at)) == [(followed_at,)]
    assert "上门拜访，确认需求" in texts(at)
    assert at.text_area(key=f"{prefix}.1.content").value == ""  # ready for the next one


def test_an_empty_follow_up_is_refused_with_a_translated_error():
    customer_id = add_customer("sales1", name="星辰科技")
    at = pick(open_page("sales1", PAGE), "customer", customer_id)
    at.session_state["customer.tabs"] = "跟进记录"
    at = click(at.run(), f"timeline.customer.{customer_id}.save")
    assert "此项为必填项。" in texts(at)
    assert stored(select(func.count()).select_from(FollowUp)) == [(0,)]


def test_a_new_contact_from_the_customer_tab_belongs_to_that_customer():
    customer_id = add_customer("sales1", name="星辰科技")
    at = pick(open_page("sales1", PAGE), "customer", customer_id)
    at.session_state["customer.tabs"] = "联系人"
    at = click(at.run(), "customer.detail.new_contact")
    assert at.selectbox(key="contact.customer_id").value == customer_id
    at = click(fill(at, "contact", name="王经理", mobile="13800138000"), "contact.save")
    assert not at.exception, at.exception
    assert stored(select(Contact.name, Contact.customer_id)) == [("王经理", customer_id)]


def test_the_duplicate_tool_finds_a_customer_by_phone_in_another_format():
    add_customer("outsider", name="南方贸易", phone="020-88886666")
    at = open_page("sales1", PAGE)
    at = at.toggle(key="customer.duplicate_tool_open").set_value(True).run()
    at = at.text_input(key="customer.duplicates.tool_phone").set_value("(020) 8888 6666").run()
    assert "发现 1 条可能重复的记录" in texts(at)
    table = table_text(at)
    assert "南方贸易" in table and "无权查看详情" in table and "outsider" in table


def test_the_duplicate_tool_finds_a_name_in_the_middle_of_another_when_asked_to():
    add_customer("sales1", name="北京字节跳动科技有限公司")
    at = open_page("sales1", PAGE)
    at = at.toggle(key="customer.duplicate_tool_open").set_value(True).run()
    at = at.text_input(key="customer.duplicates.tool_name").set_value("字节跳动").run()
    assert "没有发现重复的客户或线索。" in texts(at)
    at = at.checkbox(key="customer.duplicates.tool_contains").check().run()
    assert "发现 1 条可能重复的记录" in texts(at)
    assert "北京字节跳动科技有限公司" in table_text(at)


def test_a_team_member_is_added_from_the_team_tab():
    customer_id = add_customer("sales1", name="星辰科技")
    at = pick(open_page("sales1", PAGE), "customer", customer_id)
    at.session_state["customer.tabs"] = "团队成员"
    at = at.run()
    at = at.selectbox(key="customer.team.user").set_value(user_id("sales2")).run()
    at = click(at, "customer.team.add")
    assert not at.exception, at.exception
    team = as_actor("sales1", customer_team.team, customer_id=customer_id)
    assert [(m.name, m.access) for m in team] == [("sales2", "read")]


def test_the_owner_puts_a_customer_into_the_pool_with_a_reason():
    customer_id = add_customer("sales1", name="星辰科技")
    at = click(pick(open_page("sales1", PAGE), "customer", customer_id), "customer.detail.release")
    at.text_input(key="customer.detail.pool.reason").set_value("长期联系不上")
    next(b for b in at.button if b.label == "确定放入公海").click()
    at = at.run()
    assert not at.exception, at.exception
    assert stored(select(Customer.owner_id)) == [(None,)]
    assert "已放入公海。" in texts(at)


@pytest.mark.parametrize(("tab", "expected"), [("商机", "ERP 项目"), ("合同", "年度服务合同")])
def test_the_customer_detail_lists_its_opportunities_and_contracts(tab, expected):
    from tests.pages.sales_seed import seed

    data = seed()
    at = pick(open_page("sales1", PAGE), "customer", data.customer_id)
    at.session_state["customer.tabs"] = tab
    at = at.run()
    assert not at.exception, at.exception
    assert expected in table_text(at)
