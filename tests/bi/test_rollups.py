"""The pre-aggregated rollups stay exactly what a full recompute gives, whatever a refresh
brings: new rows, edits that move a row to another owner or month, approvals, soft deletes,
purges, contract lines replaced, stage history added."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import delete, select, update

from core.bi import derived, rollups
from core.models import (
    ChangeLog,
    Contract,
    ContractLine,
    Customer,
    FollowUp,
    Opportunity,
    Pool,
    PoolRule,
    Stage,
)
from core.types import utcnow
from tests.bi import data, scenario

D = dt.date


def _snapshot(mirror) -> dict[str, list]:
    tables = [r.name for r in rollups.ROLLUPS] + list(derived.KEYED)
    return {t: sorted(mirror.query(f"SELECT * FROM {t}").rows(), key=repr) for t in tables}


def _recomputed(mirror) -> dict[str, list]:
    cur = mirror.cursor()
    cur.execute("BEGIN")
    try:
        rollups.rebuild_all(cur)
        return _snapshot(mirror)
    finally:
        cur.execute("ROLLBACK")


def _change_everything(session, org, world) -> None:
    u, c, k = org.users, world.customers, world.contracts
    p = world.products
    data.contract(session, u["sales2"], c["c3"], D(2026, 4, 2), "77.70")
    session.execute(update(Contract).where(Contract.id == k["k1"].id)
                    .values(order_date=D(2026, 4, 30), owner_id=u["sales2"].id))  # fmt: skip
    session.execute(update(Contract).where(Contract.id == k["k3"].id)
                    .values(approval_status="approved"))  # fmt: skip
    session.execute(update(Contract).where(Contract.id == k["k5"].id).values(deleted_at=utcnow()))
    session.execute(delete(ContractLine).where(ContractLine.contract_id == k["k6"].id))
    data.line(session, k["k6"], p["B"], "4", "999.99")
    session.execute(
        update(Contract).where(Contract.id == k["k6"].id).values(amount=Decimal("999.99"))
    )
    session.execute(update(Customer).where(Customer.id == c["c2"].id)
                    .values(owner_id=u["sales2"].id, is_dealt=True))  # fmt: skip
    gone = data.follow_up(session, u["sales1"], c["c1"], D(2026, 3, 20))
    session.commit()
    session.execute(delete(FollowUp).where(FollowUp.id == gone.id))
    session.add(ChangeLog(entity="followup", record_id=gone.id, action="purge"))
    data.follow_up(session, u["sales2"], c["c1"], D(2026, 3, 21), kind="拜访")
    opp = data.opportunity(session, u["sales1"], c["c1"], D(2026, 3, 3), "10.00")
    stages = data.default_stages(session)
    data.stage_change(session, opp, stages[2], D(2026, 3, 4))
    session.execute(update(Opportunity).where(Opportunity.id == opp.id).values(status="won"))
    data.trip(session, u["sales2"], D(2026, 3, 9))
    data.plan(session, u["sales1"], k["k2"], D(2026, 4, 20), "10.00", remind_days=5)
    pool = session.scalar(select(Pool).where(Pool.is_default))
    session.add(PoolRule(pool_id=pool.id, customer_level="", days_without_followup=10))
    session.execute(update(Stage).where(Stage.id == stages[3].id).values(position=9))
    session.commit()


def test_incremental_rollups_equal_a_full_recompute(session, org, make_mirror):
    world = scenario.add_activity(session, org, scenario.build(session, org))
    mirror = make_mirror()
    before = _snapshot(mirror)
    _change_everything(session, org, world)
    mirror.refresh(force=True)
    after = _snapshot(mirror)
    assert after != before
    assert after == _recomputed(mirror)


def test_rollups_hold_the_scenarios_month(session, org, make_mirror):
    scenario.add_activity(session, org, scenario.build(session, org))
    mirror = make_mirror()
    rows = mirror.query(
        "SELECT CAST(sum(amount) AS DOUBLE) AS a, CAST(sum(n) AS BIGINT) AS n FROM roll_contracts"
        " WHERE start = DATE '2026-03-01'"
    )
    assert rows.row(0) == (2400.49, 3)
    followed = mirror.query(
        "SELECT grain, CAST(sum(customers) AS BIGINT) AS n FROM roll_followed"
        " WHERE start IN (DATE '2026-03-01', DATE '2026-01-01') GROUP BY grain ORDER BY grain"
    )
    assert followed.rows() == [("month", 2), ("quarter", 2), ("year", 2)]


def _every_report(mirror, actor, period):
    from core.bi import customer_analysis as ca
    from core.bi import dashboard, funnel, performance, products, rankings, targets

    p = {"actor": actor, "period": period}
    return [
        dashboard.briefing(mirror, **p), dashboard.indicators(mirror, **p),
        dashboard.funnel(mirror, **p), ca.by_employee(mirror, **p), ca.follow_up_kinds(mirror, **p),
        ca.trend(mirror, **p), funnel.by_stage(mirror, **p), funnel.win_rate(mirror, **p),
        performance.by_employee(mirror, **p), performance.trend(mirror, **p),
        products.by_product(mirror, **p), products.by_category(mirror, **p),
        *(rankings.ranking(mirror, **p, metric=m) for m in rankings.METRICS),
        targets.yearly(mirror, actor=actor, year=period.end.year, metric="contract"),
    ]  # fmt: skip


def test_reports_give_the_same_figures_from_rollups_and_from_rows(session, org, make_mirror,
                                                                 monkeypatch):  # fmt: skip
    from core.bi import measures
    from core.bi.periods import Period, month, year

    world = scenario.add_activity(session, org, scenario.build(session, org))
    mirror = make_mirror()
    _change_everything(session, org, world)
    mirror.refresh(force=True)
    periods = [month(2026, 3), Period(D(2026, 1, 1), D(2026, 3, 31)), year(2026),
               Period(D(2026, 3, 1), D(2026, 4, 30))]  # fmt: skip
    for who in ("admin", "manager", "sales1"):
        actor = org.actor(session, who)
        for period in periods:
            rolled = _every_report(mirror, actor, period)
            monkeypatch.setattr(measures, "USE_ROLLUPS", False)
            rows = _every_report(mirror, actor, period)
            monkeypatch.setattr(measures, "USE_ROLLUPS", True)
            for a, b in zip(rolled, rows, strict=True):
                assert a.equals(b), (who, period, a, b)
