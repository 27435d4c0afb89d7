"""Background jobs: the database lock, due checks, failures, the CLI and the pool recall job."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text

from core import jobs
from core.db import transaction
from core.jobs import Job
from core.models import Customer, Department, JobRun, PoolRule, User
from tests.services.pool_helpers import NOW, default_pool, owned

calls: list[str] = []


def counting_job(session, *, now):
    calls.append("ran")
    return {"count": len(calls)}


def failing_job(session, *, now):
    raise RuntimeError("boom")


def nested_job(session, *, now):
    """While it runs, a second runner tries the same job."""
    url = str(session.get_bind().url.render_as_string(hide_password=False))
    calls.append(jobs.run_job(url, jobs.get_job("nested"), now=now).status)
    return {}


COUNTING = Job("counting", f"{__name__}:counting_job", every=dt.timedelta(hours=1))
FAILING = Job("failing", f"{__name__}:failing_job", every=dt.timedelta(hours=1))
NESTED = Job("nested", f"{__name__}:nested_job", every=dt.timedelta(hours=1))


@pytest.fixture(autouse=True)
def test_jobs(monkeypatch, db_url):
    calls.clear()
    jobs.forget_checks()
    monkeypatch.setattr(jobs, "JOBS", [COUNTING, FAILING, NESTED, *jobs.JOBS])
    yield
    jobs.forget_checks()


def lock_row(db_url, name, **values):
    with transaction(db_url) as s:
        s.merge(JobRun(name=name, locked_by=values.pop("locked_by", "other"), **values))


def test_a_job_runs_and_its_run_is_recorded(db_url):
    outcome = jobs.run_job(db_url, COUNTING, now=NOW)
    assert (outcome.status, outcome.result, calls) == ("ran", {"count": 1}, ["ran"])
    with transaction(db_url) as s:
        row = s.get(JobRun, "counting")
        assert (row.last_run_at, row.locked_until, row.last_result) == (NOW, None, {"count": 1})


def test_a_second_runner_does_not_run_while_the_lock_is_held(db_url):
    lock_row(db_url, "counting", locked_until=NOW + dt.timedelta(minutes=5))
    assert jobs.run_job(db_url, COUNTING, now=NOW).status == "busy"
    assert calls == []


def test_the_same_job_started_while_it_runs_is_refused(db_url):
    assert jobs.run_job(db_url, NESTED, now=NOW).status == "ran"
    assert calls == ["busy"]


def test_an_expired_lock_of_a_crashed_runner_is_taken_over(db_url):
    lock_row(db_url, "counting", locked_until=NOW - dt.timedelta(seconds=1))
    assert jobs.run_job(db_url, COUNTING, now=NOW).status == "ran"


def test_two_runners_starting_at_once_run_the_job_once(db_url):
    barrier = threading.Barrier(2)
    outcomes = []

    def start():
        barrier.wait()
        outcomes.append(jobs.run_job(db_url, COUNTING, now=NOW, force=False).status)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert calls == ["ran"]
    assert sorted(outcomes) == ["not_due", "ran"]


def test_a_failing_job_releases_its_lock_and_records_the_error(db_url):
    with pytest.raises(RuntimeError):
        jobs.run_job(db_url, FAILING, now=NOW)
    with transaction(db_url) as s:
        row = s.get(JobRun, "failing")
        assert (row.locked_until, row.last_result) == (None, {"error": "RuntimeError"})
    later = NOW + dt.timedelta(hours=2)
    with pytest.raises(RuntimeError):
        jobs.run_job(db_url, FAILING, now=later)


def test_due_jobs_run_once_per_interval_and_checks_are_throttled(db_url, monkeypatch):
    monkeypatch.setattr(jobs, "JOBS", [COUNTING])
    first = jobs.maybe_run_due_jobs(db_url, background=False)
    assert [(o.job, o.status) for o in first] == [("counting", "ran")]
    assert jobs.maybe_run_due_jobs(db_url, background=False) == []  # throttled: no query at all
    jobs.forget_checks()
    assert jobs.maybe_run_due_jobs(db_url, background=False) == []  # looked, nothing due
    assert calls == ["ran"]
    assert jobs.due_jobs(db_url, now=jobs.utc_now() + dt.timedelta(hours=2)) == [COUNTING]


def test_a_failing_job_does_not_break_the_app_trigger(db_url, monkeypatch):
    monkeypatch.setattr(jobs, "JOBS", [FAILING, COUNTING])
    outcomes = jobs.maybe_run_due_jobs(db_url, background=False)
    assert [(o.job, o.status) for o in outcomes] == [("failing", "failed"), ("counting", "ran")]


def test_the_app_trigger_runs_due_jobs_in_the_background(db_url, monkeypatch):
    monkeypatch.setattr(jobs, "JOBS", [COUNTING])
    assert jobs.maybe_run_due_jobs(db_url) == []  # the page does not wait
    jobs.wait_for_background()
    assert calls == ["ran"]
    with transaction(db_url) as s:
        assert s.get(JobRun, "counting").last_result == {"count": 1}


def test_the_pool_recall_job_returns_overdue_customers_and_a_second_run_does_nothing(
    db_url, session, org
):
    pool = default_pool(session, org)
    session.add(PoolRule(pool_id=pool.id, customer_level="", days_without_followup=30))
    session.commit()
    customer = owned(session, org.users["sales1"], days_ago=40)
    recall = jobs.get_job("pool_recall")
    assert jobs.run_job(db_url, recall, now=NOW).result == {"recalled": 1}
    assert jobs.run_job(db_url, recall, now=NOW).result == {"recalled": 0}
    session.expire_all()
    assert session.scalar(select(Customer.owner_id).where(Customer.id == customer.id)) is None


def planner_row_counts(session) -> dict[str, int]:
    """Table → the row count its SQLite planner statistics (sqlite_stat1) record."""
    session.rollback()  # a fresh read sees what the job committed
    if not session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
        return {}
    query = text("SELECT tbl, max(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl")
    return dict(session.execute(query).all())


def test_the_planner_statistics_job_gathers_missing_sqlite_statistics_once(db_url, session, org):
    job = jobs.get_job("planner_statistics")
    assert job.every == dt.timedelta(hours=6)
    if not db_url.startswith("sqlite"):  # PostgreSQL: autovacuum analyzes, the job leaves it be
        assert jobs.run_job(db_url, job, now=NOW).result == {"skipped": "postgresql"}
        return
    users = session.scalar(select(func.count()).select_from(User))
    assert "users" not in planner_row_counts(session)
    analyzed = jobs.run_job(db_url, job, now=NOW).result["analyzed"]
    assert {"users", "departments"} <= set(analyzed) and "customers" not in analyzed  # empty
    assert planner_row_counts(session)["users"] == users
    assert jobs.run_job(db_url, job, now=NOW).result == {"analyzed": []}


def test_the_planner_statistics_job_refreshes_a_table_that_grew_tenfold(db_url, session, org):
    job = jobs.get_job("planner_statistics")
    if not db_url.startswith("sqlite"):
        assert jobs.run_job(db_url, job, now=NOW).result == {"skipped": "postgresql"}
        return
    jobs.run_job(db_url, job, now=NOW)
    before = planner_row_counts(session)["departments"]
    session.add_all(Department(name=f"分部{i}") for i in range(before * 10))
    session.commit()
    assert jobs.run_job(db_url, job, now=NOW).result == {"analyzed": ["departments"]}
    assert planner_row_counts(session)["departments"] == before * 11


def test_the_command_line_runs_the_named_job(db_url, capsys):
    assert jobs.main(["--job", "counting", "--url", db_url]) == 0
    assert capsys.readouterr().out.strip() == 'counting: ran {"count": 1}'
    assert jobs.main(["--job", "counting", "--url", db_url, "--due"]) == 0
    assert capsys.readouterr().out.strip() == "counting: not_due {}"
