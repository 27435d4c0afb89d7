"""The dashboard and a BI report in Chromium (CUS-1, BI-*): charts drawn with Chinese text, the
period changed, a CSV downloaded, screenshots saved for a human look."""

from __future__ import annotations

import csv
import io

import pytest

from core.i18n import t
from core.ui.navigation import PAGES
from tests.browser.conftest import SHOTS
from tests.browser.ui import log_in, nav_links, open_page, visible_problems, wait_idle

pytestmark = pytest.mark.browser

CHART = "[data-testid='stVegaLiteChart']"
SELECT = "[data-testid='stMain'] [data-testid='stSelectbox']"
MIRROR_BUILD_MS = 180_000  # first BI render on a busy 2-core machine copies the store


def _href(page, url_path: str) -> str:
    """The sidebar link of a page, found by its title (the landing page's href is the root)."""
    entry = next(p for p in PAGES if p.url_path == url_path)
    title = t(entry.title_key, locale="zh_Hans")
    hrefs = [href for text, href in nav_links(page) if text == title]
    assert hrefs, f"no navigation link to {url_path}"
    return hrefs[0]


def _charts_drawn(page, at_least: int) -> None:
    """Wait until `at_least` charts have drawn their canvas (Vega renders after the script)."""
    page.locator(f"{CHART} svg.marks").nth(at_least - 1).wait_for(timeout=MIRROR_BUILD_MS)
    wait_idle(page)


def _pick(page, label: str, option: str) -> None:
    """Choose `option` in the select box labelled `label`."""
    box = page.locator(SELECT).filter(has_text=label).first
    box.locator("input[role='combobox']").click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def _tall(page) -> None:
    """Streamlit scrolls inside its main block: a tall window photographs the whole page."""
    page.set_viewport_size({"width": 1440, "height": 2600})


def test_dashboard_and_a_report_draw_charts_change_period_and_download_csv(context):
    page = context.new_page()
    log_in(page, "manager")
    _tall(page)
    SHOTS.mkdir(parents=True, exist_ok=True)

    open_page(page, _href(page, "dashboard"))
    _charts_drawn(page, 2)
    assert page.get_by_text("销售简报").count() and page.get_by_text("待办事项").count()
    page.screenshot(path=SHOTS / "bi-dashboard-this-month.png")

    _pick(page, "时间范围", "本年")
    _charts_drawn(page, 2)
    assert page.locator(SELECT).first.locator("input[role='combobox']").input_value() == "本年"
    page.screenshot(path=SHOTS / "bi-dashboard-this-year.png")
    assert not visible_problems(page), visible_problems(page)

    open_page(page, _href(page, "bi-rankings"))
    _pick(page, "时间范围", "本年")
    _charts_drawn(page, 1)
    page.screenshot(path=SHOTS / "bi-rankings.png")
    shown_rows = page.locator("[data-testid='stDataFrame']").first.get_attribute("aria-rowcount")
    with page.expect_download() as caught:
        page.get_by_role("button", name="导出 CSV").first.click()
    raw = open(caught.value.path(), "rb").read()  # noqa: SIM115 — a temporary download
    assert raw.startswith("\ufeff".encode()), "Excel needs the BOM to read Chinese"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["名次", "员工", "部门", "合同金额"]
    assert len(rows) > 1
    if shown_rows:  # the grid counts its header row too
        assert len(rows) == int(shown_rows)
    assert not visible_problems(page), visible_problems(page)


def test_the_customer_portrait_draws_the_map_of_china(context):
    page = context.new_page()
    log_in(page, "admin")
    _tall(page)
    open_page(page, _href(page, "bi-portrait"))
    _charts_drawn(page, 2)
    page.screenshot(path=SHOTS / "bi-portrait.png")
    assert not visible_problems(page), visible_problems(page)
