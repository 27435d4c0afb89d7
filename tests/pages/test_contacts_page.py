"""The contacts page (CUS-4) in AppTest: every role renders it with the right rows; a contact is
created for a visible customer and takes its owner; bad input is refused; its timeline works."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Contact, FollowUp
from tests.pages.accounts_pages import (
    ROLES,
    add_contact,
    add_customer,
    click,
    fill,
    pick,
    stored,
    table_text,
    user_id,
)
from tests.pages.harness import open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/contacts.py"


@pytest.mark.parametrize("username", ROLES)
def test_contacts_page_renders_for_every_seeded_role_with_the_right_rows(username):
    add_contact(add_customer("sales1", name="星辰科技"), name="王经理")
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "office":
        assert "您没有执行此操作的权限。" in texts(at)
        return
    assert ("王经理" in table_text(at)) == (username in ("admin", "manager", "sales1"))


def test_a_manager_adds_a_contact_to_a_reps_customer_and_it_stays_with_the_rep():
    customer_id = add_customer("sales1", name="星辰科技")
    at = click(open_page("manager", PAGE), "contact.new")
    at = click(
        fill(at, "contact", name="李秘书", customer_id=customer_id, gender="女"), "contact.save"
    )
    assert not at.exception, at.exception
    assert stored(select(Contact.name, Contact.gender, Contact.owner_id)) == [
        ("李秘书", "女", user_id("sales1"))
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": "王", "email": "wang@@x"}, "邮箱格式不正确"),
        ({"name": "王", "mobile": "110"}, "手机号格式不正确"),
        ({"name": ""}, "此项为必填项。"),
    ],
)
def test_bad_contact_input_shows_a_translated_error_and_saves_nothing(values, message):
    customer_id = add_customer("sales1", name="星辰科技")
    at = click(open_page("sales1", PAGE), "contact.new")
    at = click(fill(at, "contact", customer_id=customer_id, **values), "contact.save")
    assert not at.exception, at.exception
    assert message in texts(at)
    assert stored(select(func.count()).select_from(Contact)) == [(0,)]


def test_a_follow_up_on_a_contact_shows_in_its_timeline():
    contact_id = add_contact(add_customer("sales1", name="星辰科技"), name="王经理")
    at = pick(open_page("sales1", PAGE), "contact", contact_id)
    at.session_state["contact.tabs"] = "跟进记录"
    at = at.run()
    at.text_area(key=f"timeline.contact.{contact_id}.0.content").set_value("微信确认报价")
    at = click(at, f"timeline.contact.{contact_id}.save")
    assert not at.exception, at.exception
    assert stored(select(FollowUp.subject_type, FollowUp.content)) == [("contact", "微信确认报价")]
