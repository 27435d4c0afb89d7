"""The rest of a lived-in store: announcements, sales targets, favourites, saved views, login
history, numbering counters, a few small attachments and the demo marker."""

from __future__ import annotations

import datetime as dt
import json
import struct
import zlib

import numpy as np
from sqlalchemy import bindparam, update

from core.demo import texts
from core.demo.context import Ctx
from core.demo.gen import DAY, HOUR, MINUTE
from core.models import ApprovalRequestItem, CheckIn, Product


def announcements(ctx: Ctx) -> None:
    """One a month for two years; most for everyone, some for the sales department only."""
    rnd, org, w = ctx.rnd, ctx.org, ctx.writer
    n = 24
    created = (
        ctx.now - (np.arange(n)[::-1] * 30 + rnd.ints(0, 20, n)) * DAY - rnd.ints(0, 8, n) * HOUR
    )
    created = np.minimum(created, ctx.now - HOUR)
    rows = [texts.ANNOUNCEMENTS[i % len(texts.ANNOUNCEMENTS)] for i in range(n)]
    everyone = ~rnd.chance(0.25, n)
    ids = w.ids("announcements", n)
    author = np.where(rnd.chance(0.5, n), org.ids["admin"], org.ids["office"])
    w.append(
        "announcements",
        {
            "id": ids,
            "title": [r[1] for r in rows],
            "body": [r[2] for r in rows],
            "category": [r[0] for r in rows],
            "starts_on": created // DAY,
            "ends_on": np.where(rnd.chance(0.5, n), created // DAY + 30, 0),
            "is_for_everyone": everyone,
            "created_by_id": author,
            "created_at": created,
            "updated_at": created,
        },
    )
    sales_dept = org.sales_departments[0]
    targeted = np.flatnonzero(~everyone)
    w.append(
        "announcement_audience",
        {
            "id": w.ids("announcement_audience", len(targeted)),
            "announcement_id": ids[targeted],
            "department_id": np.full(len(targeted), sales_dept),
        },
    )
    sales_users = set(_department_users(ctx, sales_dept))
    read_a, read_u = [], []
    for i in range(n):
        audience = org.all_users if everyone[i] else np.array(sorted(sales_users))
        who = audience[rnd.chance(0.75, len(audience))]
        read_a.append(np.full(len(who), ids[i]))
        read_u.append(who)
    read_a, read_u = np.concatenate(read_a), np.concatenate(read_u)
    at = np.minimum(created[read_a - ids[0]] + rnd.ints(MINUTE, 5 * DAY, len(read_a)), ctx.now)
    w.append(
        "announcement_reads",
        {
            "id": w.ids("announcement_reads", len(read_a)),
            "announcement_id": read_a,
            "user_id": read_u,
            "read_at": at,
        },
    )


def _department_users(ctx: Ctx, department: int) -> list[int]:
    org = ctx.org
    tree, grew = {department}, True
    while grew:
        more = {d for d, p in org.department_parent.items() if p in tree} - tree
        grew = bool(more)
        tree |= more
    return [int(u) for u in org.all_users if int(org.department[u]) in tree]


def targets(ctx: Ctx) -> None:
    """Monthly contract / receivable targets per seller and per sales department (BI-7):
    near each seller's actual monthly average, so completion varies around 100 %."""
    rnd, org, w = ctx.rnd, ctx.org, ctx.writer
    year = dt.date.today().year
    months = [(y, m) for y in (year - 1, year) for m in range(1, 13)]
    average = ctx.owner_amount[org.sales] / 24  # cents per month
    base = np.maximum(np.round(average / 1_000_000), 1) * 10_000  # yuan, to the 10k
    members = np.array(
        [
            [int(u) in set(_department_users(ctx, d)) for u in org.sales]
            for d in org.sales_departments
        ]
    )
    rows = {"year": [], "month": [], "department_id": [], "user_id": [], "amount": []}
    for y, m in months:
        wobble = np.round(base * rnd.g.uniform(0.9, 1.3, len(base)), -3)
        totals = members @ wobble
        for key, values in (
            ("department_id", [*np.zeros(len(wobble), dtype=np.int64), *org.sales_departments]),
            ("user_id", [*org.sales, *np.zeros(len(totals), dtype=np.int64)]),
            ("amount", [*wobble, *totals]),
        ):
            rows[key].extend(values)
        rows["year"].extend([y] * (len(wobble) + len(totals)))
        rows["month"].extend([m] * (len(wobble) + len(totals)))
    count = len(rows["year"])
    amount = np.array(rows["amount"], dtype=np.float64)
    rows = {k: np.array(v, dtype=np.int64) for k, v in rows.items() if k != "amount"}
    rows["metric"] = np.concatenate([np.full(count, "contract"), np.full(count, "receivable")])
    rows = {k: (v if k == "metric" else np.concatenate([v, v])) for k, v in rows.items()}
    rows["amount"] = np.concatenate([amount, np.round(amount * 0.9, -3)])
    n = len(rows["year"])
    rows |= {"id": w.ids("sales_targets", n), "created_at": ctx.start, "updated_at": ctx.start}
    w.append("sales_targets", rows)


def favourites_and_views(ctx: Ctx) -> None:
    rnd, org, w = ctx.rnd, ctx.org, ctx.writer
    user, kind, subject = [], [], []
    for u in org.all_users:
        others = org.all_users[org.all_users != u]
        for mate in rnd.g.choice(
            others, size=min(len(others), int(rnd.g.integers(2, 6))), replace=False
        ):
            user.append(u), kind.append("user"), subject.append(mate)
        mine = ctx.user_customers.get(int(u), [])
        for cust in mine[: int(rnd.g.integers(0, 4))]:
            user.append(u), kind.append("customer"), subject.append(cust)
    n = len(user)
    w.append(
        "favourites",
        {
            "id": w.ids("favourites", n),
            "user_id": np.array(user, dtype=np.int64),
            "subject_type": kind,
            "subject_id": np.array(subject, dtype=np.int64),
            "created_at": rnd.between(ctx.start, ctx.now - HOUR, n),
        },
    )
    level = ctx.options["customer_level"][0]
    sellers = org.sales
    made = ctx.now - 30 * DAY
    w.append(
        "saved_views",
        {
            "id": w.ids("saved_views", len(sellers)),
            "user_id": sellers,
            "entity": "customer",
            "name": texts.SAVED_VIEW_NAMES[0],
            "filters": json.dumps({"level": [level]}, ensure_ascii=False),
            "created_at": made,
            "updated_at": made,
        },
    )


def login_history(ctx: Ctx) -> None:
    """A week of successful sign-ins for the demo accounts and one old typo."""
    names = ["admin", "manager", "sales1", "sales2", "office"]
    users = np.repeat(np.array(names), 5)
    at = ctx.rnd.between(ctx.now - 7 * DAY, ctx.now - HOUR, len(users))
    users = np.append(users, "sales2")
    at = np.append(at, ctx.now - 30 * DAY)
    ok = np.append(np.ones(len(users) - 1, dtype=bool), False)
    ctx.writer.append(
        "login_attempts",
        {
            "id": ctx.writer.ids("login_attempts", len(users)),
            "username": users,
            "attempted_at": at,
            "succeeded": ok,
        },
    )


def counters(ctx: Ctx) -> None:
    """Numbering counters that match the numbers issued (reset daily, period key YYYYMMDD)."""
    rules = ctx.refs["rules"]
    rule_id, key, value = [], [], []
    for prefix, entity in (("HT", "contract"), ("HK", "receivable")):
        seq = ctx.day_seq.get(prefix)
        if seq is None or entity not in rules:
            continue
        days = np.flatnonzero(seq)
        rule_id.append(np.full(len(days), rules[entity]))
        key.append(np.datetime_as_string(days.astype("datetime64[D]")).astype("U10"))
        value.append(seq[days])
    if not rule_id:
        return
    keys = np.char.replace(np.concatenate(key), "-", "")
    ctx.writer.append(
        "numbering_counters",
        {
            "id": ctx.writer.ids("numbering_counters", len(keys)),
            "rule_id": np.concatenate(rule_id),
            "period_key": keys,
            "value": np.concatenate(value),
        },
    )


def _png(rgb: tuple[int, int, int], size: int = 32) -> bytes:
    """A tiny solid-colour PNG, made here so the demo ships no binary files."""
    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


COLOURS = [
    (59, 130, 246),
    (16, 185, 129),
    (245, 158, 11),
    (239, 68, 68),
    (139, 92, 246),
    (6, 182, 212),
]


def attachments(ctx: Ctx) -> None:
    """A handful of small files: product images, check-in photos, a receipt, a task document."""
    w, org = ctx.writer, ctx.org
    admin = org.ids["admin"]
    products = ctx.products["id"][:6]
    checkins = ctx.refs.get("first_check_ins", [])[:3]
    receipt = ctx.refs.get("first_receipt_item")
    files = [
        ("product", int(p), f"product-{i + 1}.png", "image/png", _png(COLOURS[i]), admin)
        for i, p in enumerate(products)
    ]
    files += [
        ("check_in", int(c), "photo.png", "image/png", _png(COLOURS[i + 1]), admin)
        for i, c in enumerate(checkins)
    ]
    if receipt:
        files.append(
            ("approval_request", receipt[1], "发票.png", "image/png", _png(COLOURS[2]), admin)
        )
    files.append(
        (
            "task",
            ctx.refs.get("first_task", 1),
            "需求说明.txt",
            "text/plain",
            "客户需求说明（演示附件）".encode(),
            admin,
        )
    )
    ids = w.ids("attachments", len(files))
    w.append(
        "attachments",
        {
            "id": ids,
            "subject_type": [f[0] for f in files],
            "subject_id": np.array([f[1] for f in files]),
            "filename": [f[2] for f in files],
            "content_type": [f[3] for f in files],
            "size": np.array([len(f[4]) for f in files]),
            "data": [f[4] for f in files],
            "uploaded_by_id": np.array([f[5] for f in files]),
            "created_at": ctx.now - DAY,
            "updated_at": ctx.now - DAY,
        },
    )
    w.commit()
    links = {f[0]: [] for f in files}
    for file_id, f in zip(ids, files, strict=True):
        links[f[0]].append({"rid": f[1], "aid": int(file_id)})
    with w.engine.begin() as conn:
        for model, column, kind in (
            (Product, "image_id", "product"),
            (CheckIn, "photo_id", "check_in"),
        ):
            if links.get(kind):
                stmt = (
                    update(model)
                    .where(model.id == bindparam("rid"))
                    .values({column: bindparam("aid")})
                )
                conn.execute(stmt, links[kind])
        if receipt:
            stmt = update(ApprovalRequestItem).where(ApprovalRequestItem.id == receipt[0])
            conn.execute(stmt.values(receipt_id=int(ids[len(products) + len(checkins)])))
