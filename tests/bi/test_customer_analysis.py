"""Employee customer analysis (BI-1) on the March 2026 scenario."""

from __future__ import annotations

import pytest

from core.bi import customer_analysis as ca
from core.bi.periods import month
from core.bi.scope import Who
from tests.bi import scenario

MARCH = month(2026, 3)


@pytest.fixture
def mirror(session, org, make_mirror):
    scenario.add_activity(session, org, scenario.build(session, org))
    return make_mirror()


def test_each_employee_gets_customers_follow_ups_leads_pool_moves_and_deal_cycle(
    mirror, org, session
):
    frame = ca.by_employee(mirror, actor=org.actor(session, "admin"), period=MARCH)
    rows = {r["employee"]: r for r in frame.to_dicts()}
    s1 = rows["sales1"]
    assert (s1["new_customers"], s1["dealt_customers"], s1["deal_rate_pct"]) == (2, 1, 50.0)
    assert (s1["follow_ups"], s1["customers_followed"]) == (3, 2)
    assert (s1["new_leads"], s1["converted_leads"], s1["lead_conversion_pct"]) == (2, 1, 50.0)
    assert (s1["pool_released"], s1["pool_claimed"]) == (2, 1)
    assert s1["avg_deal_days"] is None  # c1's first contract was a year earlier
    assert rows["sales2"]["avg_deal_days"] == 1.0  # c4: created 28 Feb, first order 1 March
    assert rows["outsider"]["avg_deal_days"] == 0.0
    assert rows["office"]["new_customers"] == 0 and rows["office"]["deal_rate_pct"] is None


def test_a_rep_sees_only_his_own_row_and_a_foreign_department_nothing(mirror, org, session):
    rep = ca.by_employee(mirror, actor=org.actor(session, "sales2"), period=MARCH)
    assert rep["employee"].to_list() == ["sales2"]
    south = Who(department_id=org.departments["south"].id)
    assert ca.by_employee(mirror, actor=org.actor(session, "manager"), period=MARCH,
                          who=south).is_empty()  # fmt: skip


def test_follow_up_kinds_share_the_follow_ups(mirror, org, session):
    frame = ca.follow_up_kinds(mirror, actor=org.actor(session, "manager"), period=MARCH)
    assert frame.rows() == [("打电话", 2, 66.67), ("拜访", 1, 33.33)]


def test_deal_cycle_by_region_and_product(mirror, org, session):
    admin = org.actor(session, "admin")
    by_region = ca.deal_cycle(mirror, actor=admin, period=MARCH, by="province")
    assert by_region.select("label", "customers", "avg_deal_days").rows() == [
        ("上海", 1, 0.0),
        ("广东", 1, 1.0),
    ]
    by_product = ca.deal_cycle(mirror, actor=admin, period=MARCH, by="product")
    assert by_product.select("label", "customers", "avg_deal_days").rows() == [
        ("CRM 标准版", 1, 1.0),
        ("实施服务", 1, 0.0),
    ]


def test_customer_trend_buckets_days_of_the_month(mirror, org, session):
    frame = ca.trend(mirror, actor=org.actor(session, "sales1"), period=MARCH)
    assert [r for r in frame.rows() if r[1]] == [
        (MARCH.start, 1, 1),
        (MARCH.end, 1, 0),  # the last day of the month counts
    ]
