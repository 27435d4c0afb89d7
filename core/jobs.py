"""Background jobs (DESIGN.md §1, §5): idempotent functions run under a database lock, so that
of several app instances on one store only one runs a job at a time.

A job is `function(session, *, now) -> dict` (JSON-able counts), run in one transaction. Add a
job with one line in JOBS. The app calls `maybe_run_due_jobs(url)` on each rerun: at most every
CHECK_EVERY seconds per process it reads the job_runs table (one primary-key scan) and runs what
is due in a background thread; `python -m core.jobs [--job NAME] [--due]` runs them from cron or
by hand."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.config import get_settings
from core.db import get_engine, is_sqlite, transaction
from core.models import JobRun

log = logging.getLogger(__name__)
HOURLY = dt.timedelta(hours=1)
CHECK_EVERY = 300.0  # seconds between two due checks of one process and store


@dataclass(frozen=True)
class Job:
    name: str
    target: str  # "package.module:function", imported when the job runs
    every: dt.timedelta
    lease: dt.timedelta = dt.timedelta(minutes=30)  # a crashed runner's lock expires after this

    def function(self) -> Callable[..., dict]:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)


# One line per job. Each must be idempotent: running it twice changes nothing the second time.
JOBS: list[Job] = [
    Job("pool_recall", "core.services.pool_recall:recall", every=HOURLY),  # CUS-5
    Job("overdue_plans", "core.services.receivables:overdue_plans_job", every=HOURLY),  # CUS-8
    Job("planner_statistics", "core.db:refresh_stale_statistics", every=6 * HOURLY),
]


def get_job(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)


@dataclass
class Outcome:
    job: str
    status: str  # ran / failed / busy (another runner holds the lock) / not_due
    result: dict = field(default_factory=dict)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _ensure_row(url: str, name: str) -> None:
    """The job's lock row, created once (a concurrent creator is not an error)."""
    dialect = sqlite if is_sqlite(get_engine(url)) else postgresql
    insert = dialect.insert(JobRun).values(name=name, locked_by="", last_result={})
    with transaction(url) as session:
        session.execute(insert.on_conflict_do_nothing(index_elements=["name"]))


def _acquire(url: str, job: Job, runner: str, now: dt.datetime, force: bool) -> bool:
    """Take the lock with one conditional UPDATE, committed at once: it succeeds for exactly one
    runner while the lock is free or expired (and, unless forced, the job is due)."""
    _ensure_row(url, job.name)
    free = or_(JobRun.locked_until.is_(None), JobRun.locked_until < now)
    conditions = [JobRun.name == job.name, free]
    if not force:
        conditions.append(or_(JobRun.last_run_at.is_(None), JobRun.last_run_at <= now - job.every))
    with transaction(url) as session:
        result = session.execute(
            update(JobRun).where(*conditions).values(locked_by=runner, locked_until=now + job.lease)
        )
        return result.rowcount == 1


def _release(url: str, job: Job, runner: str, now: dt.datetime, result: dict) -> None:
    """Free the lock and note the run, unless another runner took over an expired lock."""
    with transaction(url) as session:
        session.execute(
            update(JobRun)
            .where(JobRun.name == job.name, JobRun.locked_by == runner)
            .values(locked_by="", locked_until=None, last_run_at=now, last_result=result)
        )


def run_job(url: str, job: Job, *, now: dt.datetime | None = None, force: bool = True) -> Outcome:
    """Run `job` once if its lock can be taken (`force=False`: only when due). The job's own
    transaction commits or rolls back as a whole; the lock is released either way and a
    failure is recorded in job_runs.last_result and raised."""
    now = now or utc_now()
    runner = _runner_id()
    if not _acquire(url, job, runner, now, force):
        return Outcome(job.name, "busy" if force else "not_due")
    try:
        with transaction(url) as session:
            result = dict(job.function()(session, now=now) or {})
    except BaseException as exc:
        _release(url, job, runner, now, {"error": type(exc).__name__})
        raise
    _release(url, job, runner, now, result)
    return Outcome(job.name, "ran", result)


def due_jobs(url: str, *, now: dt.datetime | None = None) -> list[Job]:
    """Jobs whose last run is older than their interval and that nobody runs now (one query)."""
    now = now or utc_now()
    with transaction(url) as session:
        rows = {
            r.name: r
            for r in session.execute(
                select(JobRun.name, JobRun.last_run_at, JobRun.locked_until)
            ).all()
        }

    def is_due(job: Job) -> bool:
        row = rows.get(job.name)
        if row is None:
            return True
        free = row.locked_until is None or row.locked_until < now
        return free and (row.last_run_at is None or row.last_run_at <= now - job.every)

    return [job for job in JOBS if is_due(job)]


_checked: dict[str, float] = {}
_check_lock = threading.Lock()
_runner_lock = threading.Lock()  # one background runner per process
_runner: threading.Thread | None = None


def _run_due(url: str, due: list[Job]) -> list[Outcome]:
    outcomes = []
    for job in due:
        try:
            outcomes.append(run_job(url, job, force=False))
        except Exception:  # noqa: BLE001 — logged and recorded in job_runs; the page goes on
            log.exception("job %s failed", job.name)
            outcomes.append(Outcome(job.name, "failed"))
    return outcomes


def _run_in_background(url: str, due: list[Job]) -> None:
    try:
        _run_due(url, due)
    finally:
        _runner_lock.release()


def maybe_run_due_jobs(url: str | None = None, *, background: bool = True) -> list[Outcome]:
    """Called by the app on every rerun; does nothing (no query) unless CHECK_EVERY seconds
    passed since this process last looked at `url`, then one query finds what is due. Due jobs
    run in a background thread (the user's page does not wait; returns []), or inline with
    `background=False` (returns the outcomes). A failing job is logged, never raised."""
    global _runner
    url = url or get_settings().database_url
    with _check_lock:
        if time.monotonic() - _checked.get(url, -CHECK_EVERY) < CHECK_EVERY:
            return []
        _checked[url] = time.monotonic()
    due = due_jobs(url)
    if not due or not background:
        return _run_due(url, due)
    if _runner_lock.acquire(blocking=False):  # a run still going: the next check picks up
        _runner = threading.Thread(
            target=_run_in_background, args=(url, due), name="crm-jobs", daemon=True
        )
        _runner.start()
    return []


def wait_for_background(timeout: float = 60) -> None:
    """Tests and shutdown: wait until the background run (if any) is over."""
    if _runner is not None:
        _runner.join(timeout)


def forget_checks() -> None:
    """Tests: let the next maybe_run_due_jobs look again at once."""
    with _check_lock:
        _checked.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.jobs", description=__doc__)
    parser.add_argument("--job", choices=[j.name for j in JOBS], help="run only this job")
    parser.add_argument("--due", action="store_true", help="run only jobs that are due")
    parser.add_argument("--url", help="store URL (default: CRM_DATABASE_URL)")
    args = parser.parse_args(argv)
    url = args.url or get_settings().database_url
    failed = False
    for job in [get_job(args.job)] if args.job else JOBS:
        try:
            outcome = run_job(url, job, force=not args.due)
        except Exception as exc:  # noqa: BLE001 — reported, then the next job still runs
            outcome, failed = Outcome(job.name, "failed", {"error": repr(exc)}), True
        print(f"{outcome.job}: {outcome.status} {json.dumps(outcome.result, ensure_ascii=False)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
