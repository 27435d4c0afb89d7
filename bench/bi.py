"""Benchmark the BI read path (issue 4, DESIGN.md §4) and print figures:

- per report (the dashboard with all its cards, BI-1 … BI-7) the median time computed from the
  DuckDB mirror and the same figures computed by SQL directly in the SQLite store, in the same
  run on the same data, and the ratio — for each period asked for;
- mirror refresh with nothing changed, and right after one new contract;
- the first full build of the mirror; process RSS; scale and cores.

    python bench/bi.py --url sqlite:////abs/demo-L.db [--periods this_month,this_year]
    python bench/bi.py --scale M          # generates demo data into a temporary SQLite first
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from bench.bi_sqlite import REPORTS as SQLITE_REPORTS  # noqa: E402

COUNTED = ("users", "customers", "contacts", "opportunities", "contracts", "contract_lines",
           "receivables", "follow_ups", "sales_targets")  # fmt: skip


def rss_mib() -> float:
    return psutil.Process().memory_info().rss / 2**20


def median_ms(fn, runs: int) -> float:
    return timed(fn, runs)[0]


def timed(fn, runs: int) -> tuple[float, float]:
    """Median wall-clock ms and median CPU ms of this process (all threads) over `runs`: on a
    machine shared with other work the CPU time shows what contention adds to the wall time."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def mirror_reports(mirror, actor, period) -> dict:
    """The calls each BI page makes for its default view (the dashboard: every card)."""
    from core.bi import (
        customer_analysis,
        dashboard,
        funnel,
        performance,
        portrait,
        products,
        rankings,
        targets,
    )

    a, p = {"actor": actor}, {"actor": actor, "period": period}
    year = period.end.year
    return {
        "dashboard (CUS-1, all cards)": lambda: dashboard.cards(mirror, **p),
        "BI-1 employee customer analysis": lambda: customer_analysis.by_employee(mirror, **p),
        "BI-2 sales funnel": lambda: [
            funnel.by_stage(mirror, **p), funnel.conversion(mirror, **p),
            funnel.win_rate(mirror, **p),
        ],
        "BI-3 employee performance": lambda: [
            performance.by_employee(mirror, **p), performance.trend(mirror, **p)
        ],
        "BI-4 customer portrait": lambda: portrait.portrait_all(mirror, **p),
        "BI-5 product analysis": lambda: [
            products.by_product(mirror, **p), products.by_category(mirror, **p)
        ],
        "BI-6 rankings": lambda: [
            rankings.ranking(mirror, **p, metric=m)
            for m in ("contract_amount", "customers_followed")
        ],
        "BI-7 target completion": lambda: [
            targets.yearly(mirror, **a, year=year, metric="contract"),
            targets.yearly(mirror, **a, year=year, metric="contract", by="department"),
        ],
    }  # fmt: skip


def sqlite_params(period, today: dt.date) -> dict:
    from core.bi.periods import last_months

    iso = dt.date.isoformat
    previous, year_ago = period.previous(), period.year_ago()
    return {
        "s": iso(period.start), "e": iso(period.end_exclusive), "ps": iso(previous.start),
        "ys": iso(year_ago.start), "ye": iso(year_ago.end_exclusive),
        "t0": iso(last_months(12, today).start), "today": iso(today),
        "tomorrow": iso(today + dt.timedelta(days=1)), "soon": iso(today + dt.timedelta(days=30)),
        "year": period.end.year,
        "ym0": period.start.year * 100 + period.start.month,
        "ym1": period.end.year * 100 + period.end.month,
    }  # fmt: skip


def sqlite_runner(path: str, statements: list[str], params: dict):
    def run():
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for sql in statements:
                names = {k: v for k, v in params.items() if f":{k}" in sql}
                con.execute(sql, names).fetchall()
        finally:
            con.close()

    return run


def print_scale(path: str) -> None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    counts = {t: con.execute(f"SELECT max(id) FROM {t}").fetchone()[0] or 0 for t in COUNTED}
    con.close()
    print("scale (rows, by max id): " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()}   load average {load}   python {sys.version.split()[0]}")


def build(url: str, path: Path):
    from core.bi.mirror import Mirror

    for suffix in ("", ".wal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    mirror = Mirror(url, path, reconcile_every=None)  # timed on its own at the end
    started, shown = time.perf_counter(), [-1]

    def progress(fraction: float, table: str) -> None:
        if int(fraction * 10) != shown[0]:
            shown[0] = int(fraction * 10)
            print(f"  build {fraction:4.0%} {table} ({time.perf_counter() - started:.1f} s)",
                  file=sys.stderr)  # fmt: skip

    cpu = time.process_time()
    mirror.build(progress)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"first full build of the mirror: {seconds:.1f} s (cpu of this process {cpu:.1f} s, "
          f"plus the pull worker)   RSS after build {rss_mib():.0f} MiB")  # fmt: skip
    return mirror


def settle(mirror) -> None:
    """Wait out the safety window so no table is pending a re-pull."""
    mirror.refresh(force=True)
    time.sleep(mirror.safety.total_seconds() + 0.1)
    mirror.refresh(force=True)


def bench_refresh(mirror, url: str, runs: int) -> None:
    from sqlalchemy import select

    from core.db import transaction
    from core.models import Contract, Customer, User

    settle(mirror)
    idle, idle_cpu = timed(lambda: mirror.refresh(force=True), 25)
    with transaction(url) as s:
        owner = s.scalar(select(User.id).where(User.username == "sales1"))
        customer = s.scalar(select(Customer.id).where(Customer.owner_id == owner).limit(1))
    times, cpus = [], []
    for n in range(runs):
        with transaction(url) as s:
            s.add(Contract(number=f"BENCH-{time.time_ns()}-{n}", name="bench", owner_id=owner,
                           customer_id=customer, order_date=dt.date.today(), amount=1,
                           approval_status="approved"))  # fmt: skip
        wall, cpu = timed(lambda: mirror.refresh(force=True), 1)
        times.append(wall)
        cpus.append(cpu)
        settle(mirror)
    print(f"mirror refresh, nothing changed: median {idle:.2f} ms (cpu {idle_cpu:.2f}, 25 runs)")
    print(
        f"mirror refresh right after one new contract: median {statistics.median(times):.1f} ms"
        f" (cpu {statistics.median(cpus):.1f}; {runs} runs, {min(times):.1f}…{max(times):.1f})"
    )


def bench_reports(mirror, path: str, actor, periods: list[str], runs: int) -> None:
    from core.bi.periods import preset

    today = dt.date.today()
    for name in periods:
        period = preset(name, today)
        print(f"\nperiod {name} ({period.start} … {period.end}), viewer admin (scope: all)")
        print(f"{'report':34s} {'mirror ms':>10s} {'(cpu)':>7s} {'store SQL ms':>13s} "
              f"{'ratio':>7s}")  # fmt: skip
        params = sqlite_params(period, today)
        for report, fn in mirror_reports(mirror, actor, period).items():
            fn()  # warm
            ours, cpu = timed(fn, runs)
            baseline = sqlite_runner(path, SQLITE_REPORTS[report], params)
            theirs = median_ms(baseline, 1)
            if theirs < 2000:  # repeat the quick ones; seconds-long ones vary little
                theirs = median_ms(baseline, 3)
            print(f"{report:34s} {ours:10.1f} {cpu:7.1f} {theirs:13.1f} {theirs / ours:6.0f}×")


def generate(scale: str) -> str:
    folder = Path(tempfile.mkdtemp(prefix="bench-bi-"))
    path = folder / f"demo-{scale}.db"
    subprocess.run([sys.executable, "-m", "core.demo", "--scale", scale, "--url",
                    f"sqlite:///{path}"], check=True, cwd=ROOT)  # fmt: skip
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="SQLite store URL (sqlite:////abs/path.db)")
    parser.add_argument("--scale", help="generate demo data at this scale instead")
    parser.add_argument("--mirror", help="mirror file (default: next to the store)")
    parser.add_argument("--periods", default="this_month,this_year")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    url = args.url or generate(args.scale or "M")
    path = url.split("///", 1)[1]
    os.environ["CRM_DATABASE_URL"] = url
    print_scale(path)
    mirror = build(url, Path(args.mirror or f"{path}.bench-mirror.duckdb"))
    from sqlalchemy import select

    from core.db import session_factory
    from core.models import User
    from core.permissions import load_actor

    with session_factory(url)() as s:
        actor = load_actor(s, s.scalar(select(User.id).where(User.username == "admin")))
    bench_refresh(mirror, url, 5)
    bench_reports(mirror, path, actor, args.periods.split(","), args.runs)
    started = time.perf_counter()
    fixed = mirror.reconcile()
    print(
        f"\nreconciliation with the store (row count and id sum per table, repairs): "
        f"{time.perf_counter() - started:.1f} s, {sum(fixed.values())} rows repaired"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nprocess RSS now {rss_mib():.0f} MiB, peak {peak:.0f} MiB   load average {load}")
    mirror.close()


if __name__ == "__main__":
    main()
