"""The follow-up timeline (CUS-10) on the sales records' detail pages: opportunities and contracts
show it with its add form."""

from __future__ import annotations

import pytest

from tests.pages.harness import open_page, texts
from tests.pages.sales_seed import seed

pytestmark = pytest.mark.usefixtures("org_store")


@pytest.mark.parametrize(
    ("page", "entity", "attr"),
    [
        ("pages/crm/contracts.py", "contract", "contract_id"),
        ("pages/crm/opportunities.py", "opportunity", "opportunity_id"),
    ],
)
def test_opportunities_and_contracts_show_the_follow_up_timeline(page, entity, attr):
    data = seed()
    at = open_page("sales1", page)
    at.session_state[f"{entity}.selected"] = getattr(data, attr)
    at.session_state[f"{entity}.tabs"] = "跟进记录"
    at = at.run()
    assert not at.exception, at.exception
    assert "写跟进" in texts(at)
