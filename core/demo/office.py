"""Office data per employee (OFF-3…6): work logs, tasks with subtasks, meetings, announcements,
and comments on logs and tasks."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from core.demo import texts
from core.demo.context import Ctx
from core.demo.gen import DAY, HOUR, segments, strings, take


def _weekday(days: np.ndarray) -> np.ndarray:
    return (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0


def _grid(ctx: Ctx, users: np.ndarray, days: np.ndarray, p: float):
    hit = ctx.rnd.u(len(users) * len(days)).reshape(len(users), len(days)) < p
    u, d = np.nonzero(hit)
    return users[u], days[d]


def work_logs(ctx: Ctx) -> None:
    rnd, org, today = ctx.rnd, ctx.org, ctx.today
    staff = org.all_users[org.superior[org.all_users] > 0]
    days = np.arange(today - 120, today)
    days = days[_weekday(days) < 5]
    du, dd = _grid(ctx, staff, days, 0.6)
    weeks = np.arange(today - 364, today - 4)
    mondays = weeks[_weekday(weeks) == 0]
    wu, wd = _grid(ctx, org.sales, mondays, 0.5)
    months = np.arange(np.datetime64("today", "M") - 24, np.datetime64("today", "M"))
    firsts = months.astype("datetime64[D]").astype(np.int64)
    mu, md = _grid(ctx, org.heads[org.superior[org.heads] > 0], firsts, 0.8)
    user = np.concatenate([du, wu, mu])
    period = np.concatenate([dd, wd, md])
    kind = np.concatenate(
        [np.full(len(du), "daily"), np.full(len(wu), "weekly"), np.full(len(mu), "monthly")]
    )
    month_end = (md.astype("datetime64[D]").astype("datetime64[M]") + 1).astype("datetime64[D]")
    written_day = np.concatenate([dd, wd + 4, month_end.astype(np.int64) - 1])
    created = np.minimum(
        written_day * DAY + rnd.ints(17 * HOUR, 21 * HOUR, len(user)), ctx.now - HOUR
    )
    n = len(user)
    ids = ctx.writer.ids("work_logs", n)
    pick = lambda values: take(strings(values), rnd.index(len(values), n))  # noqa: E731
    ctx.writer.append(
        "work_logs",
        {
            "id": ids,
            "kind": kind,
            "period_date": period,
            "done": pick(texts.WORKLOG_DONE),
            "plan": pick(texts.WORKLOG_PLAN),
            "problems": pick(texts.WORKLOG_PROBLEMS),
            "owner_id": user,
            "created_by_id": user,
            "created_at": created,
            "updated_at": created,
        },
    )
    boss = org.superior[user]
    read = np.where(
        rnd.chance(0.8, n), np.minimum(created + rnd.ints(HOUR, 2 * DAY, n), ctx.now), 0
    )
    ctx.writer.append(
        "work_log_recipients",
        {
            "id": ctx.writer.ids("work_log_recipients", n),
            "work_log_id": ids,
            "user_id": boss,
            "read_at": read,
        },
    )
    _log_customers(ctx, ids, user, kind)
    commented = np.flatnonzero(rnd.chance(0.15, n) & (read > 0))
    comments(ctx, "work_log", ids[commented], boss[commented], read[commented])


def _log_customers(ctx: Ctx, ids, user, kind) -> None:
    rows_log, rows_customer = [], []
    rnd = ctx.rnd
    daily = np.flatnonzero((kind == "daily") & rnd.chance(0.4, len(ids)))
    for i in daily:
        mine = ctx.user_customers.get(int(user[i]))
        if mine:
            rows_log.append(ids[i])
            rows_customer.append(mine[int(rnd.g.integers(len(mine)))])
    ctx.writer.append(
        "work_log_customers",
        {
            "id": ctx.writer.ids("work_log_customers", len(rows_log)),
            "work_log_id": np.array(rows_log, dtype=np.int64),
            "customer_id": np.array(rows_customer, dtype=np.int64),
        },
    )


def comments(ctx: Ctx, subject: str, subject_ids, authors, at) -> None:
    n = len(subject_ids)
    ctx.writer.append(
        "comments",
        {
            "id": ctx.writer.ids("comments", n),
            "subject_type": subject,
            "subject_id": subject_ids,
            "body": take(strings(texts.COMMENTS), ctx.rnd.index(len(texts.COMMENTS), n)),
            "created_by_id": authors,
            "created_at": at,
            "updated_at": at,
        },
    )


def tasks(ctx: Ctx) -> None:
    """Tasks per employee (some for a customer), subtasks, participants / cc, comments."""
    rnd, org = ctx.rnd, ctx.org
    users = org.all_users
    owner = np.repeat(users, rnd.poisson(12, len(users)))
    n = len(owner)
    created = rnd.between(ctx.start, ctx.now - HOUR, n)
    sup = org.superior[owner]
    creator = np.where((sup > 0) & rnd.chance(0.6, n), sup, owner)
    due = created // DAY + rnd.ints(1, 14, n)
    customer = np.array(
        [_one_customer(ctx, int(u)) if rnd.g.random() < 0.3 else 0 for u in owner], dtype=np.int64
    )
    parent = _write_tasks(
        ctx, owner, creator, created, due, customer, np.zeros(n, dtype=np.int64), texts.TASK_TITLES
    )
    ctx.refs["first_task"] = int(parent["id"][0])
    with_subs = np.flatnonzero(rnd.chance(0.3, n))
    counts = rnd.ints(2, 4, len(with_subs))
    idx, _ = segments(counts)
    p = with_subs[idx]
    sub_created = np.minimum(created[p] + rnd.ints(0, DAY, len(p)), ctx.now - HOUR)
    sub_due = np.minimum(due[p], sub_created // DAY + rnd.ints(0, 7, len(p)))
    _write_tasks(
        ctx,
        owner[p],
        owner[p],
        sub_created,
        sub_due,
        customer[p],
        parent["id"][p],
        texts.SUBTASK_TITLES,
    )
    _members(ctx, parent["id"], owner, sup)
    talk = np.flatnonzero(rnd.chance(0.2, n) & (sup > 0))
    comments(ctx, "task", parent["id"][talk], sup[talk], np.minimum(created[talk] + HOUR, ctx.now))


def _one_customer(ctx: Ctx, user: int) -> int:
    mine = ctx.user_customers.get(user)
    return mine[int(ctx.rnd.g.integers(len(mine)))] if mine else 0


def _write_tasks(ctx, owner, creator, created, due, customer, parent_id, titles) -> dict:
    rnd, n = ctx.rnd, len(owner)
    done = (due < ctx.today - 1) & rnd.chance(0.9, n)
    finish_hi = np.minimum(due * DAY + 18 * HOUR, ctx.now - HOUR)
    completed = np.where(done, rnd.between(created, np.maximum(finish_hi, created), n), 0)
    ids = ctx.writer.ids("tasks", n)
    ctx.writer.append(
        "tasks",
        {
            "id": ids,
            "title": take(strings(titles), rnd.index(len(titles), n)),
            "parent_id": parent_id,
            "priority": rnd.pick(["high", "medium", "low", "none"], n, [15, 40, 25, 20]),
            "start_date": created // DAY,
            "due_date": due,
            "status": np.where(done, "done", "todo"),
            "completed_at": completed,
            "customer_id": customer,
            "owner_id": owner,
            "created_by_id": creator,
            "created_at": created,
            "updated_at": np.maximum(created, completed),
        },
    )
    return {"id": ids}


def _members(ctx: Ctx, task_ids, owner, sup) -> None:
    rnd = ctx.rnd
    mate = ctx.org.teammate(rnd, owner)
    part = np.flatnonzero((mate > 0) & rnd.chance(0.4, len(owner)))
    cc = np.flatnonzero((sup > 0) & rnd.chance(0.3, len(owner)))
    ctx.writer.append(
        "task_members",
        {
            "id": ctx.writer.ids("task_members", len(part) + len(cc)),
            "task_id": np.concatenate([task_ids[part], task_ids[cc]]),
            "user_id": np.concatenate([mate[part], sup[cc]]),
            "role": np.concatenate([np.full(len(part), "participant"), np.full(len(cc), "cc")]),
        },
    )


def meetings(ctx: Ctx) -> None:
    """A weekly meeting per department (twelve weeks back, two ahead) with its members."""
    org, rnd = ctx.org, ctx.rnd
    today = ctx.today
    mondays = np.arange(today - 84, today + 14)
    mondays = mondays[_weekday(mondays) == 0]
    rows, parts = [], []
    for dep, members in org.dept_members.items():
        head = members[0] if len(members) else 0
        heads = [h for h in org.heads if org.department[h] == dep]
        head = heads[0] if heads else head
        for day in mondays:
            rows.append((head, day))
            parts.append([m for m in members[:15] if m != head])
    n = len(rows)
    ids = ctx.writer.ids("events", n)
    owner = np.array([r[0] for r in rows], dtype=np.int64)
    start = np.array([r[1] for r in rows], dtype=np.int64) * DAY + 2 * HOUR  # 10:00 in China
    titles = strings(texts.INTERNAL_EVENT_TITLES)
    created = np.minimum(start - 5 * DAY, ctx.now - HOUR)
    ctx.writer.append(
        "events",
        {
            "id": ids,
            "title": take(titles, rnd.index(len(titles), n, [60, 10, 10, 10, 10])),
            "starts_at": start,
            "ends_at": start + HOUR,
            "kind": ctx.options["event_kind"][0],
            "colour": texts.COLOURS[4],
            "reminder_minutes": pa.array(np.full(n, 15)),
            "owner_id": owner,
            "created_by_id": owner,
            "created_at": created,
            "updated_at": created,
        },
    )
    event = np.concatenate([np.full(len(p), i) for i, p in zip(ids, parts, strict=True)])
    user = np.concatenate([np.array(p, dtype=np.int64) for p in parts])
    ctx.writer.append(
        "event_participants",
        {
            "id": ctx.writer.ids("event_participants", len(event)),
            "event_id": event,
            "user_id": user,
        },
    )
