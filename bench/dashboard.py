"""Benchmark the dashboard page (CUS-1, issue 4: ≤ 1.5 s at scale M) and print figures: the time
AppTest takes to render pages/crm/dashboard.py — app.py with login state, the filters, every
card and chart, from the DuckDB mirror — for admin, manager and a sales rep (median of runs,
after one warm-up), plus the first build of the mirror.

    python bench/dashboard.py --url sqlite:////abs/demo-M.db   # reuse an M store
    python bench/dashboard.py                                  # generate M into a temp folder
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = "pages/crm/dashboard.py"


def store(url: str | None) -> str:
    """The given store, or an M store generated once into a temporary folder."""
    if url:
        return url
    folder = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    url = f"sqlite:///{folder / 'demo-M.db'}"
    print(f"generating scale M into {url} …", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "core.demo", "--scale", "M", "--url", url], check=True,
                   cwd=ROOT)  # fmt: skip
    print(f"generated in {time.perf_counter() - started:.0f} s")
    return url


def configure(url: str) -> Path:
    """Point the app at the store, with a mirror of this benchmark's own next to it."""
    folder = (
        Path(url.split("///", 1)[-1]).parent
        if url.startswith("sqlite")
        else Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    )
    mirror = folder / "bench-dashboard-mirror.duckdb"
    os.environ.update(CRM_DATABASE_URL=url, CRM_MIRROR_PATH=str(mirror), CRM_DEMO_DATA="off",
                      CRM_LOGIN_SLEEP_TIME="0", CRM_DATA_DIR=str(folder))  # fmt: skip
    return mirror


def build_mirror() -> float:
    from core.bi.mirror import get_mirror

    started = time.perf_counter()
    mirror = get_mirror()
    if not mirror.is_built:
        mirror.build()
    mirror.refresh()
    return time.perf_counter() - started


def rep_username() -> str:
    """A sales rep of the store (demo stores: sales1)."""
    from sqlalchemy import select

    from core.db import transaction
    from core.models import User

    with transaction() as s:
        names = set(s.scalars(select(User.username)))
    return "sales1" if "sales1" in names else sorted(names)[-1]


def render_seconds(username: str, runs: int) -> list[float]:
    """AppTest: log in (app.py once), then time opening the dashboard `runs` times."""
    from tests.pages.harness import app_as

    times = []
    for _ in range(runs + 1):  # the first opening warms Python imports and caches
        at = app_as(username)
        assert not at.exception, at.exception
        started = time.perf_counter()
        at.switch_page(str(ROOT / PAGE)).run()
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
        assert at.metric, "the dashboard showed no cards"
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="store URL (default: generate scale M)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = store(args.url)
    mirror = configure(url)
    print(f"store {url}\nmirror {mirror} (exists: {mirror.exists()})  cores: {os.cpu_count()}")
    print(f"mirror ready (first build or refresh): {build_mirror():.2f} s")
    for username in ("admin", "manager", rep_username()):
        times = render_seconds(username, args.runs)
        print(f"dashboard render via AppTest as {username:10s} median {statistics.median(times):.3f} s"
              f"  (min {min(times):.3f}, max {max(times):.3f}, {len(times)} runs)  target ≤ 1.5 s")  # fmt: skip


if __name__ == "__main__":
    main()
