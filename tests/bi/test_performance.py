"""Employee performance (BI-3): month-on-month and year-on-year on the March 2026 scenario."""

from __future__ import annotations

import datetime as dt

import pytest

from core.bi import performance
from core.bi.periods import Period, month
from tests.bi import scenario

D = dt.date
MARCH = month(2026, 3)


@pytest.fixture
def mirror(session, org, make_mirror):
    scenario.add_activity(session, org, scenario.build(session, org))
    return make_mirror()


def test_monthly_trend_compares_with_the_month_before_and_the_year_before(mirror, org, session):
    quarter = Period(D(2026, 1, 1), D(2026, 3, 31))
    frame = performance.trend(mirror, actor=org.actor(session, "admin"), period=quarter)
    assert frame["bucket"].to_list() == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    march = frame.row(2, named=True)
    assert (march["contracts"], march["contracts_prev"], march["contracts_year_ago"]) == (3, 1, 1)
    assert march["contract_amount"] == 2400.49
    assert march["contract_amount_mom_pct"] == 3100.65  # vs 75.00 in February
    assert march["contract_amount_yoy_pct"] == 380.1  # vs 500.00 in March 2025
    assert march["receivable_amount"] == 1700.04
    assert march["receivable_amount_mom_pct"] is None
    assert frame.row(0, named=True)["contract_amount"] == 0.0


def test_daily_trend_compares_with_the_same_day_of_the_month_before(mirror, org, session):
    frame = performance.trend(mirror, actor=org.actor(session, "admin"), period=MARCH)
    assert frame.height == 31
    tenth = frame.row(9, named=True)
    assert tenth["contract_amount"] == 999.99
    assert tenth["contract_amount_prev"] == 75.00  # 10 February
    assert tenth["contract_amount_mom_pct"] == 1233.32
    assert tenth["contract_amount_year_ago"] == 500.00  # 10 March 2025
    assert tenth["contract_amount_yoy_pct"] == 100.0


def test_each_employee_is_compared_with_the_previous_and_year_old_period(mirror, org, session):
    frame = performance.by_employee(mirror, actor=org.actor(session, "manager"), period=MARCH)
    rows = {r["employee"]: r for r in frame.to_dicts()}
    assert set(rows) == {"manager", "sales1", "sales2", "sales3"}
    s1 = rows["sales1"]
    assert (s1["contracts"], s1["contract_amount"], s1["receivable_amount"]) == (1, 1000.10, 600.0)
    assert (s1["contract_amount_prev"], s1["contract_amount_mom_pct"]) == (75.00, 1233.47)
    assert (s1["contract_amount_year_ago"], s1["contract_amount_yoy_pct"]) == (500.00, 100.02)
    assert rows["sales2"]["receivable_amount"] == 100.05  # pending r3 left out
    assert rows["sales3"]["contract_amount_mom_pct"] is None
    assert frame["employee"].to_list()[0] == "sales1"
