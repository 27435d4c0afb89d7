"""The dashboard and a BI report in Chromium (CUS-1, BI-*): charts drawn with Chinese text, the
period changed, a CSV downloaded, a bar clicked through to its records, screenshots saved for a
human look."""

from __future__ import annotations

import csv
import io
import re

import pytest

from core.i18n import t
from core.ui.navigation import PAGES
from tests.browser.conftest import SHOTS
from tests.browser.ui import log_in, nav_links, open_page, visible_problems, wait_idle

pytestmark = pytest.mark.browser

CHART = "[data-testid='stVegaLiteChart']"
SELECT = "[data-testid='stMain'] [data-testid='stSelectbox']"
BARS = "svg.marks g.mark-rect path"
TOOLTIP = "#vg-tooltip-element"
RECORDS = re.compile(r"共 \d+ 条记录")
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


def _expect(locator):
    """Playwright's expect, imported late: without playwright the fixtures skip these tests."""
    from playwright.sync_api import expect

    return expect(locator)


def _opacity(bar) -> float:
    return float(bar.get_attribute("opacity") or 1)


def test_clicking_a_bar_opens_its_records_and_a_click_beside_the_bars_closes_them(context):
    page = context.new_page()
    log_in(page, "manager")
    _tall(page)
    open_page(page, _href(page, "bi-rankings"))
    _pick(page, "时间范围", "本年")
    _charts_drawn(page, 1)
    chart = page.locator(CHART).first
    bars = chart.locator(BARS)
    assert bars.count() >= 2, "the ranking draws a bar per employee with contracts this year"
    top, last = bars.first, bars.last
    top.hover()
    employee = page.locator(TOOLTIP).locator("td.value").first.inner_text()

    top.click()
    wait_idle(page)
    _expect(page.get_by_text(RECORDS)).to_be_visible()
    _expect(page.get_by_text(f"{employee} · 合同金额", exact=True)).to_be_visible()
    assert _opacity(top) == 1 and _opacity(last) < 1, "the clicked bar stands out"
    page.screenshot(path=SHOTS / "bi-rankings-bar-clicked.png")
    assert not visible_problems(page), visible_problems(page)

    box = last.bounding_box()
    page.mouse.click(box["x"] + box["width"] + 40, box["y"] + box["height"] / 2)
    wait_idle(page)
    _expect(page.get_by_text(RECORDS)).to_have_count(0)
    assert _opacity(last) == 1, "nothing is highlighted any more"


def test_clicking_a_funnel_stage_on_the_dashboard_opens_its_opportunities(context):
    page = context.new_page()
    log_in(page, "manager")
    _tall(page)
    open_page(page, _href(page, "dashboard"))
    _pick(page, "时间范围", "本年")
    _charts_drawn(page, 2)
    funnel = page.locator(CHART).filter(has=page.locator("g.mark-text.role-mark")).first
    label = funnel.locator(BARS).first.get_attribute("aria-label")  # "name: 初步接洽; …"
    name = re.match(r"name: ([^;]+);", label).group(1)
    funnel.locator("g.mark-text.role-mark text").first.click()  # the figure written on the bar
    dialog = page.get_by_role("dialog")
    _expect(dialog).to_be_visible()
    _expect(dialog.get_by_text(name, exact=True)).to_be_visible()
    _expect(dialog.get_by_text(RECORDS)).to_be_visible()
    page.screenshot(path=SHOTS / "bi-dashboard-funnel-clicked.png")
    assert not visible_problems(page), visible_problems(page)
