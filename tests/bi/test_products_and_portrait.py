"""Product analysis (BI-5) and customer portrait (BI-4) on the March 2026 scenario."""

from __future__ import annotations

import pytest

from core.bi import portrait, products
from core.bi.periods import month
from core.bi.scope import Who
from tests.bi import scenario

MARCH = month(2026, 3)


@pytest.fixture
def mirror(session, org, make_mirror):
    scenario.add_activity(session, org, scenario.build(session, org))
    return make_mirror()


def test_products_sum_lines_of_approved_contracts_in_the_period(mirror, org, session):
    frame = products.by_product(mirror, actor=org.actor(session, "admin"), period=MARCH)
    rows = frame.select("product", "category", "quantity", "amount", "contracts", "share_pct")
    assert rows.rows() == [
        ("CRM 标准版", "软件", 5.0, 1000.50, 2, 41.68),  # k1 + k5; pending k3 left out
        ("实施服务", None, 1.0, 999.99, 1, 41.66),
        ("服务器", "硬件", 1.0, 400.00, 1, 16.66),  # April's k2 left out
    ]


def test_categories_share_the_amount_of_the_managers_team(mirror, org, session):
    frame = products.by_category(mirror, actor=org.actor(session, "manager"), period=MARCH)
    assert frame.select("category", "quantity", "amount", "contracts", "share_pct").rows() == [
        ("软件", 5.0, 1000.50, 2, 71.44),
        ("硬件", 1.0, 400.00, 1, 28.56),
    ]
    rep = products.by_product(mirror, actor=org.actor(session, "sales2"), period=MARCH)
    assert rep.select("product", "amount").rows() == [("CRM 标准版", 400.40)]


def test_portrait_by_province_compares_all_and_dealt_customers(mirror, org, session):
    frame = portrait.portrait(mirror, actor=org.actor(session, "admin"), period=MARCH,
                              dimension="province")  # fmt: skip
    assert frame.rows() == [
        ("广东", 2, 1, 50.0, 100.0, 50.0),  # c1 (dealt) and c7 in the pool
        ("上海", 1, 0, 25.0, 0.0, 0.0),
        ("北京", 1, 0, 25.0, 0.0, 0.0),  # c2, created on the 31st
    ]


def test_portrait_follows_the_viewers_scope_and_filters(mirror, org, session):
    boss = portrait.portrait(mirror, actor=org.actor(session, "manager"), period=MARCH,
                             dimension="industry")  # fmt: skip
    assert boss.select("value", "customers", "dealt_customers").rows() == [("金融", 2, 1)]
    south = Who(department_id=org.departments["south"].id)
    hidden = portrait.portrait(mirror, actor=org.actor(session, "manager"), period=MARCH,
                               dimension="level", who=south)  # fmt: skip
    assert hidden.is_empty()
    with pytest.raises(ValueError):
        portrait.portrait(mirror, actor=org.actor(session, "admin"), period=MARCH,
                          dimension="name; DROP TABLE customers")  # fmt: skip


def test_all_dimensions_at_once_match_each_dimension(mirror, org, session):
    actor = org.actor(session, "manager")
    every = portrait.portrait_all(mirror, actor=actor, period=MARCH)
    for dimension in portrait.DIMENSIONS:
        one = portrait.portrait(mirror, actor=actor, period=MARCH, dimension=dimension)
        mine = every.filter(every["dimension"] == dimension).drop("dimension")
        assert mine.equals(one), dimension
