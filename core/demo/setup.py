"""Configuration the demo builds on: reference data, stage groups, pool rules, approval flows,
and the product catalogue. Small tables, written through the ORM."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from core.db import transaction
from core.demo import catalogue
from core.demo.context import RECALL_DAYS, Ctx, Flow, Step
from core.demo.gen import DAY, to_datetime
from core.models import (
    ApprovalCategory,
    ApprovalFlow,
    ApprovalStep,
    NumberingRule,
    OptionItem,
    Pool,
    PoolMember,
    PoolRule,
    Product,
    ProductCategory,
    Role,
    Stage,
    StageGroup,
)
from core.seed import seed_reference_data

PROJECT_STAGES = [
    ("线索确认", 5),
    ("需求调研", 20),
    ("方案设计", 40),
    ("招投标", 60),
    ("商务谈判", 80),
    ("合同审核", 90),
]


def reference(ctx: Ctx) -> dict[str, int]:
    """Seed reference data; remember option lists and ids. Returns role ids by code."""
    with transaction(ctx.url) as s:
        seed_reference_data(s)
        if s.scalar(select(StageGroup.id).where(StageGroup.name == "项目型销售流程")) is None:
            group = StageGroup(name="项目型销售流程", is_default=False)
            s.add(group)
            s.flush()
            for pos, (name, prob) in enumerate(PROJECT_STAGES, start=1):
                s.add(Stage(group_id=group.id, name=name, position=pos, win_probability=prob))
    with transaction(ctx.url) as s:
        for item in s.scalars(select(OptionItem).order_by(OptionItem.sort_order)):
            if item.is_active:
                ctx.options.setdefault(item.list_name, []).append(item.value)
        groups = []
        for group in s.scalars(select(StageGroup).order_by(~StageGroup.is_default, StageGroup.id)):
            stages = s.scalars(
                select(Stage.id).where(Stage.group_id == group.id).order_by(Stage.position)
            ).all()
            groups.append((group.id, list(stages)))
        ctx.refs["stage_groups"] = groups
        ctx.refs["pool"] = s.scalar(select(Pool.id).where(Pool.is_default.is_(True)))
        ctx.refs["rules"] = {r.entity: r.id for r in s.scalars(select(NumberingRule))}
        ctx.refs["categories"] = {c.code: c.id for c in s.scalars(select(ApprovalCategory))}
        return {r.code: r.id for r in s.scalars(select(Role))}


def pools(ctx: Ctx) -> None:
    """Every seller is a member of the default pool; managers administer it (CUS-5)."""
    org = ctx.org
    levels = ctx.options.get("customer_level", [])
    with transaction(ctx.url) as s:
        pool = s.get(Pool, ctx.refs["pool"])
        pool.daily_claim_limit, pool.reclaim_cooldown_days = 20, 7
        pool.owned_customer_limit = max(200, ctx.scale.customers // len(org.sales) * 3)
        has_rules = s.scalar(select(PoolRule.id).where(PoolRule.pool_id == pool.id).limit(1))
        for i, level in enumerate([] if has_rules else levels):
            days = RECALL_DAYS.get(i, 60)
            s.add(PoolRule(pool_id=pool.id, customer_level=level, days_without_followup=days))
        managers = set(org.heads.tolist())
        for user in org.sales:
            s.add(PoolMember(pool_id=pool.id, user_id=int(user), is_admin=int(user) in managers))


def flows(ctx: Ctx) -> None:
    """One flow per approval category, covering every approver kind and both modes (OFF-7)."""
    ids = ctx.org.ids
    fin, fin2, hr, admin = ids["finance"], ids["finance2"], ids["hr"], ids["admin"]
    plans = {
        "general": ([("chosen", "any", [])], [ids["office"]]),
        "leave": ([("superior", "any", []), ("users", "any", [hr])], [hr]),
        "trip": ([("superior", "any", [])], [fin]),
        "overtime": ([("superior", "any", [])], [hr]),
        "reimbursement": ([("superior", "any", []), ("users", "any", sorted({fin, fin2}))], [fin]),
        "loan": ([("superior", "any", []), ("users", "all", sorted({fin, admin}))], [hr]),
        "contract": ([("superior", "any", []), ("users", "any", [fin])], [fin2]),
        "receivable": ([("users", "any", sorted({fin, fin2}))], [ids["manager"]]),
    }
    with transaction(ctx.url) as s:
        for code, category_id in ctx.refs["categories"].items():
            existing = s.scalar(
                select(ApprovalFlow).where(
                    ApprovalFlow.category_id == category_id, ApprovalFlow.is_active.is_(True)
                )
            )
            if existing is not None:  # configured before the demo: use it as it is
                ctx.flows[code] = _loaded(s, existing, code)
                continue
            steps, cc = plans.get(code, ([("superior", "any", [])], []))
            flow = ApprovalFlow(category_id=category_id, name="默认流程", cc_user_ids=cc)
            s.add(flow)
            s.flush()
            made = []
            for pos, (kind, mode, users) in enumerate(steps, start=1):
                s.add(
                    ApprovalStep(
                        flow_id=flow.id,
                        position=pos,
                        approver_kind=kind,
                        mode=mode,
                        approver_user_ids=users,
                        superior_levels=1,
                    )
                )
                made.append(Step(pos, kind, mode, users))
            ctx.flows[code] = Flow(flow.id, category_id, code, made, cc)


def _loaded(s, flow: ApprovalFlow, code: str) -> Flow:
    rows = s.scalars(
        select(ApprovalStep).where(ApprovalStep.flow_id == flow.id).order_by(ApprovalStep.position)
    )
    steps = [Step(r.position, r.approver_kind, r.mode, list(r.approver_user_ids)) for r in rows]
    return Flow(flow.id, flow.category_id, code, steps, list(flow.cc_user_ids))


def products(ctx: Ctx) -> None:
    """The catalogue (CUS-9) and the arrays the order generator draws from."""
    admin = ctx.org.ids["admin"]
    created = to_datetime(ctx.start - 30 * DAY)
    rows = catalogue.products()
    with transaction(ctx.url) as s:
        cats: dict[str, ProductCategory] = {}
        for pos, (name, parent) in enumerate(catalogue.CATEGORIES):
            cats[name] = ProductCategory(
                name=name,
                parent_id=cats[parent].id if parent else None,
                sort_order=pos,
                created_by_id=admin,
                created_at=created,
                updated_at=created,
            )
            s.add(cats[name])
            s.flush()
        made = []
        for row in rows:
            product = Product(
                name=row["name"],
                code=row["code"],
                category_id=cats[row["category"]].id,
                unit=row["unit"],
                price=row["price"],
                is_on_sale=row["code"] not in catalogue.OFF_SALE,
                description=f"{row['category']} · {row['name']}",
                owner_id=admin,
                created_by_id=admin,
                created_at=created,
                updated_at=created,
            )
            s.add(product)
            made.append(product)
        s.flush()
        ctx.products = {
            "id": np.array([p.id for p in made]),
            "price": np.array([r["price"] * 100 for r in rows], dtype=np.int64),
            "qty_low": np.array([r["qty_low"] for r in rows]),
            "qty_high": np.array([r["qty_high"] for r in rows]),
            "name": [r["name"] for r in rows],
        }
