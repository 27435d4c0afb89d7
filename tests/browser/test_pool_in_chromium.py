"""The public pool in Chromium (CUS-5): a sales rep opens 公海, picks a customer, claims it and
finds it among 我的客户."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SHOTS
from tests.browser.ui import NAV_LINK, log_in, visible_problems, wait_idle

pytestmark = pytest.mark.browser
GRID = "[data-testid='stDataFrame']"
HEADER_PX = 36  # the data grid's header row, then rows of ~35 px


def open_nav(page, url_path: str) -> None:
    link = page.locator(f"{NAV_LINK}[href$='/{url_path}']")
    link.click()
    page.locator(f"{NAV_LINK}[href$='/{url_path}'][aria-current='page']").wait_for()
    wait_idle(page)


def cells_of(page, header: str) -> list[str]:
    """The column under `header` of the first grid (its accessible rows mirror the canvas)."""
    grid = page.locator(GRID).first
    grid.locator("[role='columnheader']").first.wait_for(state="attached")
    headers = [h.strip() for h in grid.locator("[role='columnheader']").all_inner_texts()]
    at = headers.index(header)
    rows = grid.locator("[role='row']").all()[1:]
    return [r.locator("[role='gridcell']").nth(at).inner_text().strip() for r in rows]


def click_first_row(page) -> None:
    box = page.locator(GRID).first.bounding_box()
    page.mouse.click(box["x"] + 150, box["y"] + HEADER_PX + 17)
    wait_idle(page)


def test_sales_rep_claims_a_pool_customer_and_sees_it_in_my_customers(context):
    page = context.new_page()
    log_in(page, "sales1")
    open_nav(page, "pool")
    name = cells_of(page, "客户名称")[0]
    click_first_row(page)
    claim = page.get_by_role("button", name="领取", exact=True)
    claim.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "pool-customer-panel.png")
    claim.click()
    wait_idle(page)
    page.get_by_text("已领取，客户已转入「我的客户」。").wait_for()
    assert not visible_problems(page), visible_problems(page)
    assert name not in cells_of(page, "客户名称")

    open_nav(page, "customers")
    page.get_by_text("我负责的", exact=True).click()  # the "mine" view: 我的客户
    wait_idle(page)
    search = page.locator("[data-testid='stMain'] [data-testid='stTextInput'] input").first
    search.fill(name)
    search.press("Enter")
    wait_idle(page)
    cell = page.locator(GRID).first.locator("[role='gridcell']").filter(has_text=name)
    cell.first.wait_for(state="attached")  # the accessible copy of the canvas is hidden
    assert cells_of(page, "客户名称") == [name]
    page.screenshot(path=SHOTS / "pool-claimed-in-my-customers.png")
