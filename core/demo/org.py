"""The demo organisation: department tree (sales regions with teams), employees and roles."""

from __future__ import annotations

from dataclasses import dataclass

import bcrypt
import numpy as np
from sqlalchemy import bindparam, update

from core.demo import names
from core.demo.context import Ctx, Org
from core.demo.gen import DAY
from core.demo.regions import SALES_REGIONS
from core.models import Department

PASSWORD = "Demo@2026"
NUMERALS = "一二三四五六七八九十"

# username, display name, role, department key, position
FIXED = [
    ("admin", "周建国", "super_admin", "hq", "总经理"),
    ("manager", "王志强", "sales_manager", "sales", "销售总监"),
    ("sales1", "李娜", "sales_rep", "sales", "销售代表"),
    ("sales2", "张伟", "sales_rep", "sales", "销售代表"),
    ("office", "陈静", "office_staff", "admin", "行政主管"),
]
# department key, is head, position — filled in this order as the scale's staff allows.
STAFF = [
    ("finance", True, "财务经理"),
    ("hr", True, "人事经理"),
    ("market", True, "市场经理"),
    ("finance", False, "会计"),
    ("tech", True, "技术支持经理"),
    ("admin", False, "行政专员"),
    ("hr", False, "人事专员"),
    ("market", False, "市场专员"),
    ("tech", False, "售前工程师"),
    ("finance", False, "出纳"),
]
STAFF_CYCLE = [
    ("tech", "售前工程师"),
    ("market", "市场专员"),
    ("finance", "会计"),
    ("admin", "行政专员"),
]
DEPT_NAMES = {
    "hq": "总经办",
    "sales": "销售部",
    "market": "市场部",
    "finance": "财务部",
    "hr": "人事部",
    "admin": "行政部",
    "tech": "技术支持部",
}


@dataclass
class Person:
    username: str
    name: str
    role: str
    dept: str
    position: str
    superior: str | None = None
    region: int = -1
    weight: float = 0.0


def _region_name(i: int) -> str:
    return f"{SALES_REGIONS[i]}大区" if i < len(SALES_REGIONS) else "大客户部"


def _plan(ctx: Ctx) -> tuple[list[tuple[str, str, str | None]], list[Person], dict[str, str]]:
    """Departments (key, name, parent key), people, and department heads (key -> username)."""
    scale = ctx.scale
    depts = [("hq", "总经办", None), ("sales", "销售部", "hq")]
    heads = {"hq": "admin", "sales": "manager", "admin": "office"}
    people = [Person(u, n, r, d, p) for u, n, r, d, p in FIXED]
    people[1].superior, people[4].superior = "admin", "admin"
    people[1].weight = 0.1
    for p in people[2:4]:
        p.superior, p.weight = "manager", 1.0
    staff = [(d, h, pos) for d, h, pos in STAFF[: scale.staff]]
    staff += [(d, False, pos) for d, pos in STAFF_CYCLE] * max(0, scale.staff - len(STAFF))
    staff = staff[: scale.staff]
    teams = []
    for r in range(scale.regions):
        key = f"r{r}"
        depts.append((key, _region_name(r), "sales"))
        heads[key] = f"@{key}"
        people.append(Person(f"@{key}", "", "sales_manager", key, "大区经理", "manager", r, 0.2))
        for t in range(scale.teams):
            tkey = f"{key}t{t}"
            label = SALES_REGIONS[r] if r < len(SALES_REGIONS) else "大客户"
            depts.append((tkey, f"{label}{NUMERALS[t]}组", key))
            heads[tkey] = f"@{tkey}"
            people.append(Person(f"@{tkey}", "", "sales_manager", tkey, "销售主管", f"@{key}", r))
            people[-1].weight = 0.5
            teams.append((tkey, r))
    reps = scale.users - len(people) - len(staff)
    for i in range(reps):
        tkey, r = teams[i % len(teams)]
        position = "高级销售代表" if i % 5 == 0 else "销售代表"
        people.append(Person(f"@rep{i}", "", "sales_rep", tkey, position, f"@{tkey}", r, 1.0))
    used = {d for d, _, _ in staff} | {"admin"}
    for key in ("market", "finance", "hr", "admin", "tech"):
        if key in used:
            depts.append((key, DEPT_NAMES[key], "hq"))
    for i, (dkey, is_head, position) in enumerate(staff):
        person = Person(f"@staff{i}", "", "office_staff", dkey, position)
        person.superior = "admin" if is_head else heads.get(dkey, "admin")
        if is_head:
            heads[dkey] = person.username
        people.append(person)
    return depts, people, heads


def _name_people(ctx: Ctx, people: list[Person]) -> None:
    """Give generated employees Chinese names and pinyin usernames (unique)."""
    generated = [p for p in people if p.username.startswith("@")]
    made = ctx.people.make(ctx.rnd, len(generated))
    taken = {p.username for p in people if not p.username.startswith("@")}
    renamed = {}
    for person, name, py in zip(generated, made["name"], made["pinyin"], strict=True):
        base = py.as_py()
        username, k = base, 2
        while username in taken:
            username, k = f"{base}{k}", k + 1
        taken.add(username)
        renamed[person.username] = username
        person.username, person.name = username, name.as_py()
    for person in people:
        if person.superior in renamed:
            person.superior = renamed[person.superior]
    return renamed


def build_org(ctx: Ctx, roles: dict[str, int]) -> None:
    depts, people, heads = _plan(ctx)
    renamed = _name_people(ctx, people)
    heads = {k: renamed.get(v, v) for k, v in heads.items()}
    w = ctx.writer
    dept_ids = dict(zip([d[0] for d in depts], w.ids("departments", len(depts)), strict=True))
    user_ids = w.ids("users", len(people))
    uid = {p.username: int(i) for p, i in zip(people, user_ids, strict=True)}
    created = ctx.start - 60 * DAY
    w.append(
        "departments",
        {
            "id": np.array([dept_ids[k] for k, _, _ in depts]),
            "name": [n for _, n, _ in depts],
            "parent_id": np.array([dept_ids[p] if p else 0 for _, _, p in depts]),
            "sort_order": np.arange(len(depts)),
            "created_at": created,
            "updated_at": created,
        },
    )
    _write_users(ctx, people, user_ids, dept_ids, uid, roles)
    w.commit()
    with w.engine.begin() as conn:
        stmt = (
            update(Department)
            .where(Department.id == bindparam("dep"))
            .values(head_id=bindparam("head"))
        )
        conn.execute(stmt, [{"dep": int(dept_ids[k]), "head": uid[u]} for k, u in heads.items()])
    ctx.org = _org_arrays(people, user_ids, dept_ids, depts, heads, uid)


def _write_users(ctx, people, user_ids, dept_ids, uid, roles) -> None:
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt()).decode()
    n = len(people)
    mobiles = ctx.people.mobiles(ctx.rnd, n)
    joined = ctx.rnd.between(ctx.start - 400 * DAY, ctx.start - 30 * DAY, n)
    ctx.writer.append(
        "users",
        {
            "id": user_ids,
            "username": [p.username for p in people],
            "display_name": [p.name for p in people],
            "name_initials": [names.initials(p.name) for p in people],
            "email": [f"{p.username}@{names.COMPANY_EMAIL_DOMAIN}" for p in people],
            "mobile": mobiles,
            "position": [p.position for p in people],
            "department_id": np.array([dept_ids[p.dept] for p in people]),
            "superior_id": np.array([uid[p.superior] if p.superior else 0 for p in people]),
            "password_hash": hashed,
            "is_active": True,
            "is_demo": True,
            "password_changed_at": ctx.now - DAY,
            "created_at": joined,
            "updated_at": joined,
        },
    )
    ctx.writer.append(
        "user_roles",
        {"user_id": user_ids, "role_id": np.array([roles[p.role] for p in people])},
    )


def _org_arrays(people, user_ids, dept_ids, depts, heads, uid) -> Org:
    size = int(user_ids.max()) + 1
    superior = np.zeros(size, dtype=np.int64)
    department = np.zeros(size, dtype=np.int64)
    region = np.full(size, -1, dtype=np.int64)
    names_ = [""] * size
    for p, i in zip(people, user_ids, strict=True):
        superior[i] = uid[p.superior] if p.superior else 0
        department[i] = dept_ids[p.dept]
        region[i] = p.region
        names_[i] = p.name
    sales = [(int(i), p.weight) for p, i in zip(people, user_ids, strict=True) if p.weight > 0]
    members: dict[int, list[int]] = {}
    for p, i in zip(people, user_ids, strict=True):
        members.setdefault(dept_ids[p.dept], []).append(int(i))
    sales_keys = [k for k, _, _ in depts if k == "sales" or k.startswith("r")]
    staff_of = {p.dept: uid[p.username] for p in people if p.role == "office_staff"}
    ids = {u: uid[u] for u, *_ in FIXED}
    ids["finance"] = uid[heads.get("finance", "admin")]
    ids["hr"] = uid[heads.get("hr", "admin")]
    finance_staff = [uid[p.username] for p in people if p.dept == "finance"]
    ids["finance2"] = finance_staff[-1] if finance_staff else ids["admin"]
    ids["market"] = staff_of.get("market", ids["office"])
    return Org(
        superior=superior,
        department=department,
        region=region,
        names=names_,
        sales=np.array([s for s, _ in sales]),
        sales_weight=np.array([w for _, w in sales]),
        dept_members={d: np.array(sorted(m)) for d, m in members.items()},
        heads=np.array(sorted({uid[u] for u in heads.values()})),
        ids=ids,
        sales_departments=[int(dept_ids[k]) for k in sales_keys],
        department_parent={
            int(dept_ids[k]): (int(dept_ids[p]) if p else None) for k, _, p in depts
        },
        all_users=np.array(sorted(int(i) for i in user_ids)),
    )
