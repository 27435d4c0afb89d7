"""`python -m core.demo --scale S|M|L [--seed N] [--url DBURL]` with a progress bar."""

from __future__ import annotations

import argparse
import sys

from core.config import get_settings
from core.demo import PASSWORD, SCALES, StoreNotEmpty, seed_demo
from core.i18n import t

BAR = 30


def _bar(fraction: float, message: str) -> None:
    filled = int(BAR * fraction)
    sys.stderr.write(f"\r[{'#' * filled}{'-' * (BAR - filled)}] {fraction:4.0%} {message}\033[K")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core.demo", description=t("demo.cli.description")
    )
    parser.add_argument("--scale", default="S", type=str.upper, choices=list(SCALES))
    parser.add_argument("--seed", default=2026, type=int)
    parser.add_argument("--url", default=None, help="database URL (default: CRM_DATABASE_URL)")
    args = parser.parse_args(argv)
    url = args.url or get_settings().database_url
    try:
        result = seed_demo(url=url, scale=args.scale, seed=args.seed, progress=_bar)
    except StoreNotEmpty as exc:
        sys.stderr.write("\n" + t(exc.key) + "\n")
        return 2
    sys.stderr.write("\n")
    rows = sum(result["rows"].values())
    print(
        t(
            "demo.cli.summary",
            scale=result["scale"],
            rows=f"{rows:,}",
            seconds=f"{result['seconds']:.1f}",
        )
    )
    print(t("demo.cli.accounts", password=PASSWORD))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
