"""Benchmark the demo-data generator (PLT-6): S and M (and L with --scale L) into fresh SQLite
files, each in its own process; prints rows per table, seconds, rows/s, peak RSS and cores.

    python bench/demo.py [--scale L] [--dir /tmp/demo-bench] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(scale: str, path: str) -> None:
    """Runs in the child: seed one scale, print one JSON line."""
    sys.path.insert(0, str(ROOT))
    from core.demo import seed_demo

    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    result = seed_demo(url=f"sqlite:///{path}", scale=scale)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = sum(Path(path + s).stat().st_size for s in ("", "-wal") if Path(path + s).exists())
    print(
        json.dumps(
            {"rows": result["rows"], "seconds": seconds, "peak_mib": peak_kib / 1024, "bytes": size}
        )
    )


def run(scale: str, directory: Path, keep: bool) -> dict:
    path = directory / f"demo-{scale}.db"
    out = subprocess.run(
        [sys.executable, __file__, "--worker", scale, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return result


def show(scale: str, r: dict) -> None:
    rows = r["rows"]
    total = sum(rows.values())
    print(f"\n== scale {scale} ==")
    for table, n in sorted(rows.items(), key=lambda kv: -kv[1]):
        print(f"  {table:28s}{n:>12,}")
    print(f"  {'TOTAL':28s}{total:>12,}")
    print(
        f"  seconds {r['seconds']:.1f} · rows/s {total / r['seconds']:,.0f} · "
        f"peak RSS {r['peak_mib']:,.0f} MiB · file {r['bytes'] / 2**20:,.0f} MiB · "
        f"cores {os.cpu_count()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["L"], help="also run the L scale (long)")
    parser.add_argument("--only", nargs="*", help="run just these scales, e.g. --only M")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database files")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    scales = args.only or ["S", "M"] + (["L"] if args.scale == "L" else [])
    directory = args.dir or Path(tempfile.mkdtemp(prefix="demo-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    for scale in scales:
        show(scale, run(scale, directory, args.keep))


if __name__ == "__main__":
    main()
