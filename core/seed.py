"""Reference data every store needs, demo or not: roles, option lists, stage group, numbering
rules, the default pool, approval categories. Idempotent: rows that exist are left alone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import (
    ApprovalCategory,
    ApprovalKind,
    DataScope,
    NumberingRule,
    OptionItem,
    Pool,
    Role,
    Stage,
    StageGroup,
)

# What sales reps create and edit; the product catalogue stays read-only for them (CUS-9).
_SALES_RECORDS = (
    "lead",
    "customer",
    "contact",
    "opportunity",
    "contract",
    "receivable",
    "followup",
)

# code -> (data scope, granted action patterns). Names are translated via i18n key role.<code>.
ROLE_DEFINITIONS: dict[str, tuple[DataScope, list[str]]] = {
    "super_admin": (DataScope.ALL, ["*"]),
    "sales_manager": (
        DataScope.DEPARTMENT_TREE,
        ["crm.*", "bi.view", "office.*.view", "office.announcement.publish", "settings.targets"],
    ),
    "sales_rep": (
        DataScope.SELF,
        [
            "crm.*.view",
            *(f"crm.{e}.{verb}" for e in _SALES_RECORDS for verb in ("create", "edit")),
            "crm.*.transfer",
            "crm.*.export",
            "crm.pool.claim",
            "crm.followup.*",
            "bi.view",
            "office.*.view",
        ],
    ),
    "office_staff": (DataScope.SELF, ["office.*", "crm.product.view"]),
}

# list name -> values (Simplified Chinese labels; values are stable codes shown through i18n
# where the UI needs translation, labels are what admins typed).
OPTION_LISTS: dict[str, list[str]] = {
    "industry": [
        "制造业",
        "IT/互联网",
        "金融",
        "教育",
        "医疗",
        "零售",
        "房地产",
        "物流",
        "能源",
        "政府",
    ],
    "source": ["电话营销", "展会", "客户介绍", "网络推广", "广告", "独立开发", "其他"],
    "customer_level": ["A（重点客户）", "B（普通客户）", "C（非优先客户）"],
    "lead_level": ["高", "中", "低"],
    "followup_type": ["打电话", "拜访", "发邮件", "发短信", "见面", "微信"],
    "payment_method": ["银行转账", "支票", "现金", "微信支付", "支付宝", "其他"],
    "product_unit": ["个", "台", "套", "件", "年", "次", "箱"],
    "lost_reason": ["价格太高", "选择竞争对手", "需求变化", "预算不足", "联系不上"],
    "event_kind": ["会议", "拜访", "电话", "培训", "其他"],
    "announcement_category": ["放假公告", "奖惩公告", "会议公告", "行政公告"],
    "leave_type": ["年假", "事假", "病假", "婚假", "产假", "调休"],
}

DEFAULT_STAGES = [("初步接洽", 10), ("需求确定", 30), ("方案/报价", 50), ("谈判审核", 80)]

NUMBERING = {
    "contract": [
        {"kind": "text", "value": "HT"},
        {"kind": "date", "format": "%Y%m%d"},
        {"kind": "seq", "width": 4},
    ],
    "receivable": [
        {"kind": "text", "value": "HK"},
        {"kind": "date", "format": "%Y%m%d"},
        {"kind": "seq", "width": 4},
    ],
}

APPROVAL_CATEGORIES = [
    ("general", "普通审批", ApprovalKind.GENERAL),
    ("leave", "请假审批", ApprovalKind.LEAVE),
    ("trip", "出差审批", ApprovalKind.TRIP),
    ("overtime", "加班审批", ApprovalKind.OVERTIME),
    ("reimbursement", "差旅报销", ApprovalKind.REIMBURSEMENT),
    ("loan", "借款申请", ApprovalKind.LOAN),
    ("contract", "合同审批", ApprovalKind.CONTRACT),
    ("receivable", "回款审批", ApprovalKind.RECEIVABLE),
]


def _missing(session: Session, model, column, values) -> set:
    have = set(session.scalars(select(column)).all())
    return {v for v in values if v not in have}


def seed_roles(session: Session) -> dict[str, Role]:
    for code in _missing(session, Role, Role.code, ROLE_DEFINITIONS):
        scope, actions = ROLE_DEFINITIONS[code]
        session.add(Role(code=code, name=code, data_scope=scope, actions=actions, is_system=True))
    session.flush()
    return {r.code: r for r in session.scalars(select(Role))}


def seed_options(session: Session) -> None:
    have = {tuple(r) for r in session.execute(select(OptionItem.list_name, OptionItem.value))}
    for list_name, values in OPTION_LISTS.items():
        for pos, value in enumerate(values):
            if (list_name, value) not in have:
                session.add(
                    OptionItem(list_name=list_name, value=value, label=value, sort_order=pos)
                )


def seed_reference_data(session: Session) -> None:
    """Everything a fresh store needs before its first user logs in."""
    seed_roles(session)
    seed_options(session)
    if session.scalar(select(StageGroup.id).limit(1)) is None:
        group = StageGroup(name="默认销售流程", is_default=True)
        session.add(group)
        session.flush()
        for pos, (name, prob) in enumerate(DEFAULT_STAGES, start=1):
            session.add(Stage(group_id=group.id, name=name, position=pos, win_probability=prob))
    for entity in _missing(session, NumberingRule, NumberingRule.entity, NUMBERING):
        session.add(NumberingRule(entity=entity, segments=NUMBERING[entity], reset="daily"))
    if session.scalar(select(Pool.id).limit(1)) is None:
        session.add(Pool(name="默认公海", is_default=True))
    codes = [c for c, _, _ in APPROVAL_CATEGORIES]
    missing = _missing(session, ApprovalCategory, ApprovalCategory.code, codes)
    for code, name, kind in APPROVAL_CATEGORIES:
        if code in missing:
            session.add(ApprovalCategory(code=code, name=name, kind=kind))
    session.flush()
