"""Option list settings in AppTest: only CRM settings admins open it; add, rename, switch off,
and a value in use cannot be deleted (translated message, nothing changes)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import db as core_db
from core.models import Customer, OptionItem
from tests.pages.harness import open_page, texts

PAGE = "pages/settings/options.py"
ROLES = ["admin", "manager", "sales1", "sales2", "sales3", "outsider", "office"]
pytestmark = pytest.mark.usefixtures("org_store")


def item(list_name, label):
    with core_db.transaction() as s:
        return s.scalar(
            select(OptionItem).where(OptionItem.list_name == list_name, OptionItem.label == label)
        )


def open_list(list_name):
    at = open_page("admin", PAGE)
    return at.radio(key="options.list_name").set_value(list_name).run()


@pytest.mark.parametrize("username", ROLES)
def test_options_page_opens_only_for_crm_settings_admins(username):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    if username == "admin":
        assert "选项设置" in [t.value for t in at.title]
        assert "制造业" in at.dataframe[0].value.to_string()
    else:
        assert "您没有执行此操作的权限。" in texts(at)


def test_admin_adds_a_source():
    at = open_list("source")
    at.text_input(key="options.new.source").set_value("抖音")
    at.button(key="FormSubmitter:options.add.source-添加").click()
    at = at.run()
    assert not at.exception, at.exception
    assert item("source", "抖音") is not None
    assert "抖音" in at.dataframe[0].value.to_string()


def test_a_duplicate_value_shows_a_message_and_adds_nothing():
    at = open_list("source")
    at.text_input(key="options.new.source").set_value("展会")
    at.button(key="FormSubmitter:options.add.source-添加").click()
    at = at.run()
    assert "列表中已有同名选项。" in texts(at)
    with core_db.transaction() as s:
        count = s.scalars(select(OptionItem.id).where(OptionItem.label == "展会")).all()
    assert len(count) == 1


def test_admin_renames_and_switches_off_the_chosen_value():
    target = item("source", "展会")
    at = open_list("source")
    at = at.selectbox(key="options.item_id").set_value(target.id).run()
    at.text_input(key="options.rename_to").set_value("行业展会")
    at.button(key="options.rename").click()
    at = at.run()
    assert item("source", "行业展会").value == "展会"
    at.button(key="options.switch").click()
    at = at.run()
    assert not at.exception, at.exception
    assert item("source", "行业展会").is_active is False
    assert "已停用" in at.dataframe[0].value.to_string()


def test_a_value_in_use_is_not_deleted():
    with core_db.transaction() as s:
        s.add(Customer(name="甲公司", industry="金融"))
    target = item("industry", "金融")
    at = open_list("industry")
    at = at.selectbox(key="options.item_id").set_value(target.id).run()
    at.button(key="options.delete").click()
    at = at.run()
    assert "「金融」已被 1 条记录使用，不能删除，可以停用。" in texts(at)
    assert item("industry", "金融") is not None


def test_usage_counts_show_once_asked_for():
    with core_db.transaction() as s:
        s.add_all(
            [Customer(name="甲公司", industry="金融"), Customer(name="乙公司", industry="金融")]
        )
    at = open_list("industry")
    assert "使用次数" not in at.dataframe[0].value.columns
    at.button(key="options.count.industry").click()
    at = at.run()
    table = at.dataframe[0].value
    assert table.set_index("名称").loc["金融", "使用次数"] == "2"
