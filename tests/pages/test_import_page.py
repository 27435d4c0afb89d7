"""The import page (CUS-11) in AppTest: every role renders (reps and office staff may not
import), a file with three bad rows lists them and writes nothing, a good file imports."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from core import db as core_db
from core.models import ChangeLog, Customer
from tests.pages.harness import open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/import.py"
HEADER = ["客户名称*", "电话", "城市", "负责人"]


def csv_file(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return buffer.getvalue().encode("utf-8-sig")


def customers() -> int:
    with core_db.transaction() as s:
        return s.scalar(select(func.count()).select_from(Customer))


def upload_and_check(username: str, data: bytes):
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    at.selectbox(key="import.entity").select("customer").run()
    at.get("file_uploader")[0].set_value(("客户.csv", data, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    at.button(key="import.check").click()
    return at.run()


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "sales2", "office"])
def test_import_page_renders_for_every_seeded_role(username):
    pytest.importorskip("core.services.customers")
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    allowed = username in ("admin", "manager")
    assert ("数据导入" in [t.value for t in at.title]) == allowed
    if not allowed:
        assert "您没有执行此操作的权限。" in texts(at)


def test_three_bad_rows_are_shown_with_their_rows_and_nothing_is_written():
    pytest.importorskip("core.services.customers")
    rows = [["好客户", "010-5555123", "北京", "sales1"], ["", "010-1", "", ""],
            ["电话不对", "abc", "", ""], ["负责人不对", "", "", "nobody"]]  # fmt: skip
    at = upload_and_check("admin", csv_file(rows))
    assert not at.exception, at.exception
    assert "有 3 行数据有误，未导入任何数据。请修正后重新上传。" in texts(at)
    errors = at.dataframe[-1].value
    assert list(errors.iloc[:, 0]) == [3, 4, 5]
    assert not any(getattr(b, "key", None) == "import.start" for b in at.button)
    assert customers() == 0


def test_a_good_file_is_checked_then_imported_with_history():
    pytest.importorskip("core.services.customers")
    at = upload_and_check("manager", csv_file([["甲公司", "010-5555123", "北京", "sales1"],
                                               ["乙公司", "", "上海", ""]]))  # fmt: skip
    assert "共 2 行：将新建 2 条、更新 0 条、跳过重复 0 条。" in texts(at)
    assert customers() == 0  # checking writes nothing
    at.button(key="import.start").click()
    at = at.run()
    assert not at.exception, at.exception
    assert "导入完成：新建 2 条、更新 0 条、跳过 0 条。" in texts(at)
    assert customers() == 2
    with core_db.transaction() as s:
        assert s.scalar(select(func.count()).where(ChangeLog.action == "import")) == 2
