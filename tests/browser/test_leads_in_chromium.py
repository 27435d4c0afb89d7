"""Lead to customer in Chromium (CUS-2, CUS-3): a sales rep creates a lead through the form,
converts it, opens the new customer and finds the lead's person among its contacts."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.conftest import SHOTS
from tests.browser.ui import NAV_LINK, log_in, visible_problems, wait_idle

pytestmark = pytest.mark.browser
GRID = "[data-testid='stDataFrame']"
MAIN = "[data-testid='stMain']"


def open_nav(page, url_path: str) -> None:
    page.locator(f"{NAV_LINK}[href$='/{url_path}']").click()
    page.locator(f"{NAV_LINK}[href$='/{url_path}'][aria-current='page']").wait_for()
    wait_idle(page)


def click_button(page, name: str) -> None:
    button = page.locator(MAIN).get_by_role("button", name=name, exact=True).first
    button.scroll_into_view_if_needed()
    button.click()
    wait_idle(page)


def type_into(page, label: str, text: str) -> None:
    box = page.locator(MAIN).get_by_role("textbox", name=label, exact=True).first
    box.fill(text)
    box.press("Tab")  # commit the value (the form saves on the button)
    wait_idle(page)


def grid_cells(page, grid_index: int) -> list[str]:
    grid = page.locator(GRID).nth(grid_index)
    return [c.strip() for c in grid.locator("[role='gridcell']").all_inner_texts()]


def test_a_rep_creates_a_lead_converts_it_and_finds_the_customer_with_its_contact(context):
    tag = uuid.uuid4().hex[:6]
    person, company = f"测试联系人{tag}", f"浏览器测试科技{tag}有限公司"
    page = context.new_page()
    log_in(page, "sales1")
    open_nav(page, "leads")

    click_button(page, "新建线索")
    type_into(page, "线索名称 *", person)
    type_into(page, "公司名称", company)
    type_into(page, "手机", "13912345678")
    click_button(page, "保存")
    page.locator(MAIN).get_by_role("heading", name=person).wait_for()

    click_button(page, "转换为客户")
    page.locator(MAIN).get_by_text("转换线索为客户", exact=True).wait_for()
    page.screenshot(path=SHOTS / "lead-conversion-form.png")
    click_button(page, "确认转换")
    page.locator(MAIN).get_by_text("转换为客户「", exact=False).first.wait_for()
    assert not visible_problems(page), visible_problems(page)

    click_button(page, "查看客户")
    page.locator(MAIN).get_by_role("heading", name=company).wait_for()
    page.locator("[role='tab']").filter(has_text="联系人").first.click()
    wait_idle(page)
    contact_grid = page.locator(GRID).count() - 1  # the tab's list follows the customer list
    page.locator(GRID).nth(contact_grid).locator("[role='gridcell']").filter(
        has_text=person
    ).first.wait_for(state="attached")
    assert person in grid_cells(page, contact_grid)
    assert company in grid_cells(page, contact_grid)
    page.screenshot(path=SHOTS / "lead-converted-customer-contacts.png")
    assert not visible_problems(page), visible_problems(page)
