"""A language switch keeps what the user picked in translated select boxes (PLT-5): the browser
remembers a select box by the label it shows, which the switch changes."""

from __future__ import annotations

import pytest

from core.i18n import t
from tests.browser.test_bi import SELECT, _charts_drawn, _pick
from tests.browser.ui import log_in, switch_language, visible_problems, wait_idle

pytestmark = pytest.mark.browser


def test_switching_language_on_the_dashboard_keeps_the_chosen_period(context):
    page = context.new_page()
    log_in(page, "manager")
    _charts_drawn(page, 1)
    period = t("bi_pages.filter.period", locale="zh_Hans")
    _pick(page, period, t("bi.period.last_month", locale="zh_Hans"))

    switch_language(page, "en")
    wait_idle(page)

    assert visible_problems(page) == []
    box = page.locator(SELECT).filter(has_text=t("bi_pages.filter.period", locale="en")).first
    shown = box.locator("input[role='combobox']").input_value() or box.inner_text()
    assert t("bi.period.last_month", locale="en") in shown, shown
