"""Pool settings (CUS-5, needs settings.crm): pools with their limits, members (users and
departments) and pool admins, and recall rules per customer level. Pools are never deleted:
a pool is switched off once no customer waits in it; the default pool stays on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.entities import FieldSpec, Kind, define
from core.errors import DomainError, NotFound, ValidationFailed
from core.models import Customer, Department, OptionItem, Pool, PoolMember, PoolRule, User
from core.permissions import Actor, require
from core.services import changelog

ACTION = "settings.crm"
MAX_DAYS = 3650
MAX_COUNT = 100_000
# field -> (lowest, highest) for the integer settings of a pool
LIMITS: dict[str, tuple[int, int]] = {
    "daily_claim_limit": (0, MAX_COUNT),
    "reclaim_cooldown_days": (0, MAX_DAYS),
    "owned_customer_limit": (0, MAX_COUNT),
    "locked_customer_limit": (0, MAX_COUNT),
    "warn_days": (0, 365),
}
FLAGS = ("is_active", "is_default", "recall_enabled", "exempt_dealt")


class PoolNotEmpty(DomainError):
    key = "pool.error.not_empty"


class DefaultPoolStaysOn(DomainError):
    key = "pool.error.default_stays_on"


def _active_pool_choices(session: Session, _actor) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Pool.id, Pool.name)
        .where(Pool.deleted_at.is_(None), Pool.is_active.is_(True))
        .order_by(Pool.is_default.desc(), Pool.name)
    )
    return [(i, n) for i, n in rows]


POOL = define(
    "pool",
    Pool,
    i18n="pool.settings",
    actions="crm.pool",
    owned=False,
    default_sort="name",
    ref_choices=_active_pool_choices,
    fields=[
        FieldSpec("name", required=True),
        FieldSpec("is_default", Kind.BOOL),
        FieldSpec("is_active", Kind.BOOL),
        *(
            FieldSpec(name, Kind.INT, min_value=lo, max_value=hi)
            for name, (lo, hi) in LIMITS.items()
        ),
        FieldSpec("recall_enabled", Kind.BOOL),
        FieldSpec("exempt_dealt", Kind.BOOL),
    ],
)


@dataclass(frozen=True)
class Members:
    user_ids: frozenset[int]
    department_ids: frozenset[int]
    admin_ids: frozenset[int]


@dataclass(frozen=True)
class RuleInput:
    level: str  # "" = every other level
    days_without_followup: int | None
    days_without_deal: int | None


def _pool(session: Session, pool_id: int) -> Pool:
    pool = session.get(Pool, pool_id)
    if pool is None or pool.deleted_at is not None:
        raise NotFound(entity="pool", id=pool_id)
    return pool


def list_pools(session: Session, *, actor: Actor) -> list[Pool]:
    """Every pool, default first, then active ones by name."""
    require(actor, ACTION)
    query = select(Pool).where(Pool.deleted_at.is_(None))
    return list(
        session.scalars(query.order_by(Pool.is_default.desc(), Pool.is_active.desc(), Pool.name))
    )


def _check_name(session: Session, name: str, pool_id: int | None = None) -> str:
    text = (name or "").strip()
    if not text:
        raise ValidationFailed({"name": ("records.validation.required", {})})
    if len(text) > 100:
        raise ValidationFailed({"name": ("records.validation.too_long", {"max": 100})})
    clash = select(Pool.id).where(func.lower(Pool.name) == text.lower(), Pool.deleted_at.is_(None))
    if pool_id is not None:
        clash = clash.where(Pool.id != pool_id)
    if session.scalar(clash.limit(1)) is not None:
        raise ValidationFailed({"name": ("records.validation.duplicate", {})})
    return text


def create_pool(session: Session, *, actor: Actor, name: str) -> Pool:
    """A new, active pool with no limits and no rules; add members and admins next."""
    require(actor, ACTION)
    pool = Pool(name=_check_name(session, name), created_by_id=actor.user_id)
    session.add(pool)
    session.flush()
    changelog.log(
        session, actor_id=actor.user_id, entity="pool", record_id=pool.id, action="create"
    )
    return pool


def _clean_settings(session: Session, pool: Pool, values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, tuple[str, dict]] = {}
    for name, value in values.items():
        if name == "name":
            cleaned[name] = _check_name(session, value, pool.id)
        elif name in FLAGS:
            cleaned[name] = bool(value)
        elif name in LIMITS:
            lo, hi = LIMITS[name]
            if not isinstance(value, int) or isinstance(value, bool):
                errors[name] = ("records.validation.not_an_integer", {})
            elif not lo <= value <= hi:
                key = "too_small" if value < lo else "too_large"
                errors[name] = (f"records.validation.{key}", {"min": lo, "max": hi})
            else:
                cleaned[name] = value
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _waiting(session: Session, pool_id: int) -> int:
    """Customers waiting in the pool (no owner)."""
    query = select(func.count()).where(
        Customer.pool_id == pool_id, Customer.owner_id.is_(None), Customer.deleted_at.is_(None)
    )
    return session.scalar(query) or 0


def update_pool(session: Session, *, actor: Actor, pool_id: int, values: Mapping[str, Any]) -> Pool:
    """Change a pool's name, switches and limits (0 = no limit). Making a pool the default
    takes that from the previous one; the default pool cannot be switched off, nor a pool in
    which customers still wait."""
    require(actor, ACTION)
    pool = _pool(session, pool_id)
    cleaned = _clean_settings(session, pool, values)
    turning_off = cleaned.get("is_active") is False and pool.is_active
    if turning_off and (pool.is_default or cleaned.get("is_default")):
        raise DefaultPoolStaysOn()
    if turning_off and (waiting := _waiting(session, pool.id)):
        raise PoolNotEmpty(count=waiting)
    if cleaned.get("is_default") and not pool.is_default:
        session.execute(
            update(Pool)
            .where(Pool.id != pool.id, Pool.is_default.is_(True))
            .values(is_default=False, version=Pool.version + 1)
            .execution_options(synchronize_session="fetch")
        )
        cleaned["is_active"] = True
    changes = {k: (getattr(pool, k), v) for k, v in cleaned.items() if getattr(pool, k) != v}
    for name, (_old, new) in changes.items():
        setattr(pool, name, new)
    if changes:
        session.flush()
        changelog.log_changes(
            session, actor_id=actor.user_id, entity="pool", record_id=pool.id, changes=changes
        )
    return pool


def members(session: Session, *, pool_id: int) -> Members:
    rows = session.execute(
        select(PoolMember.user_id, PoolMember.department_id, PoolMember.is_admin).where(
            PoolMember.pool_id == pool_id
        )
    ).all()
    return Members(
        user_ids=frozenset(r.user_id for r in rows if r.user_id is not None),
        department_ids=frozenset(r.department_id for r in rows if r.department_id is not None),
        admin_ids=frozenset(r.user_id for r in rows if r.user_id is not None and r.is_admin),
    )


def _existing(session: Session, model, ids: Iterable[int], *, active_users=False) -> set[int]:
    query = select(model.id).where(model.id.in_(sorted(set(ids))))
    if active_users:
        query = query.where(User.is_active.is_(True))
    return set(session.scalars(query))


def _ids_text(ids) -> str:
    return ",".join(str(i) for i in sorted(ids))


def set_members(
    session: Session,
    *,
    actor: Actor,
    pool_id: int,
    user_ids: Iterable[int],
    department_ids: Iterable[int],
    admin_ids: Iterable[int],
) -> Members:
    """Replace who works in the pool: member users, member departments (everyone whose own
    department it is) and pool admins (members too, who may assign). At least one admin and
    one member are required, as in WukongCRM."""
    require(actor, ACTION)
    _pool(session, pool_id)
    admins, users, deps = set(admin_ids), set(user_ids) | set(admin_ids), set(department_ids)
    errors = {}
    if not admins:
        errors["admin_ids"] = ("pool.settings.error.no_admin", {})
    elif _existing(session, User, admins, active_users=True) != admins:
        errors["admin_ids"] = ("records.validation.unknown_ref", {})
    if _existing(session, User, users) != users:
        errors["user_ids"] = ("records.validation.unknown_ref", {})
    if _existing(session, Department, deps) != deps:
        errors["department_ids"] = ("records.validation.unknown_ref", {})
    if errors:
        raise ValidationFailed(errors)
    before = members(session, pool_id=pool_id)
    session.execute(delete(PoolMember).where(PoolMember.pool_id == pool_id))
    for user_id in sorted(users):
        session.add(PoolMember(pool_id=pool_id, user_id=user_id, is_admin=user_id in admins))
    for department_id in sorted(deps):
        session.add(PoolMember(pool_id=pool_id, department_id=department_id))
    session.flush()
    after = members(session, pool_id=pool_id)
    changes = {
        name: (_ids_text(getattr(before, name)), _ids_text(getattr(after, name)))
        for name in ("user_ids", "department_ids", "admin_ids")
        if getattr(before, name) != getattr(after, name)
    }
    changelog.log_changes(
        session, actor_id=actor.user_id, entity="pool", record_id=pool_id, changes=changes
    )
    return after


def rules(session: Session, *, pool_id: int) -> list[PoolRule]:
    """The pool's rules, the all-levels rule first."""
    query = select(PoolRule).where(PoolRule.pool_id == pool_id)
    return list(session.scalars(query.order_by(PoolRule.customer_level != "", PoolRule.id)))


def _check_days(value, field: str, errors: dict) -> int | None:
    if value in (None, 0):
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        errors[field] = ("records.validation.not_an_integer", {})
    elif not 1 <= value <= MAX_DAYS:
        key = "too_small" if value < 1 else "too_large"
        errors[field] = (f"records.validation.{key}", {"min": 1, "max": MAX_DAYS})
    return value


def _clean_rules(session: Session, new_rules: Iterable[RuleInput]) -> list[RuleInput]:
    """Valid rules with days set; errors keyed "rules.<i>.level|followup|deal"."""
    levels = set(
        session.scalars(select(OptionItem.value).where(OptionItem.list_name == "customer_level"))
    )
    errors: dict[str, tuple[str, dict]] = {}
    seen: set[str] = set()
    clean: list[RuleInput] = []
    for i, rule in enumerate(new_rules):
        level = (rule.level or "").strip()
        if level and level not in levels:
            errors[f"rules.{i}.level"] = ("records.validation.unknown_option", {})
        elif level in seen:
            errors[f"rules.{i}.level"] = ("pool.settings.error.duplicate_level", {})
        seen.add(level)
        followup = _check_days(rule.days_without_followup, f"rules.{i}.followup", errors)
        deal = _check_days(rule.days_without_deal, f"rules.{i}.deal", errors)
        if followup or deal:
            clean.append(RuleInput(level, followup, deal))
    if errors:
        raise ValidationFailed(errors)
    return clean


def set_rules(
    session: Session, *, actor: Actor, pool_id: int, new_rules: Iterable[RuleInput]
) -> list[PoolRule]:
    """Replace the pool's recall rules: per customer level (a value of the customer_level list,
    or "" for every other level) the days without follow-up and/or without a deal, 1 … 3650
    (empty or 0: that rule is off). One rule per level; the change is logged on the pool."""
    require(actor, ACTION)
    _pool(session, pool_id)
    clean = _clean_rules(session, new_rules)
    before = _rules_text(rules(session, pool_id=pool_id))
    session.execute(delete(PoolRule).where(PoolRule.pool_id == pool_id))
    session.add_all(
        PoolRule(
            pool_id=pool_id,
            customer_level=r.level,
            days_without_followup=r.days_without_followup,
            days_without_deal=r.days_without_deal,
        )
        for r in clean
    )
    session.flush()
    after = rules(session, pool_id=pool_id)
    if _rules_text(after) != before:
        changes = {"rules": (before, _rules_text(after))}
        changelog.log_changes(
            session, actor_id=actor.user_id, entity="pool", record_id=pool_id, changes=changes
        )
    return after


def _rules_text(found: list[PoolRule]) -> str:
    return "; ".join(
        f"{r.customer_level or '*'}: {r.days_without_followup or '-'}/{r.days_without_deal or '-'}"
        for r in found
    )
