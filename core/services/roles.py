"""Roles (PLT-3): a name, a data scope and the actions granted, per module. System roles are
seeded (core/seed.py) and cannot be deleted; the super admin role always keeps every action."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.i18n import has_key, t
from core.models import DataScope, Role, User, UserRole
from core.permissions import ACTIONS, SCOPE_ORDER, Actor, expand_actions, require
from core.services import changelog

MODULES = ("crm", "office", "bi", "settings")
LOCKED_ROLE = "super_admin"


def action_modules() -> dict[str, list[str]]:
    """The action catalogue grouped by module, in catalogue order."""
    groups: dict[str, list[str]] = {m: [] for m in MODULES}
    for action in ACTIONS:
        groups.setdefault(action.split(".", 1)[0], []).append(action)
    return groups


def role_label(role: Role) -> str:
    """A seeded role keeps its translated name until an admin renames it."""
    if role.is_system and role.name == role.code and has_key(f"role.{role.code}"):
        return t(f"role.{role.code}")
    return role.name


def granted_actions(role: Role) -> list[str]:
    """The role's patterns (e.g. "crm.*") expanded to catalogue actions, in catalogue order."""
    found = expand_actions(role.actions)
    return [a for a in ACTIONS if a in found]


def list_roles(session: Session) -> list[Role]:
    """Seeded roles in their defined order (broadest first), then custom roles by age."""
    from core.seed import ROLE_DEFINITIONS

    order = {code: i for i, code in enumerate(ROLE_DEFINITIONS)}
    found = session.scalars(select(Role).order_by(Role.id))
    return sorted(found, key=lambda r: (order.get(r.code, len(order)), r.id))


def usage(session: Session) -> dict[int, int]:
    """Active users per role id."""
    rows = session.execute(
        select(UserRole.role_id, func.count(User.id))
        .join(User, User.id == UserRole.user_id)
        .where(User.is_active.is_(True))
        .group_by(UserRole.role_id)
    )
    return dict(rows.all())


def _checked(name: str, data_scope: str, actions) -> tuple[str, DataScope, list[str]]:
    errors: dict[str, tuple[str, dict]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ("settings.roles.error.name_required", {})
    elif len(name) > 100:
        errors["name"] = ("settings.users.error.too_long", {"max": 100})
    if data_scope not in {s.value for s in SCOPE_ORDER}:
        errors["data_scope"] = ("settings.roles.error.scope", {})
    unknown = set(actions) - set(ACTIONS)
    if unknown:
        errors["actions"] = (
            "settings.roles.error.actions",
            {"actions": ", ".join(sorted(unknown))},
        )
    if errors:
        raise ValidationFailed(errors)
    return name, DataScope(data_scope), [a for a in ACTIONS if a in set(actions)]


def _log(session: Session, actor: Actor, role_id: int, action: str, changes: dict) -> None:
    for field, (old, new) in (changes or {"": (None, None)}).items():
        changelog.log(
            session,
            actor_id=actor.user_id,
            entity="role",
            record_id=role_id,
            action=action,
            field=field,
            old=old,
            new=new,
        )


def _duplicate_name(session: Session, name: str, role_id: int | None) -> bool:
    others = session.scalars(select(Role).where(Role.id != (role_id or 0)))
    return any(role_label(r) == name or r.name == name for r in others)


def create_role(session: Session, *, actor: Actor, name: str, data_scope: str, actions) -> Role:
    """A custom role; the name must be unique among roles (as shown)."""
    require(actor, "settings.roles")
    name, scope, granted = _checked(name, data_scope, actions)
    if _duplicate_name(session, name, None):
        raise ValidationFailed({"name": ("settings.roles.error.name_taken", {})})
    role = Role(
        code=f"custom_{uuid.uuid4().hex[:10]}",
        name=name,
        data_scope=scope,
        actions=granted,
        is_system=False,
    )
    session.add(role)
    session.flush()
    _log(session, actor, role.id, "create", {})
    return role


def update_role(
    session: Session, *, actor: Actor, role_id: int, name: str, data_scope: str, actions
) -> Role:
    """Rename a role, change its data scope and its granted actions (stored explicitly).
    The super admin role may be renamed only: its scope and actions stay "all"."""
    require(actor, "settings.roles")
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound(entity="role", id=role_id)
    name, scope, granted = _checked(name, data_scope, actions)
    if _duplicate_name(session, name, role.id):
        raise ValidationFailed({"name": ("settings.roles.error.name_taken", {})})
    locked = role.code == LOCKED_ROLE
    if locked and (scope != DataScope.ALL or set(granted) != set(ACTIONS)):
        raise NotAllowed("settings.roles.error.locked")
    changes: dict[str, tuple[str | None, str | None]] = {}
    if name != role_label(role):
        changes["name"] = (role.name, name)
        role.name = name
    if scope != role.data_scope:
        changes["data_scope"] = (str(role.data_scope), str(scope))
        role.data_scope = scope
    if not locked and granted != granted_actions(role):
        changes["actions"] = (",".join(granted_actions(role)), ",".join(granted))
        role.actions = granted
    session.flush()
    if changes:
        _log(session, actor, role.id, "update", changes)
    return role


def delete_role(session: Session, *, actor: Actor, role_id: int) -> None:
    """Only custom roles that no user (active or not) holds can be deleted."""
    require(actor, "settings.roles")
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound(entity="role", id=role_id)
    if role.is_system:
        raise NotAllowed("settings.roles.error.system")
    holders = session.scalar(select(func.count()).where(UserRole.role_id == role.id))
    if holders:
        raise InvalidTransition("settings.roles.error.in_use", count=holders)
    _log(session, actor, role.id, "delete", {"name": (role.name, None)})
    session.delete(role)
    session.flush()
