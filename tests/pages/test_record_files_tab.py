"""The 附件 tab of the customer and lead details in AppTest: a stored file is listed and can be
downloaded; whoever may edit the record deletes it there; a read-only team member only looks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import Attachment
from core.services import customer_team, customers, leads
from core.validation import Upload
from tests.pages.accounts_pages import (
    add_customer,
    add_lead,
    as_actor,
    click,
    open_tab,
    pick,
    present,
    stored,
    user_id,
)
from tests.pages.harness import open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
QUOTE = Upload("报价单.pdf", "application/pdf", b"%PDF-1.4 quote")


def live_files():
    query = select(Attachment.id, Attachment.filename).where(Attachment.deleted_at.is_(None))
    return stored(query.order_by(Attachment.id))


def test_a_customer_file_is_listed_downloadable_and_deleted_by_its_owner():
    customer_id = add_customer("sales1", name="星辰科技")
    as_actor("sales1", customers.attach_file, customer_id=customer_id, upload=QUOTE)
    [(file_id, _name)] = live_files()
    at = open_tab(pick(open_page("sales1", "pages/crm/customers.py"), "customer", customer_id),
                  "customer", "附件")  # fmt: skip
    assert not at.exception, at.exception
    assert "报价单.pdf" in texts(at)
    key = f"customer.detail.files.{customer_id}"
    assert present(at, f"{key}.download.{file_id}")
    at = click(at, f"{key}.delete.{file_id}")
    assert not at.exception, at.exception
    assert live_files() == []


def test_a_lead_file_is_deleted_by_the_leads_owner():
    lead_id = add_lead("sales1", name="李总")
    as_actor("sales1", leads.attach_file, lead_id=lead_id, upload=QUOTE)
    [(file_id, _name)] = live_files()
    at = open_tab(pick(open_page("sales1", "pages/crm/leads.py"), "lead", lead_id), "lead", "附件")
    assert not at.exception, at.exception
    assert "报价单.pdf" in texts(at)
    at = click(at, f"lead.detail.files.{lead_id}.delete.{file_id}")
    assert not at.exception, at.exception
    assert live_files() == []


def test_a_read_only_team_member_lists_and_downloads_files_but_cannot_delete_them():
    customer_id = add_customer("sales1", name="星辰科技")
    as_actor("sales1", customers.attach_file, customer_id=customer_id, upload=QUOTE)
    as_actor(
        "sales1",
        customer_team.set_team_member,
        customer_id=customer_id,
        user_id=user_id("sales3"),
        access="read",
    )
    [(file_id, _name)] = live_files()
    at = open_tab(pick(open_page("sales3", "pages/crm/customers.py"), "customer", customer_id),
                  "customer", "附件")  # fmt: skip
    assert not at.exception, at.exception
    assert "报价单.pdf" in texts(at)
    key = f"customer.detail.files.{customer_id}"
    assert present(at, f"{key}.download.{file_id}")
    assert not present(at, f"{key}.delete.{file_id}")
