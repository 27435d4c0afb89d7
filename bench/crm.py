"""Benchmark customer management at scale (issue 3, "Speed at scale L") and print figures:

- first page of the customer list with a filter and sort, as the list page runs it (median);
- opening a customer detail with every tab's queries (median);
- global search, several queries (median);
- 查重 duplicate check of a new name, a new name with a phone, and an existing name (median);
- import of a 100,000-row customer file with duplicate checks against the stored customers;
- export of every customer to CSV, in a child process, with its peak memory growth.

Each figure is printed with the scale, the store, the machine's core count and load.

    python bench/crm.py --url sqlite:////abs/demo-L.db      # reuse a demo store (L: 1M customers)
    python bench/crm.py --scale M                             # build a demo store in /tmp first
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from core.db import session_factory  # noqa: E402

TARGETS_MS = {"list": 150, "detail": 300, "search": 300, "duplicates": 300}
LEVEL_A = "A（重点客户）"
SEARCHES = ("北京", "138", "HT20", "张", "上海华")


def median_ms(fn, runs: int) -> float:
    fn()  # warm the caches the way a second visit would
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


def actor_for(session, username: str):
    from core.models import User
    from core.permissions import load_actor

    return load_actor(session, session.scalar(select(User.id).where(User.username == username)))


def bench_list(session, actor, runs: int) -> dict[str, float]:
    """The customers page: owned customers, a filter on level, sorted, first page, counted."""
    from core.services import customers, records
    from core.ui.record_list import COUNT_LIMIT  # the page's own count limit

    clause = customers.owned_clause(actor)
    cases = {
        "level A, newest first": {"filters": {"level": [LEVEL_A]}, "sort": "-updated_at"},
        "level A, by name": {"filters": {"level": [LEVEL_A]}, "sort": "name"},
        "no filter, newest first": {"sort": "-updated_at"},
    }
    return {
        label: median_ms(
            lambda q=query: records.list_visible(
                session,
                actor=actor,
                spec=customers.CUSTOMER,
                where=[clause],
                count_limit=COUNT_LIMIT,
                **q,
            ),
            runs,
        )  # fmt: skip
        for label, query in cases.items()
    }


def _busy_customer(session, actor) -> int:
    """A customer in the actor's scope with many contracts (so every tab has rows)."""
    from core.models import Contract, Customer
    from core.permissions import scope_clause

    busiest = select(Contract.customer_id, func.count().label("n")).group_by(Contract.customer_id)
    busiest = busiest.order_by(func.count().desc()).limit(200).subquery()
    found = session.scalar(
        select(Customer.id)
        .join(busiest, busiest.c.customer_id == Customer.id)
        .where(scope_clause(actor, Customer, "crm.customer.view"))
        .order_by(busiest.c.n.desc())
        .limit(1)
    )
    if found is None:  # a rep's own customers are rarely among the busiest overall
        mine = (
            select(Contract.customer_id)
            .join(Customer, Customer.id == Contract.customer_id)
            .where(Customer.owner_id == actor.user_id)
            .group_by(Contract.customer_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        found = session.scalar(mine)
    return found


def detail_queries(session, actor, customer_id: int) -> None:
    """What the customer detail reads for its header and every tab (the page renders one tab at
    a time; this opens them all)."""
    from core.entities import get_spec
    from core.services import changelog, customers, records
    from core.services.lookups import Lookups

    customer = customers.get(session, actor=actor, customer_id=customer_id)
    customers.can_edit(session, actor, customer)
    Lookups.for_rows(session, customers.CUSTOMER, [customer])
    for name in ("contact", "opportunity", "contract", "receivable"):
        spec = get_spec(name)
        records.list_visible(
            session, actor=actor, spec=spec, where=[spec.model.customer_id == customer_id]
        )
    try:
        from core.services import followup_timeline

        followup_timeline.timeline(
            session, actor=actor, subject_type="customer", subject_id=customer_id, limit=20
        )
    except ImportError:
        pass
    from core.services import record_files

    record_files.listing(session, actor=actor, spec=customers.CUSTOMER, record_id=customer_id)
    team = getattr(customers, "team", None)
    if team is None:
        from core.services.customer_team import team
    team(session, actor=actor, customer_id=customer_id)
    changelog.history(session, entity="customer", record_id=customer_id)


def bench_detail(session, actor, runs: int) -> tuple[int, float]:
    import core.services.contacts  # noqa: F401 — register the tab specs
    import core.services.contracts  # noqa: F401
    import core.services.opportunities  # noqa: F401
    import core.services.receivables  # noqa: F401

    customer_id = _busy_customer(session, actor)
    return customer_id, median_ms(lambda: detail_queries(session, actor, customer_id), runs)


def bench_search(session, actor, runs: int) -> dict[str, float]:
    from core.services import search

    return {
        text: median_ms(lambda q=text: search.search(session, actor=actor, text=q), runs)
        for text in SEARCHES
    }


def bench_duplicates(session, actor, runs: int) -> dict[str, float]:
    """查重 as the new-customer form runs it while typing (find) — a name nobody has, the same
    with a phone, and the name of a stored customer."""
    from core.models import Customer
    from core.services import duplicates

    existing = session.scalar(select(Customer.name).order_by(Customer.id).offset(123_455).limit(1))
    cases = {
        "new name": ("星辰大海智能科技有限公司", ""),
        "new name + phone": ("星辰大海智能科技有限公司", "13912345678"),
        "existing name": (existing or "", ""),
    }
    return {
        label: median_ms(
            lambda n=name, p=phone: duplicates.find(session, actor=actor, name=n, phone=p), runs
        )
        for label, (name, phone) in cases.items()
    }


def import_file(session, rows: int, duplicates: float) -> bytes:
    """A customer file: `duplicates` of its rows repeat stored customers' names."""
    from core.io.templates import header
    from core.models import Customer, Role, User, UserRole
    from core.services.customers import CUSTOMER

    existing = session.scalars(
        select(Customer.name).where(Customer.deleted_at.is_(None)).limit(int(rows * duplicates))
    ).all()
    # Spread over the sales staff, as a real bulk import is: one owner would pass the cap on
    # customers owned (CUS-5) and have most rows refused.
    owners = session.scalars(
        select(User.username)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Role, Role.id == UserRole.role_id)
        .where(User.is_active.is_(True), Role.code == "sales_rep")
    ).all() or ["admin"]
    buffer = io.StringIO()
    out = csv.writer(buffer)
    columns = ("name", "level", "industry", "phone", "province", "city", "address", "owner_id")
    out.writerow([header(CUSTOMER.field(n)) for n in columns])
    for i in range(rows):
        name = existing[i] if i < len(existing) else f"基准导入测试客户{i:06d}有限公司"
        phone = f"0999-{1000_0000 + i}"  # no stored customer has it: duplicates are by name
        out.writerow([name, LEVEL_A, "制造业", phone, "上海市", "上海市", f"浦东新区测试路{i}号",
                      owners[i % len(owners)]])  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")


def bench_import(url: str, rows: int) -> dict:
    """Read, check (duplicates against every stored customer) and write the file in one
    transaction, as the import page does, then roll it back so the store can be reused (the
    final COMMIT of a SQLite WAL is a few milliseconds; deleting 100k customers afterwards would
    check every table that references customers, several without an index)."""
    from core.db import transaction
    from core.io import importer, reader, templates

    with transaction(url) as session:
        data = import_file(session, rows, duplicates=0.1)
    session = session_factory(url)()
    try:
        started = time.perf_counter()
        admin = actor_for(session, "admin")
        table = reader.read_table(data, "customers.csv")
        mapping = templates.auto_mapping(importer.RULES["customer"].spec, table.headers)
        plan = importer.prepare(session, actor=admin, entity="customer", table=table,
                                mapping=mapping)  # fmt: skip
        checked = time.perf_counter() - started
        result = importer.commit(session, actor=admin, plan=plan)
        session.flush()
        seconds = time.perf_counter() - started
    finally:
        session.rollback()
        session.close()
    return {
        "rows": rows, "errors": len(plan.errors), "created": result.created,
        "skipped": result.skipped, "check_s": checked, "total_s": seconds,
    }  # fmt: skip


def export_worker(url: str) -> None:
    """In a child process: stream every customer to a CSV file as admin, report the time and the
    peak resident memory above what the process held before the export."""
    import psutil

    from core.db import transaction
    from core.io import export
    from core.services import customers

    process, peak, running = psutil.Process(), [0], [True]

    def sample() -> None:  # the resident size every 20 ms while the export runs
        while running[0]:
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.02)

    with transaction(url) as session:
        admin = actor_for(session, "admin")
        session.scalar(select(func.count()).select_from(customers.CUSTOMER.model))
        base = process.memory_info().rss
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        size = lines = 0
        with tempfile.TemporaryFile() as out:
            for chunk in export.csv_chunks(session, actor=admin, spec=customers.CUSTOMER):
                out.write(chunk)
                size += len(chunk)
                lines += chunk.count(b"\r\n")
        seconds = time.perf_counter() - started
    running[0] = False
    sampler.join()
    print(json.dumps({"seconds": seconds, "rows": lines - 1, "mib": size / 2**20,
                      "growth_mib": max(0, peak[0] - base) / 2**20}))  # fmt: skip


def bench_export(url: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--export-worker", url],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def build_store(scale: str) -> str:
    path = Path(tempfile.gettempdir()) / f"bench-crm-{scale}.db"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "core.demo", "--scale", scale, "--url",
                        f"sqlite:///{path}"], check=True, cwd=ROOT)  # fmt: skip
    return f"sqlite:///{path}"


def report(url: str, args) -> None:
    from core.db import transaction, upgrade_schema
    from core.models import Customer, User

    upgrade_schema(url)  # the app does this on start (new indexes come with migrations)
    with transaction(url) as session:
        customers_n = session.scalar(select(func.count()).select_from(Customer))
        users_n = session.scalar(select(func.count()).select_from(User))
    scale = "L" if customers_n >= 900_000 else "M" if customers_n >= 90_000 else "S"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"scale {scale}: {customers_n:,} customers, {users_n:,} users · store {url.split(':')[0]}"
          f" · {os.cpu_count()} cores · load average {load}")  # fmt: skip
    with transaction(url) as session:
        for username in filter(None, args.users.split(",")):
            actor = actor_for(session, username)
            print(f"\n-- as {username} --")
            for label, ms in bench_list(session, actor, args.runs).items():
                print(f"customer list, {label:<24} {ms:8.1f} ms  (≤ 150 ms {verdict(ms, 150)})")
            cid, ms = bench_detail(session, actor, args.runs)
            print(
                f"customer detail #{cid}, all tabs     {ms:8.1f} ms  (≤ 300 ms {verdict(ms, 300)})"
            )
            times = bench_search(session, actor, args.runs)
            for text, ms in times.items():
                print(
                    f"global search {text!r:<18}      {ms:8.1f} ms  (≤ 300 ms {verdict(ms, 300)})"
                )
            for label, ms in bench_duplicates(session, actor, args.runs).items():
                print(f"duplicate check, {label:<21} {ms:8.1f} ms  (≤ 300 ms {verdict(ms, 300)})")
    if not args.skip_import:
        r = bench_import(url, args.import_rows)
        print(f"\nimport {r['rows']:,} customer rows (10% duplicates, skipped): checked in "
              f"{r['check_s']:.1f} s, written in {r['total_s']:.1f} s total, rolled back "
              f"({r['created']:,} created, {r['skipped']:,} skipped, {r['errors']} errors) "
              f"(≤ 30 s {verdict(r['total_s'], 30)})")  # fmt: skip
    if not args.skip_export:
        r = bench_export(url)
        print(f"export {r['rows']:,} customers to CSV ({r['mib']:.0f} MiB): {r['seconds']:.1f} s "
              f"(≤ 15 s {verdict(r['seconds'], 15)}), peak memory growth {r['growth_mib']:.0f} MiB"
              f" (≤ 500 MiB {verdict(r['growth_mib'], 500)})")  # fmt: skip
    print(
        f"\ncores {os.cpu_count()} · load average after: "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an existing demo store (default: build one at --scale)")
    parser.add_argument("--scale", default="L", type=str.upper)
    parser.add_argument("--runs", default=7, type=int)
    parser.add_argument("--users", default="manager,sales1,admin")
    parser.add_argument("--import-rows", default=100_000, type=int)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--export-worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_worker:
        export_worker(args.export_worker)
        return
    report(args.url or build_store(args.scale), args)


if __name__ == "__main__":
    main()
