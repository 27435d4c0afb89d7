"""Sales funnel analysis (BI-2): stages, weighted amounts, stage conversion, win rate."""

from __future__ import annotations

import datetime as dt

import pytest

from core.bi import funnel
from core.bi.periods import month
from tests.bi import data

D = dt.date
MARCH = month(2026, 3)


@pytest.fixture
def mirror(session, org, make_mirror):
    u = org.users
    cust = data.customer(session, u["sales1"], D(2026, 3, 1))
    s1, s2, s3, s4 = data.default_stages(session)
    data.opportunity(session, u["sales1"], cust, D(2026, 3, 5), "100.00", s1)
    o2 = data.opportunity(session, u["sales1"], cust, D(2026, 3, 6), "200.00", s2)
    data.stage_change(session, o2, s2, D(2026, 3, 7), from_=s1)
    data.opportunity(session, u["sales2"], cust, D(2026, 3, 7), "300.00", s2)
    data.opportunity(session, u["sales1"], cust, D(2026, 3, 8), "400.00", s4, status="won")
    lost = data.opportunity(session, u["sales2"], cust, D(2026, 3, 9), "50.00", s1, status="lost")
    data.stage_change(session, lost, s3, D(2026, 3, 10))  # got to s3 before it was lost
    data.opportunity(session, u["outsider"], cust, D(2026, 3, 9), "1000.00", s1)
    data.opportunity(session, u["sales1"], cust, D(2026, 4, 1), "9.00", s1)  # April
    session.commit()
    return make_mirror()


def test_open_opportunities_per_stage_with_weighted_amounts(mirror, org, session):
    frame = funnel.by_stage(mirror, actor=org.actor(session, "admin"), period=MARCH)
    rows = frame.select("position", "win_probability", "opportunities", "amount",
                        "weighted_amount").rows()  # fmt: skip
    assert rows == [(1, 10, 2, 1100.00, 110.00), (2, 30, 2, 500.00, 150.00),
                    (3, 50, 0, 0.0, 0.0), (4, 80, 0, 0.0, 0.0)]  # fmt: skip


def test_stage_conversion_counts_every_stage_an_opportunity_reached(mirror, org, session):
    frame = funnel.conversion(mirror, actor=org.actor(session, "admin"), period=MARCH)
    assert frame.select("position", "reached", "conversion_pct").rows() == [
        (1, 6, 66.67),
        (2, 4, 50.0),  # o2, o3, the won one, the lost one (history reached s3)
        (3, 2, 50.0),
        (4, 1, 100.0),
        (funnel.WON, 1, None),
    ]


def test_win_rate_counts_won_against_closed(mirror, org, session):
    admin = funnel.win_rate(mirror, actor=org.actor(session, "admin"), period=MARCH)
    assert admin.row(0) == (6, 4, 1, 1, 50.0, 400.00, 50.00)
    rep = funnel.win_rate(mirror, actor=org.actor(session, "sales2"), period=MARCH)
    assert rep.row(0) == (2, 1, 0, 1, 0.0, 0.0, 50.00)


def test_new_opportunities_per_day_inside_the_month(mirror, org, session):
    frame = funnel.new_by_bucket(mirror, actor=org.actor(session, "manager"), period=MARCH)
    assert frame.height == 31
    assert [r for r in frame.rows() if r[1]] == [
        (D(2026, 3, 5), 1, 100.00), (D(2026, 3, 6), 1, 200.00), (D(2026, 3, 7), 1, 300.00),
        (D(2026, 3, 8), 1, 400.00), (D(2026, 3, 9), 1, 50.00),
    ]  # fmt: skip
