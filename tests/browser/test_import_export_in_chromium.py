"""Import and export in Chromium (CUS-11): a CSV with three bad rows shows each row's error and
writes nothing; a filtered list downloads as CSV and as Excel holding exactly its rows."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from tests.browser.conftest import SHOTS
from tests.browser.ui import NAV_LINK, log_in, visible_problems, wait_idle

pytestmark = pytest.mark.browser
MAIN = "[data-testid='stMain']"


def open_nav(page, url_path: str) -> None:
    page.locator(f"{NAV_LINK}[href$='/{url_path}']").click()
    page.locator(f"{NAV_LINK}[href$='/{url_path}'][aria-current='page']").wait_for()
    wait_idle(page)


def bad_file() -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["客户名称*", "电话", "城市", "负责人"])
    out.writerow(["浏览器导入好客户", "010-55551234", "北京", "sales1"])
    out.writerow(["", "010-55551235", "上海", ""])  # row 3: no name
    out.writerow(["浏览器导入坏电话", "电话号码", "", ""])  # row 4: bad phone
    out.writerow(["浏览器导入无此人", "", "", "没有这个人"])  # row 5: unknown owner
    return buffer.getvalue().encode("utf-8-sig")


def search_finds(page, text: str) -> bool:
    page.goto(f"/search?q={text}")
    wait_idle(page)
    page.locator(MAIN).get_by_text("全局搜索").first.wait_for()
    return page.get_by_text("没有找到匹配的记录。").count() == 0


def test_a_csv_with_three_bad_rows_shows_their_errors_and_imports_nothing(context):
    page = context.new_page()
    log_in(page, "manager")
    open_nav(page, "import")
    page.locator("input[type='file']").set_input_files(
        files=[{"name": "客户.csv", "mimeType": "text/csv", "buffer": bad_file()}]
    )
    wait_idle(page)
    page.get_by_text("已读取 4 行").wait_for()
    page.get_by_role("button", name="检查数据").click()
    wait_idle(page)
    page.get_by_text("有 3 行数据有误，未导入任何数据。").wait_for()
    page.screenshot(path=SHOTS / "import-three-bad-rows.png", full_page=True)
    assert page.get_by_role("button", name="开始导入").count() == 0
    assert page.get_by_role("button", name="下载错误明细 (CSV)").count() == 1
    assert not visible_problems(page), visible_problems(page)
    assert not search_finds(page, "浏览器导入")  # the good row was not written either


def test_a_filtered_list_downloads_as_csv_and_excel_with_exactly_its_rows(context):
    page = context.new_page()
    log_in(page, "manager")
    open_nav(page, "customers")
    search = page.locator(f"{MAIN} [data-testid='stTextInput'] input").first
    search.fill("北京")
    search.press("Enter")
    wait_idle(page)
    total = int(re.search(r"共 (\d+) 条", page.locator(MAIN).inner_text()).group(1))
    assert total > 0
    page.get_by_role("button", name="导出", exact=True).click()
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="导出 CSV").click()
    assert csv_download.value.suggested_filename.endswith(".csv")
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "客户名称"
    assert len(rows) - 1 == total
    assert all("北京" in r[0] or "北京" in " ".join(r) for r in rows[1:])
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="导出 Excel").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    data = Path(xlsx_download.value.path()).read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "客户名称" and len(values) - 1 == total
    assert sorted(v[0] for v in values[1:]) == sorted(r[0] for r in rows[1:])
    page.screenshot(path=SHOTS / "export-filtered-customers.png")
