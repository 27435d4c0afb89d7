"""Rankings (BI-6) with exact numbers on the March 2026 scenario."""

from __future__ import annotations

import pytest

from core.bi import measures, rankings
from core.bi.periods import month
from core.bi.scope import Who
from tests.bi import scenario

MARCH = month(2026, 3)


@pytest.fixture
def world(session, org):
    return scenario.add_activity(session, org, scenario.build(session, org))


@pytest.fixture
def mirror(world, make_mirror):
    return make_mirror()


def _ranked(mirror, actor, metric, **kw):
    frame = rankings.ranking(mirror, actor=actor, period=MARCH, metric=metric, **kw)
    return [(r["rank"], r["employee"], r["value"]) for r in frame.to_dicts()]


def test_contract_amount_ranking_puts_the_best_seller_first(mirror, org, session):
    ranked = _ranked(mirror, org.actor(session, "admin"), "contract_amount")
    assert ranked[:3] == [(1, "sales1", 1000.10), (2, "outsider", 999.99), (3, "sales2", 400.40)]
    assert {r[0] for r in ranked[3:]} == {4} and len(ranked) == 7  # zeros share a rank


def test_a_manager_ranks_his_team_and_a_rep_only_himself(mirror, org, session):
    team = _ranked(mirror, org.actor(session, "manager"), "contract_amount")
    assert team == [(1, "sales1", 1000.10), (2, "sales2", 400.40), (3, "manager", 0.0),
                    (3, "sales3", 0.0)]  # fmt: skip
    assert _ranked(mirror, org.actor(session, "sales1"), "receivable_amount") == [
        (1, "sales1", 600.00)
    ]
    south = Who(department_id=org.departments["south"].id)
    assert _ranked(mirror, org.actor(session, "manager"), "contracts", who=south) == []


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("contracts", {"sales1": 1, "sales2": 1, "outsider": 1}),
        ("product_sales", {"sales1": 3.0, "sales2": 3.0, "outsider": 1.0}),
        ("new_customers", {"sales1": 2, "outsider": 1}),
        ("new_contacts", {}),
        ("customers_followed", {"sales1": 2}),
        ("follow_ups", {"sales1": 3}),
        ("trips", {"sales1": 2, "outsider": 1}),
        ("visits", {"sales2": 1}),
    ],
)
def test_every_ranking_counts_what_it_names(mirror, org, session, metric, expected):
    ranked = _ranked(mirror, org.actor(session, "admin"), metric)
    assert {name: value for _, name, value in ranked if value} == expected


def test_a_ranking_row_opens_the_records_behind_it(mirror, world, org, session):
    ids = measures.ids(mirror, "customers_followed", actor=org.actor(session, "admin"),
                       period=MARCH, owner_id=org.users["sales1"].id)  # fmt: skip
    assert ids == sorted([world.customers["c1"].id, world.customers["c2"].id])
