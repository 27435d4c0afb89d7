"""Demo data at any scale (PLT-6): `seed_demo(url=…, scale="S")` or `python -m core.demo`.

Vectorised generation (numpy / Arrow) in chunks of customers, bulk-ingested through ADBC into
the schema Alembic created; S (≈25 users, 2k customers) is what the app seeds on first start."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from sqlalchemy import func, select

from core.db import transaction, upgrade_schema
from core.demo import chunks, extras, office, requests, setup
from core.demo.context import SCALES, Ctx
from core.demo.gen import Random, now_us
from core.demo.org import PASSWORD, build_org
from core.demo.places import Places
from core.demo.regions import CITIES
from core.demo.writer import Writer
from core.errors import DomainError
from core.i18n import t
from core.models import AppSetting, JobRun, User

__all__ = ["PASSWORD", "SCALES", "StoreNotEmpty", "seed_demo"]

LEADS_PER_CUSTOMER = 0.35  # leads never converted, besides the converted third of customers


class StoreNotEmpty(DomainError):
    """Demo data goes only into a store without users, so it never mixes with real data."""

    key = "demo.error.store_not_empty"


def seed_demo(
    *,
    url: str,
    scale: str = "S",
    seed: int = 2026,
    progress: Callable[[float, str], None] | None = None,
) -> dict:
    """Create the schema, reference data and a whole demo company at `scale` (XS/S/M/L).

    Refuses a store that already has users. Returns {"scale", "rows": {table: n}, "seconds"}."""
    scale = scale.upper()
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    report = progress or (lambda fraction, message: None)
    started = time.perf_counter()
    report(0.0, t("demo.progress.schema"))
    upgrade_schema(url)
    with transaction(url) as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise StoreNotEmpty()
    writer = Writer(url)
    ctx = Ctx(
        url=url, scale=SCALES[scale], rnd=Random(seed), writer=writer, now=now_us(), progress=report
    )
    try:
        _generate(ctx)
        writer.close(
            lambda i, n, table: report(0.93 + 0.07 * i / n, t("demo.progress.indexes", table=table))
        )
    except BaseException:
        writer.abort()
        raise
    seconds = time.perf_counter() - started
    rows = dict(sorted(writer.rows.items()))
    with transaction(url) as session:
        session.merge(AppSetting(key="demo_data", value=scale))
        session.merge(
            JobRun(name="demo_data", last_result={"scale": scale, "seconds": round(seconds, 1)})
        )
    report(1.0, t("demo.progress.done"))
    return {"scale": scale, "rows": rows, "seconds": seconds}


def _generate(ctx: Ctx) -> None:
    report = ctx.progress
    report(0.01, t("demo.progress.organisation"))
    roles = setup.reference(ctx)
    build_org(ctx, roles)
    setup.pools(ctx)
    setup.flows(ctx)
    setup.products(ctx)
    ctx.city_seq = np.zeros(len(CITIES), dtype=np.int64)
    ctx.owner_amount = np.zeros(len(ctx.org.superior), dtype=np.int64)
    places = Places(ctx.options["industry"])
    ctx.refs["places"] = places
    total, size = ctx.scale.customers, ctx.scale.chunk
    for done in range(0, total, size):
        report(0.03 + 0.72 * done / total, t("demo.progress.customers", done=done, total=total))
        chunks.customer_chunk(ctx, places, min(size, total - done))
    leads = int(total * LEADS_PER_CUSTOMER)
    for done in range(0, leads, size * 2):
        report(0.75 + 0.07 * done / leads, t("demo.progress.leads", done=done, total=leads))
        chunks.lead_chunk(ctx, places, min(size * 2, leads - done))
    report(0.83, t("demo.progress.office"))
    office.work_logs(ctx)
    office.tasks(ctx)
    office.meetings(ctx)
    requests.office_requests(ctx)
    extras.announcements(ctx)
    extras.targets(ctx)
    extras.favourites_and_views(ctx)
    extras.login_history(ctx)
    extras.counters(ctx)
    extras.attachments(ctx)
