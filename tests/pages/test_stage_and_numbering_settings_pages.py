"""Settings pages for stage groups (CUS-6) and numbering rules (CUS-7/8) in AppTest: only admins
open them; an admin adds a stage, sees used stages protected, and changes a numbering rule with
its preview; a rule that could repeat numbers is refused with a translated message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import NumberingRule, Stage
from tests.pages.harness import open_page, texts
from tests.pages.sales_seed import USERS, seed, stored

pytestmark = pytest.mark.usefixtures("org_store")
STAGES = "pages/settings/stages.py"
NUMBERING = "pages/settings/numbering.py"


@pytest.mark.parametrize("page", [STAGES, NUMBERING])
@pytest.mark.parametrize("username", USERS)
def test_only_admins_open_the_settings_pages(username, page):
    at = open_page(username, page)
    assert not at.exception, at.exception
    refused = "您没有执行此操作的权限。" in texts(at)
    assert refused == (username != "admin")


def test_an_admin_adds_a_stage_and_used_stages_cannot_be_deleted():
    data = seed()
    at = open_page("admin", STAGES)
    at.text_input(key="stage.add_name").set_value("合同签订")
    at.number_input(key="stage.add_probability").set_value(95)
    at.button(key="stage.add_submit").click()
    at = at.run()
    assert not at.exception, at.exception
    assert ("合同签订", 95, 5) in stored(select(Stage.name, Stage.win_probability, Stage.position))
    first = stored(select(Stage.id).where(Stage.position == 1))[0][0]
    assert at.button(key=f"stage.delete.{first}").disabled  # the seeded opportunity is in it
    assert data.opportunity_id


def test_an_admin_changes_the_contract_numbering_rule_with_a_preview():
    at = open_page("admin", NUMBERING)
    assert not at.exception, at.exception
    assert any(m.label == "编号示例" and str(m.value).startswith("HT") for m in at.metric)
    at.selectbox(key="numbering.contract.reset").set_value("never")
    at.button(key="numbering.contract.save").click()
    at = at.run()
    assert not at.exception, at.exception
    assert stored(select(NumberingRule.reset).where(NumberingRule.entity == "contract")) == [
        ("never",)
    ]


def test_a_rule_without_a_sequence_is_refused_before_saving():
    at = open_page("admin", NUMBERING)
    at.session_state["numbering.contract.segments"] = {
        "edited_rows": {},
        "added_rows": [],
        "deleted_rows": [2],
    }
    at = at.run()
    assert "编号必须且只能包含一个流水号段。" in texts(at)
    assert at.button(key="numbering.contract.save").disabled


def test_the_default_stage_group_is_marked_in_the_pages_language():
    from core.i18n import set_locale
    from tests.pages.harness import ROOT, app_as

    seed()
    set_locale("en")  # AppTest formats radio options in this thread too
    try:
        at = app_as("admin", locale="en")
        at = at.switch_page(str(ROOT / STAGES)).run()
        assert not at.exception, at.exception
        groups = at.radio[0].options
    finally:
        set_locale("zh_Hans")
    marked = [g for g in groups if "default" in g]
    assert len(marked) == 1 and marked[0].endswith(" (default)"), groups
