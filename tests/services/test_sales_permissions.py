"""Permission matrix of the sales pipeline (PLT-3 × CUS-6/7/8): for every seeded role, the list,
the detail and the export of opportunities, contracts, receivables and receivable plans return
exactly the records of the owners that role's scope reaches; office staff get none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import NotAllowed, NotFound
from core.models import StageGroup
from core.services import records
from core.services.contracts import CONTRACT
from core.services.opportunities import OPPORTUNITY
from core.services.receivables import PLAN, RECEIVABLE
from tests.services.test_permission_matrix import EXPECTED_OWNERS, _records_for

SPECS = {"opportunity": OPPORTUNITY, "contract": CONTRACT, "receivable": RECEIVABLE, "plan": PLAN}


@pytest.fixture
def owned(session, org):
    group_id = session.scalar(select(StageGroup.id))
    for username, user in org.users.items():
        _records_for(session, username, user.id, group_id)
    session.commit()
    return org


def owners_of(org, rows):
    by_id = {u.id: name for name, u in org.users.items()}
    return {by_id[r.owner_id] for r in rows}


@pytest.mark.parametrize("entity", SPECS)
@pytest.mark.parametrize("username", EXPECTED_OWNERS)
def test_list_detail_and_export_show_exactly_the_scope(session, owned, username, entity):
    spec, actor = SPECS[entity], owned.actor(session, username)
    expected = EXPECTED_OWNERS[username]
    if not expected:
        with pytest.raises(NotAllowed):
            records.list_visible(session, actor=actor, spec=spec)
        return
    page = records.list_visible(session, actor=actor, spec=spec, page_size=100)
    assert owners_of(owned, page.rows) == expected
    exported = [
        row for chunk in records.iter_visible(session, actor=actor, spec=spec) for row in chunk
    ]
    assert owners_of(owned, exported) == expected
    every = session.scalars(select(spec.model)).all()
    for row in every:
        owner = next(n for n, u in owned.users.items() if u.id == row.owner_id)
        if owner in expected:
            assert records.get_visible(session, actor=actor, spec=spec, record_id=row.id)
        else:
            with pytest.raises(NotFound):
                records.get_visible(session, actor=actor, spec=spec, record_id=row.id)
