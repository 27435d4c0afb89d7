"""The follow-ups page (CUS-10) in AppTest: every role renders it and sees exactly the follow-ups
in its scope, with the record each is about; a follow-up is deleted from its detail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import FollowUp
from core.services import followups
from tests.pages.accounts_pages import (
    ROLES,
    add_customer,
    as_actor,
    click,
    pick,
    stored,
    table_text,
)
from tests.pages.harness import open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/follow_ups.py"


def write(owner: str, customer: str, content: str) -> int:
    customer_id = add_customer(owner, name=customer)
    return as_actor(
        owner,
        followups.add,
        subject_type="customer",
        subject_id=customer_id,
        kind="拜访",
        content=content,
    )


@pytest.mark.parametrize("username", ROLES)
def test_follow_ups_page_renders_for_every_role_with_the_right_rows(username):
    write("sales1", "星辰科技", "销售一的拜访")
    write("outsider", "南方贸易", "外区的拜访")
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "office":
        assert "您没有执行此操作的权限。" in texts(at)
        return
    table = table_text(at)
    assert ("销售一的拜访" in table) == (username in ("admin", "manager", "sales1"))
    assert ("外区的拜访" in table) == (username in ("admin", "outsider"))
    if username == "sales1":
        assert "星辰科技" in table  # 所属客户


def test_the_detail_names_the_record_a_follow_up_is_about():
    note_id = write("sales1", "星辰科技", "拜访")
    at = pick(open_page("sales1", PAGE), "followup", note_id)
    assert "客户：星辰科技" in texts(at)


def test_the_author_deletes_a_follow_up_from_its_detail():
    note_id = write("sales1", "星辰科技", "写错了")
    at = pick(open_page("sales1", PAGE), "followup", note_id)
    at = click(at, "followup.detail.delete")
    assert not at.exception, at.exception
    assert stored(select(FollowUp.deleted_at.is_not(None))) == [(True,)]
