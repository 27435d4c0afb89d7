"""Target completion (BI-7): monthly and yearly, per employee and per department."""

from __future__ import annotations

import pytest

from core.bi import targets
from core.bi.scope import Who
from tests.bi import data, scenario


@pytest.fixture
def mirror(session, org, make_mirror):
    scenario.build(session, org)
    u, d = org.users, org.departments
    data.target(session, 2026, 3, "2500.00", user=u["sales1"])
    data.target(session, 2026, 3, "1000.00", user=u["sales2"])
    data.target(session, 2026, 3, "5000.00", department=d["sales"])
    data.target(session, 2026, 3, "900.00", department=d["south"])
    data.target(session, 2026, 3, "300.00", user=u["sales1"], metric="receivable")
    session.commit()
    return make_mirror()


def test_monthly_completion_per_employee(mirror, org, session):
    frame = targets.monthly(mirror, actor=org.actor(session, "admin"), year=2026,
                            metric="contract")  # fmt: skip
    s1 = {r["month"]: r for r in frame.to_dicts() if r["name"] == "sales1"}
    assert len(s1) == 12
    assert (s1[3]["target"], s1[3]["actual"], s1[3]["completion_pct"]) == (2500.0, 1000.10, 40.0)
    assert (s1[4]["target"], s1[4]["actual"], s1[4]["completion_pct"]) == (0.0, 500.0, None)
    assert s1[2]["actual"] == 75.0


def test_yearly_completion_per_employee_in_the_managers_scope(mirror, org, session):
    frame = targets.yearly(mirror, actor=org.actor(session, "manager"), year=2026,
                           metric="contract")  # fmt: skip
    rows = {r["name"]: (r["target"], r["actual"], r["completion_pct"]) for r in frame.to_dicts()}
    assert rows == {
        "manager": (0.0, 0.0, None),
        "sales1": (2500.0, 1575.10, 63.0),  # 75.00 + 1000.10 + 500.00
        "sales2": (1000.0, 400.40, 40.04),
        "sales3": (0.0, 0.0, None),
    }


def test_receivable_targets_count_approved_receipts(mirror, org, session):
    frame = targets.yearly(mirror, actor=org.actor(session, "sales1"), year=2026,
                           metric="receivable")  # fmt: skip
    assert frame.rows() == [(org.users["sales1"].id, "sales1", 300.0, 600.0, 200.0)]


def test_departments_add_up_their_sub_departments(mirror, org, session):
    frame = targets.yearly(mirror, actor=org.actor(session, "admin"), year=2026,
                           metric="contract", by="department")  # fmt: skip
    rows = {r["name"]: (r["target"], r["actual"], r["completion_pct"]) for r in frame.to_dicts()}
    assert rows["销售部"] == (5000.0, 1975.50, 39.51)
    assert rows["华南销售部"] == (900.0, 999.99, 111.11)
    assert rows["总经办"] == (0.0, 2975.49, None)
    assert rows["行政部"] == (0.0, 0.0, None)


def test_a_manager_sees_his_departments_and_nothing_outside(mirror, org, session):
    boss = org.actor(session, "manager")
    frame = targets.yearly(mirror, actor=boss, year=2026, metric="contract", by="department")
    assert frame.select("name", "actual").rows() == [("销售部", 1975.50), ("销售二部", 0.0)]
    south = Who(department_id=org.departments["south"].id)
    assert targets.yearly(mirror, actor=boss, year=2026, metric="contract", by="department",
                          who=south).is_empty()  # fmt: skip
    assert targets.yearly(mirror, actor=boss, year=2026, metric="contract",
                          who=south).is_empty()  # fmt: skip
