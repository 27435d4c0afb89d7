"""Dashboard cards (CUS-1) with exact numbers on the March 2026 scenario (tests/bi/scenario.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.bi import dashboard, measures
from core.bi.periods import Period, custom, month
from core.bi.scope import Who
from core.models import Pool, PoolRule
from tests.bi import data, scenario
from tests.bi.scenario import TODAY

D = dt.date
MARCH = month(2026, 3)


@pytest.fixture
def world(session, org):
    return scenario.build(session, org)


def _cards(frame) -> dict[str, tuple]:
    return {m: (cur, prev, pct) for m, cur, prev, pct in frame.iter_rows()}


def test_briefing_counts_the_period_and_compares_with_the_month_before(
    world, org, session, make_mirror
):
    cards = _cards(dashboard.briefing(make_mirror(), actor=org.actor(session, "admin"),
                                      period=MARCH))  # fmt: skip
    assert cards["new_customers"] == (4, 1, 300.0)  # c1 c2(31st) c5 c7(pool); Feb: c4
    assert cards["contracts"] == (3, 1, 200.0)  # k1 (31st) k5 k6; not pending/rejected/deleted
    assert cards["contract_amount"] == (2400.49, 75.00, 3100.65)
    assert cards["receivable_amount"] == (1700.04, 0.0, None)  # r3 pending left out
    assert cards["new_contacts"] == (0, 0, None)
    assert list(cards) == list(dashboard.BRIEFING)


def test_briefing_shows_a_rep_only_his_own_and_a_manager_his_team(world, org, session, make_mirror):
    mirror = make_mirror()
    rep = _cards(dashboard.briefing(mirror, actor=org.actor(session, "sales1"), period=MARCH))
    assert rep["contract_amount"] == (1000.10, 75.00, 1233.47)
    assert rep["receivable_amount"][0] == 600.00
    assert rep["new_customers"][:2] == (2, 0)
    boss = _cards(dashboard.briefing(mirror, actor=org.actor(session, "manager"), period=MARCH))
    assert boss["contract_amount"][0] == 1400.50
    assert boss["receivable_amount"][0] == 700.05
    assert boss["new_customers"][:2] == (2, 1)


def test_a_department_filter_outside_the_scope_reveals_nothing(world, org, session, make_mirror):
    mirror = make_mirror()
    south = Who(department_id=org.departments["south"].id)
    boss = _cards(dashboard.briefing(mirror, actor=org.actor(session, "manager"), period=MARCH,
                                     who=south))  # fmt: skip
    assert {m: v[0] for m, v in boss.items()} == dict.fromkeys(dashboard.BRIEFING, 0)
    admin = _cards(dashboard.briefing(mirror, actor=org.actor(session, "admin"), period=MARCH,
                                      who=south))  # fmt: skip
    assert admin["contract_amount"][0] == 999.99


def test_a_card_opens_exactly_the_records_it_counts(world, org, session, make_mirror):
    mirror = make_mirror()
    ids = measures.ids(mirror, "contracts", actor=org.actor(session, "manager"), period=MARCH)
    assert ids == sorted([world.contracts["k1"].id, world.contracts["k5"].id])
    one = measures.ids(mirror, "contracts", actor=org.actor(session, "manager"), period=MARCH,
                       owner_id=org.users["outsider"].id)  # fmt: skip
    assert one == []


def test_buckets_are_days_inside_a_month_and_months_across_months(world, org, session, make_mirror):
    mirror = make_mirror()
    admin = org.actor(session, "admin")
    days = measures.by_bucket(mirror, "contract_amount", actor=admin, period=MARCH)
    assert days.height == 31
    assert {d.day: v for d, v in days.iter_rows() if v} == {1: 400.40, 10: 999.99, 31: 1000.10}
    months = measures.by_bucket(mirror, "contract_amount", actor=admin,
                                period=custom(D(2026, 3, 1), D(2026, 4, 30)))  # fmt: skip
    assert months.rows() == [(D(2026, 3, 1), 2400.49), (D(2026, 4, 1), 500.00)]


def _targets(session, org):
    data.target(session, 2026, 3, "2500.00", user=org.users["sales1"])
    data.target(session, 2026, 3, "1000.00", user=org.users["sales2"])
    data.target(session, 2026, 3, "5000.00", department=org.departments["sales"])
    data.target(session, 2026, 3, "850.00", user=org.users["sales1"], metric="receivable")
    session.commit()


def test_indicators_compare_amounts_with_targets(world, org, session, make_mirror):
    _targets(session, org)
    mirror = make_mirror()
    admin = dashboard.indicators(mirror, actor=org.actor(session, "admin"), period=MARCH)
    assert admin.rows() == [
        ("contract", 2400.49, 3500.00, 68.59),
        ("receivable", 1700.04, 850.00, 200.0),
    ]
    sales = Who(department_id=org.departments["sales"].id)
    boss = dashboard.indicators(mirror, actor=org.actor(session, "manager"), period=MARCH,
                                who=sales)  # fmt: skip
    assert boss.row(0) == ("contract", 1400.50, 5000.00, 28.01)  # the department's own target
    rep = dashboard.indicators(mirror, actor=org.actor(session, "sales1"), period=MARCH,
                               who=sales)  # fmt: skip
    assert rep.row(0) == ("contract", 1000.10, 2500.00, 40.0)  # not the department's


def test_a_partial_month_gets_its_share_of_the_monthly_target(world, org, session, make_mirror):
    _targets(session, org)
    week = Period(D(2026, 3, 9), D(2026, 3, 15))
    frame = dashboard.indicators(make_mirror(), actor=org.actor(session, "admin"), period=week)
    assert frame.row(0) == ("contract", 999.99, 790.32, 126.53)  # 3500 × 7/31


def test_funnel_counts_open_opportunities_per_stage_with_won_and_lost(org, session, make_mirror):
    u = org.users
    cust = data.customer(session, u["sales1"], D(2026, 3, 1))
    s1, s2, _s3, s4 = data.default_stages(session)
    data.opportunity(session, u["sales1"], cust, D(2026, 3, 5), "100.00", s1)
    data.opportunity(session, u["sales1"], cust, D(2026, 3, 6), "200.00", s2)
    data.opportunity(session, u["sales2"], cust, D(2026, 3, 7), "300.00", s2)
    data.opportunity(session, u["sales1"], cust, D(2026, 3, 8), "400.00", s4, status="won")
    data.opportunity(session, u["sales2"], cust, D(2026, 3, 9), "50.00", s1, status="lost")
    data.opportunity(session, u["outsider"], cust, D(2026, 3, 9), "1000.00", s1)
    data.opportunity(session, u["sales1"], cust, D(2026, 2, 20), "7.00", s1)
    session.commit()
    mirror = make_mirror()
    rows = dashboard.funnel(mirror, actor=org.actor(session, "admin"), period=MARCH)
    table = [(r["status"], r["stage"], r["opportunities"], r["amount"]) for r in rows.to_dicts()]
    assert table == [
        ("open", s1.name, 2, 1100.00), ("open", s2.name, 2, 500.00), ("open", _s3.name, 0, 0.0),
        ("open", s4.name, 0, 0.0), ("won", None, 1, 400.00), ("lost", None, 1, 50.00),
    ]  # fmt: skip
    boss = dashboard.funnel(mirror, actor=org.actor(session, "manager"), period=MARCH)
    assert boss["amount"].to_list() == [100.00, 500.00, 0.0, 0.0, 400.00, 50.00]


def test_trend_shows_twelve_months_of_amounts_against_targets(world, org, session, make_mirror):
    _targets(session, org)
    frame = dashboard.trend(make_mirror(), actor=org.actor(session, "admin"), today=TODAY)
    assert frame["month"].to_list()[0] == D(2025, 4, 1)
    assert frame.height == 12
    assert frame.row(11) == (D(2026, 3, 1), 2400.49, 1700.04, 3500.0, 850.0)
    assert frame.row(10) == (D(2026, 2, 1), 75.00, 0.0, 0.0, 0.0)


def test_forgotten_customers_are_counted_by_days_since_the_last_follow_up(
    org, session, make_mirror
):
    u = org.users
    data.customer(session, u["sales1"], D(2026, 3, 1))  # idle 14 days
    data.customer(session, u["sales2"], D(2026, 2, 28))  # idle 15 days
    data.customer(session, u["sales1"], D(2025, 1, 1), last_followup_at=data.at(D(2025, 9, 1)))
    data.customer(session, u["sales1"], D(2025, 1, 1), last_followup_at=data.at(D(2026, 3, 14)))
    data.customer(session, u["outsider"], D(2025, 1, 1))
    data.customer(session, None, D(2025, 1, 1))  # pool customers have nobody to forget them
    session.commit()
    mirror = make_mirror()
    boss = dashboard.forgotten(mirror, actor=org.actor(session, "manager"), today=TODAY)
    assert boss.rows() == [(7, 3), (15, 2), (30, 1), (90, 1), (180, 1)]
    admin = dashboard.forgotten(mirror, actor=org.actor(session, "admin"), today=TODAY)
    assert admin["customers"].to_list() == [4, 3, 2, 2, 2]
    ids = dashboard.forgotten_ids(mirror, actor=org.actor(session, "sales1"), days=15, today=TODAY)
    assert len(ids) == 1


def _todo_data(session, org, world):
    u = org.users
    pool = session.scalar(select(Pool).where(Pool.is_default))
    session.add(PoolRule(pool_id=pool.id, customer_level="", days_without_followup=30))
    ago = lambda days: data.at(TODAY - dt.timedelta(days=days))  # noqa: E731
    recent = {"last_followup_at": ago(1)}
    data.customer(session, u["sales1"], D(2025, 1, 1), next_contact_at=data.at(TODAY, 14), **recent)
    tomorrow = data.at(TODAY + dt.timedelta(days=1), 9)
    data.customer(session, u["sales1"], D(2025, 1, 1), next_contact_at=tomorrow, **recent)
    data.customer(session, u["sales1"], D(2025, 1, 1), last_followup_at=ago(28))  # returns in 2
    data.customer(session, u["sales1"], D(2025, 1, 1), last_followup_at=ago(20))
    data.customer(session, u["sales1"], D(2025, 1, 1), last_followup_at=ago(40), is_locked=True)
    data.customer(session, u["sales1"], D(2025, 1, 1), last_followup_at=ago(40), is_dealt=True)
    k1 = world.contracts["k1"]
    data.plan(session, u["sales1"], k1, TODAY + dt.timedelta(days=2), "10.00", remind_days=3)
    data.plan(session, u["sales1"], k1, TODAY + dt.timedelta(days=10), "10.00", remind_days=3)
    data.plan(session, u["sales1"], k1, TODAY - dt.timedelta(days=1), "10.00", status="done")
    data.contract(session, u["sales2"], world.customers["c4"], D(2026, 1, 1), "1.00",
                  end_date=TODAY + dt.timedelta(days=10))  # fmt: skip
    data.contract(session, u["sales2"], world.customers["c4"], D(2026, 1, 1), "1.00",
                  end_date=TODAY + dt.timedelta(days=40))  # fmt: skip
    session.commit()


def test_todo_card_counts_what_needs_doing_today(world, org, session, make_mirror):
    _todo_data(session, org, world)
    mirror = make_mirror()
    admin = dict(dashboard.todo(mirror, actor=org.actor(session, "admin"), today=TODAY).rows())
    assert admin == {
        "contact_today": 1, "about_to_return": 1, "contracts_pending": 1,
        "receivables_pending": 1, "plans_due": 1, "contracts_expiring": 1,
    }  # fmt: skip
    rep = dict(dashboard.todo(mirror, actor=org.actor(session, "sales1"), today=TODAY).rows())
    assert rep["contracts_pending"] == 0 and rep["contracts_expiring"] == 0
    assert rep["about_to_return"] == 1
    ids = dashboard.todo_ids(mirror, actor=org.actor(session, "admin"), item="contracts_pending",
                             today=TODAY)  # fmt: skip
    assert ids == [world.contracts["k3"].id]


def test_all_cards_at_once_equal_each_card(world, org, session, make_mirror):
    _targets(session, org)
    mirror = make_mirror()
    boss = org.actor(session, "manager")
    every = dashboard.cards(mirror, actor=boss, period=MARCH, today=TODAY)
    assert every["briefing"].equals(dashboard.briefing(mirror, actor=boss, period=MARCH))
    assert every["trend"].equals(dashboard.trend(mirror, actor=boss, today=TODAY))
    assert every["todo"].equals(dashboard.todo(mirror, actor=boss, today=TODAY))
    assert set(every) == {"briefing", "indicators", "funnel", "trend", "forgotten", "todo"}
