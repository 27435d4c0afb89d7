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


def first_row_name(page) -> str:
    """The customer name in the first row (the grid's accessible cells mirror the canvas)."""
    return page.locator(GRID).first.locator("[role='gridcell']").first.inner_text().strip()


def click_first_row(page) -> None:
    box = page.locator(GRID).first.bounding_box()
    page.mouse.click(box["x"] + 150, box["y"] + HEADER_PX + 17)
    wait_idle(page)


def test_sales_rep_claims_a_pool_customer_and_sees_it_in_my_customers(context):
    page = context.new_page()
    log_in(page, "sales1")
    open_nav(page, "pool")
    name = first_row_name(page)
    click_first_row(page)
    claim = page.get_by_role("button", name="领取", exact=True)
    claim.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "pool-customer-panel.png")
    claim.click()
    wait_idle(page)
    page.get_by_text("已领取，客户已转入「我的客户」。").wait_for()
    assert not visible_problems(page), visible_problems(page)
    assert name not in page.locator(GRID).first.locator("[role='gridcell']").all_inner_texts()

    open_nav(page, "customers")
    search = page.locator("[data-testid='stTextInput'] input").first
    search.fill(name)
    search.press("Enter")
    wait_idle(page)
    cells = page.locator(GRID).first.locator("[role='gridcell']")
    cells.filter(has_text=name).first.wait_for()
    page.screenshot(path=SHOTS / "pool-claimed-in-my-customers.png")
