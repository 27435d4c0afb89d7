"""Filter pickers and click-through records (core/bi/people.py, drilldown.py, record_rows.py)
on the March 2026 scenario: nobody outside the viewer's scope is listed or opened."""

from __future__ import annotations

import datetime as dt

import pytest

from core.bi import drilldown, people, record_rows
from core.bi.periods import Period, month
from core.bi.scope import Who
from core.types import utcnow
from tests.bi import data, scenario

D = dt.date
MARCH = month(2026, 3)
KEYS = ("customer", "contract")


@pytest.fixture
def world(session, org):
    w = scenario.add_activity(session, org, scenario.build(session, org))
    u, c = org.users, w.customers
    s1, s2, *_ = data.default_stages(session)
    w.opps = {
        "o1": data.opportunity(session, u["sales1"], c["c1"], D(2026, 3, 5), "100.00", s1),
        "o2": data.opportunity(session, u["sales2"], c["c4"], D(2026, 3, 6), "200.00", s2),
        "o3": data.opportunity(session, u["outsider"], c["c5"], D(2026, 3, 7), "300.00", s1),
        "won": data.opportunity(session, u["sales1"], c["c1"], D(2026, 3, 8), "50.00", s2,
                                status="won"),
    }  # fmt: skip
    session.commit()
    return w


def _names(frame) -> list[str]:
    return frame["name"].to_list()


def test_a_manager_picks_only_his_department_tree_and_its_people(world, org, session, make_mirror):
    mirror, boss = make_mirror(), org.actor(session, "manager")
    assert _names(people.departments(mirror, actor=boss, keys=KEYS)) == ["销售部", "销售二部"]
    assert people.departments(mirror, actor=boss, keys=KEYS)["depth"].to_list() == [0, 1]
    assert set(_names(people.employees(mirror, actor=boss, keys=KEYS))) == {
        "manager", "sales1", "sales2", "sales3"
    }  # fmt: skip
    sub = people.employees(mirror, actor=boss, keys=KEYS,
                           department_id=org.departments["sales_2"].id)  # fmt: skip
    assert _names(sub) == ["sales3"]
    outside = people.employees(mirror, actor=boss, keys=KEYS,
                               department_id=org.departments["south"].id)  # fmt: skip
    assert outside.is_empty()


def test_a_rep_picks_only_himself_and_an_admin_everyone(world, org, session, make_mirror):
    mirror = make_mirror()
    rep = org.actor(session, "sales1")
    assert _names(people.employees(mirror, actor=rep, keys=KEYS)) == ["sales1"]
    assert _names(people.departments(mirror, actor=rep, keys=KEYS)) == ["销售部"]
    admin = org.actor(session, "admin")
    listed = people.departments(mirror, actor=admin, keys=KEYS)
    assert listed.rows()[0] == (org.departments["hq"].id, "总经办", 0)
    assert set(_names(listed)) == {"总经办", "销售部", "销售二部", "华南销售部", "行政部"}
    assert len(people.employees(mirror, actor=admin, keys=KEYS)) == 7


def test_funnel_rows_open_the_opportunities_of_that_stage_in_scope(
    world, org, session, make_mirror
):
    mirror, o = make_mirror(), world.opps
    s1 = data.default_stages(session)[0]
    admin, boss = org.actor(session, "admin"), org.actor(session, "manager")
    open_s1 = drilldown.funnel_ids(mirror, actor=admin, period=MARCH, status="open",
                                   stage_id=s1.id)  # fmt: skip
    assert open_s1 == [o["o1"].id, o["o3"].id]
    assert drilldown.funnel_ids(mirror, actor=boss, period=MARCH, status="open",
                                stage_id=s1.id) == [o["o1"].id]  # fmt: skip
    assert drilldown.funnel_ids(mirror, actor=boss, period=MARCH, status="won") == [o["won"].id]


def test_product_and_category_rows_open_their_approved_contracts(world, org, session, make_mirror):
    mirror, k, p = make_mirror(), world.contracts, world.products
    admin = org.actor(session, "admin")
    by_product = drilldown.product_contract_ids(mirror, actor=admin, period=MARCH,
                                                product_id=p["A"].id)  # fmt: skip
    assert by_product == sorted([k["k1"].id, k["k5"].id])  # pending k3 left out
    uncategorised = drilldown.product_contract_ids(mirror, actor=admin, period=MARCH,
                                                   category_id=None, any_category=False)  # fmt: skip
    assert uncategorised == [k["k6"].id]
    rep = drilldown.product_contract_ids(mirror, actor=org.actor(session, "sales2"), period=MARCH,
                                         product_id=p["A"].id)  # fmt: skip
    assert rep == [k["k5"].id]


def test_portrait_and_follow_up_kind_rows_open_customers_and_follow_ups(
    world, org, session, make_mirror
):
    mirror, c = make_mirror(), world.customers
    admin = org.actor(session, "admin")
    guangdong = drilldown.portrait_ids(mirror, actor=admin, period=MARCH, dimension="province",
                                       value="广东")  # fmt: skip
    assert guangdong == sorted([c["c1"].id, c["c7"].id])  # c3 is April, c4 February
    dealt = drilldown.portrait_ids(mirror, actor=admin, period=MARCH, dimension="province",
                                   value="广东", dealt_only=True)  # fmt: skip
    assert dealt == [c["c1"].id]
    visits = drilldown.follow_up_kind_ids(mirror, actor=admin, period=MARCH, kind="拜访")
    assert len(visits) == 1
    nobody = drilldown.follow_up_kind_ids(mirror, actor=org.actor(session, "sales2"),
                                          period=MARCH, kind="打电话")  # fmt: skip
    assert nobody == []
    south = Who(department_id=org.departments["south"].id)
    assert drilldown.portrait_ids(mirror, actor=org.actor(session, "manager"), period=MARCH,
                                  dimension="province", value="上海", who=south) == []  # fmt: skip


def test_buckets_become_periods_clipped_to_the_report():
    assert drilldown.bucket_period(MARCH, D(2026, 3, 7)) == Period(D(2026, 3, 7), D(2026, 3, 7))
    spring = Period(D(2026, 3, 10), D(2026, 5, 20))
    assert drilldown.bucket_period(spring, D(2026, 3, 1)).start == D(2026, 3, 10)
    assert drilldown.bucket_period(spring, D(2026, 5, 1)).end == D(2026, 5, 20)
    assert drilldown.bucket_period(spring, D(2026, 4, 1)).days == 30


def test_record_rows_keep_the_order_and_drop_what_the_viewer_may_not_see(world, org, session):
    k = world.contracts
    ids = [k["k6"].id, k["k5"].id, k["k1"].id]
    admin = record_rows.rows(session, actor=org.actor(session, "admin"), kind="contract", ids=ids)
    assert admin["id"].to_list() == ids
    assert admin.columns == list(record_rows.COLUMNS["contract"])
    assert admin.row(0, named=True)["owner"] == "outsider"
    rep = record_rows.rows(session, actor=org.actor(session, "sales2"), kind="contract", ids=ids)
    assert rep["id"].to_list() == [k["k5"].id]
    assert rep.row(0, named=True)["customer"] == world.customers["c4"].name
    k["k5"].deleted_at = utcnow()
    session.commit()
    gone = record_rows.rows(session, actor=org.actor(session, "sales2"), kind="contract", ids=ids)
    assert gone.is_empty()


@pytest.mark.parametrize("kind", sorted(record_rows.KINDS))
def test_every_record_kind_can_be_listed(world, org, session, kind):
    frame = record_rows.rows(session, actor=org.actor(session, "admin"), kind=kind, ids=[1, 2])
    assert frame.columns == list(record_rows.COLUMNS[kind])
    limited = record_rows.rows(session, actor=org.actor(session, "admin"), kind=kind,
                               ids=[1, 2], limit=1)  # fmt: skip
    assert len(limited) <= 1
