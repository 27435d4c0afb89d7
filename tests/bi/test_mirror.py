"""The analytic mirror follows the store: inserts, updates, soft deletes, purges, child rows,
late commits and concurrent readers (DESIGN.md §4)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

from sqlalchemy import delete, update

from core.bi import mirror as mirror_module
from core.bi.mirror import Mirror
from core.db import transaction
from core.models import ChangeLog, Contract, ContractLine, Customer, PoolRule
from core.types import utcnow
from tests.bi import data

DAY = dt.date(2026, 3, 10)


def _contracts(mirror) -> dict[int, float]:
    frame = mirror.query("SELECT id, CAST(amount AS DOUBLE) AS amount FROM ok_contracts")
    return dict(frame.iter_rows())


def _base(session, org):
    cust = data.customer(session, org.users["sales1"], DAY)
    con = data.contract(session, org.users["sales1"], cust, DAY, "100.50")
    session.commit()
    return cust, con


def test_first_build_copies_approved_contracts_with_exact_amounts(session, org, make_mirror):
    _, con = _base(session, org)
    mirror = make_mirror()
    assert mirror.is_built
    assert _contracts(mirror) == {con.id: 100.50}


def test_build_reports_progress_up_to_one(session, org, db_url, tmp_path):
    _base(session, org)
    seen = []
    mirror = Mirror(db_url, tmp_path / "m.duckdb")
    mirror.build(lambda fraction, table: seen.append((fraction, table)))
    mirror.close()
    assert seen[-1][0] == 1.0
    assert {"contracts", "follow_ups"} <= {table for _, table in seen}
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)


def test_refresh_picks_up_a_new_contract_and_an_edit(session, org, make_mirror):
    cust, con = _base(session, org)
    mirror = make_mirror()
    new = data.contract(session, org.users["sales2"], cust, DAY, "20.00")
    session.commit()
    assert mirror.refresh() is True
    assert _contracts(mirror) == {con.id: 100.50, new.id: 20.00}
    session.execute(update(Contract).where(Contract.id == con.id).values(amount=Decimal("7.25")))
    session.commit()
    mirror.refresh(force=True)
    assert _contracts(mirror) == {con.id: 7.25, new.id: 20.00}


def test_soft_deleted_and_unapproved_contracts_leave_the_counted_view(session, org, make_mirror):
    cust, con = _base(session, org)
    mirror = make_mirror()
    pending = data.contract(session, org.users["sales1"], cust, DAY, "5.00", status="pending")
    session.execute(update(Contract).where(Contract.id == con.id).values(deleted_at=utcnow()))
    session.commit()
    mirror.refresh(force=True)
    assert _contracts(mirror) == {}
    (raw,) = mirror.query("SELECT count(*) AS n FROM contracts")["n"]
    assert raw == 2  # the rows are mirrored; the view leaves them out
    assert pending.id in mirror.query("SELECT id FROM contracts")["id"].to_list()


def test_a_purge_logged_in_the_change_log_removes_the_row(session, org, make_mirror):
    cust, con = _base(session, org)
    mirror = make_mirror()
    session.execute(delete(Contract).where(Contract.id == con.id))
    session.add(ChangeLog(entity="contract", record_id=con.id, action="purge"))
    session.commit()
    mirror.refresh(force=True)
    assert mirror.query("SELECT count(*) AS n FROM contracts")["n"][0] == 0


def test_reconcile_removes_rows_purged_without_a_log_and_adds_missed_ones(
    session, org, make_mirror
):
    cust, con = _base(session, org)
    kept = data.contract(session, org.users["sales1"], cust, DAY, "6.00")
    session.commit()
    mirror = make_mirror()
    session.execute(delete(Contract).where(Contract.id == con.id))
    # A row whose watermark lies far behind (committed long after it was stamped).
    old = data.contract(session, org.users["sales1"], cust, DAY, "3.00")
    session.execute(
        update(Contract).where(Contract.id == old.id).values(updated_at=dt.datetime(2000, 1, 1))
    )
    session.commit()
    mirror.refresh(force=True)
    assert con.id in _contracts(mirror)  # not noticed by the incremental refresh
    assert mirror.reconcile() == {"contracts": 2}
    assert _contracts(mirror) == {kept.id: 6.00, old.id: 3.00}


def test_a_write_committed_while_a_refresh_runs_is_not_lost(
    session, org, make_mirror, db_url, monkeypatch
):
    cust, _ = _base(session, org)
    mirror = make_mirror()
    added = {}
    real_pull = mirror._puller.frame

    def pull_then_someone_commits(spec, query):
        frame = real_pull(spec, query)
        if spec.name == "contracts" and not added:
            with transaction(db_url) as other:
                added["id"] = data.contract(other, org.users["sales1"], cust, DAY, "9.99").id
        return frame

    data.contract(session, org.users["sales2"], cust, DAY, "1.00")
    session.commit()
    monkeypatch.setattr(mirror._puller, "frame", pull_then_someone_commits)
    mirror.refresh(force=True)
    assert added["id"] not in _contracts(mirror)  # committed after the pull
    mirror.refresh(force=True)
    assert _contracts(mirror)[added["id"]] == 9.99


def test_a_late_commit_stamped_before_the_newest_change_is_pulled_once_more(
    session, org, make_mirror
):
    cust, _ = _base(session, org)
    mirror = make_mirror(safety_seconds=1.0)
    time.sleep(1.2)
    mirror.refresh(force=True)  # settles: nothing pending any more
    newer = data.contract(session, org.users["sales1"], cust, DAY, "2.00")
    session.commit()
    mirror.refresh(force=True)
    # A transaction that started earlier commits now, stamped just before `newer`.
    late = data.contract(session, org.users["sales1"], cust, DAY, "4.00")
    stamp = session.get(Contract, newer.id).updated_at - dt.timedelta(milliseconds=300)
    session.execute(update(Contract).where(Contract.id == late.id).values(updated_at=stamp))
    session.commit()
    mirror.refresh(force=True)
    assert _contracts(mirror)[late.id] == 4.00


def test_refresh_is_throttled_until_this_process_writes(session, org, make_mirror, monkeypatch):
    cust, _ = _base(session, org)
    mirror = make_mirror(min_interval=60)
    mirror.refresh(force=True)
    probes = []
    real_probe = mirror_module.probe
    monkeypatch.setattr(
        mirror_module, "probe", lambda engine: probes.append(1) or real_probe(engine)
    )
    assert mirror.refresh() is False
    assert probes == []
    new = data.contract(session, org.users["sales1"], cust, DAY, "8.00")
    session.commit()  # the session hook marks the mirror dirty
    assert mirror.refresh() is True
    assert probes == [1]
    assert new.id in _contracts(mirror)


def test_contract_lines_removed_in_a_contract_edit_disappear(session, org, make_mirror):
    cust, con = _base(session, org)
    cat = data.category(session, "软件")
    prod = data.product(session, "CRM", cat)
    keep = data.line(session, con, prod, "1", "60.50")
    drop = data.line(session, con, prod, "2", "40.00")
    session.commit()
    mirror = make_mirror()
    session.execute(delete(ContractLine).where(ContractLine.id == drop.id))
    session.execute(update(Contract).where(Contract.id == con.id).values(amount=Decimal("60.50")))
    session.commit()
    mirror.refresh(force=True)
    assert mirror.query("SELECT id FROM contract_lines")["id"].to_list() == [keep.id]


def test_pool_rules_without_timestamps_follow_their_changes(session, org, make_mirror):
    from sqlalchemy import select

    from core.models import Pool

    pool = session.scalar(select(Pool))
    rule = PoolRule(pool_id=pool.id, customer_level="A", days_without_followup=30)
    session.add(rule)
    session.commit()
    mirror = make_mirror()
    session.execute(update(PoolRule).values(days_without_followup=15))
    session.add(PoolRule(pool_id=pool.id, customer_level="B", days_without_followup=60))
    session.commit()
    mirror.refresh(force=True)
    rules = mirror.query("SELECT customer_level, days_without_followup FROM pool_rules ORDER BY 1")
    assert rules.rows() == [("A", 15), ("B", 60)]


def test_a_reopened_mirror_file_keeps_its_data_and_catches_up(session, org, db_url, tmp_path):
    cust, con = _base(session, org)
    first = Mirror(db_url, tmp_path / "m.duckdb")
    first.build()
    first.close()
    new = data.contract(session, org.users["sales1"], cust, DAY, "1.25")
    session.commit()
    again = Mirror(db_url, tmp_path / "m.duckdb")
    try:
        assert again.is_built
        again.refresh()
        assert _contracts(again) == {con.id: 100.50, new.id: 1.25}
    finally:
        again.close()


def test_readers_on_many_threads_run_beside_refreshes(session, org, make_mirror):
    cust, _ = _base(session, org)
    mirror = make_mirror(min_interval=0)
    errors = []

    def read():
        try:
            for _ in range(30):
                mirror.query("SELECT count(*) AS n FROM ok_contracts, range(100)")
                mirror.refresh()
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(5):
        data.contract(session, org.users["sales1"], cust, DAY, "1.00")
        session.commit()
    for thread in threads:
        thread.join()
    mirror.refresh(force=True)
    assert errors == []
    assert len(_contracts(mirror)) == 6


def test_customer_updates_and_soft_deletes_reach_the_mirror(session, org, make_mirror):
    cust, _ = _base(session, org)
    mirror = make_mirror()
    session.execute(
        update(Customer).where(Customer.id == cust.id).values(level="A", deleted_at=utcnow())
    )
    session.commit()
    mirror.refresh(force=True)
    row = mirror.query("SELECT level, deleted_at IS NOT NULL AS gone FROM customers").row(0)
    assert row == ("A", True)
    assert mirror.query("SELECT count(*) AS n FROM live_customers")["n"][0] == 0


def test_big_copies_through_the_arrow_worker_keep_exact_types(session, org, db_url, tmp_path):
    cust, con = _base(session, org)
    data.contract(session, org.users["sales2"], cust, DAY, "0.29")
    data.trip(session, org.users["sales1"], DAY)
    data.trip(session, org.users["sales1"], DAY, status="pending")
    session.commit()
    mirror = Mirror(db_url, tmp_path / "m.duckdb")
    mirror._puller.small = 1  # every copy and delta goes through the worker process
    try:
        mirror.build()
        assert sorted(_contracts(mirror).values()) == [0.29, 100.50]
        new = data.contract(session, org.users["sales1"], cust, DAY, "12.34")
        data.contract(session, org.users["sales1"], cust, DAY, "0.01")
        session.commit()
        mirror.refresh(force=True)
        assert _contracts(mirror)[new.id] == 12.34
        row = mirror.query(
            "SELECT order_date, created_at, typeof(amount) AS t FROM contracts WHERE id = $id",
            id=con.id,
        ).row(0)
        # created_at arrives in business-local time (Asia/Shanghai: UTC+8)
        assert row == (DAY, data.at(DAY) + dt.timedelta(hours=8), "DECIMAL(14,2)")
        trips = mirror.query("SELECT status FROM approval_requests ORDER BY status")
        assert trips["status"].to_list() == ["approved", "pending"]
    finally:
        mirror.close()


def test_lines_follow_their_contracts_approval_and_purge(session, org, make_mirror):
    cust, _ = _base(session, org)
    prod = data.product(session, "CRM", data.category(session, "软件"))
    pending = data.contract(session, org.users["sales1"], cust, DAY, "50.00", status="pending")
    data.line(session, pending, prod, "5", "50.00")
    session.commit()
    mirror = make_mirror()
    counted = "SELECT CAST(coalesce(sum(quantity), 0) AS DOUBLE) AS q FROM ok_contract_lines"
    assert mirror.query(counted)["q"][0] == 0.0
    session.execute(
        update(Contract).where(Contract.id == pending.id).values(approval_status="approved")
    )
    session.commit()
    mirror.refresh(force=True)
    assert mirror.query(counted)["q"][0] == 5.0
    session.execute(delete(ContractLine).where(ContractLine.contract_id == pending.id))
    session.execute(delete(Contract).where(Contract.id == pending.id))
    session.add(ChangeLog(entity="contract", record_id=pending.id, action="purge"))
    session.commit()
    mirror.refresh(force=True)
    assert mirror.query("SELECT count(*) AS n FROM contract_lines")["n"][0] == 0


def test_refreshes_reconcile_in_the_background_now_and_then(session, org, make_mirror):
    cust, con = _base(session, org)
    kept = data.contract(session, org.users["sales1"], cust, DAY, "6.00")
    session.commit()
    mirror = make_mirror(reconcile_every=0)
    session.execute(delete(Contract).where(Contract.id == con.id))  # no purge log
    session.commit()
    mirror.refresh(force=True)
    for _ in range(100):
        if con.id not in _contracts(mirror):
            break
        time.sleep(0.05)
    assert _contracts(mirror) == {kept.id: 6.00}


def test_timestamps_count_on_the_business_day_not_the_utc_day(session, org, db_url, tmp_path):
    """A customer created at 20:00 UTC on 31 March is created at 04:00 on 1 April in Shanghai:
    reports count it in April, and "today" is the business date."""
    from core.bi import measures
    from core.bi.periods import month
    from core.bi.scope import EVERYONE

    late = data.customer(session, org.users["sales1"], dt.date(2026, 3, 31))
    late.created_at = dt.datetime(2026, 3, 31, 20, 0)
    early = data.customer(session, org.users["sales1"], dt.date(2026, 3, 31))
    early.created_at = dt.datetime(2026, 3, 31, 15, 59)  # 23:59 in Shanghai: still March
    session.commit()
    mirror = Mirror(db_url, tmp_path / "m.duckdb")
    try:
        mirror.build()
        admin = org.actor(session, "admin")

        def new_customers(period):
            return measures.total(mirror, "new_customers", actor=admin, period=period, who=EVERYONE)

        assert (new_customers(month(2026, 3)), new_customers(month(2026, 4))) == (1, 1)
        late.created_at = dt.datetime(2026, 4, 30, 16, 0)  # 1 May 00:00 in Shanghai
        session.commit()
        mirror.refresh(force=True)
        assert (new_customers(month(2026, 4)), new_customers(month(2026, 5))) == (0, 1)
    finally:
        mirror.close()
