"""Organisation (PLT-2): the department tree, department heads, and each user's department,
position and superior. Neither the tree nor the superior chain may form a cycle."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import CycleDetected, InvalidTransition, NotFound, ValidationFailed
from core.models import Department, User
from core.permissions import Actor, require
from core.services import changelog

MAX_NAME = 100


@dataclass(frozen=True)
class DepartmentNode:
    """One department in tree order, with its depth for an indented display."""

    id: int
    name: str
    parent_id: int | None
    depth: int
    head_id: int | None
    head_name: str
    member_count: int


def department_tree(session: Session) -> list[DepartmentNode]:
    """Every department, parents before children, siblings by sort order then name."""
    deps = list(
        session.scalars(select(Department).order_by(Department.sort_order, Department.name))
    )
    counts = dict(
        session.execute(
            select(User.department_id, func.count(User.id))
            .where(User.is_active.is_(True))
            .group_by(User.department_id)
        ).all()
    )
    heads = dict(session.execute(select(User.id, User.display_name)).all())
    children: dict[int | None, list[Department]] = {}
    known = {d.id for d in deps}
    for dep in deps:
        parent = dep.parent_id if dep.parent_id in known else None
        children.setdefault(parent, []).append(dep)
    nodes: list[DepartmentNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for dep in children.get(parent, []):
            nodes.append(
                DepartmentNode(
                    dep.id,
                    dep.name,
                    dep.parent_id,
                    depth,
                    dep.head_id,
                    heads.get(dep.head_id, ""),
                    counts.get(dep.id, 0),
                )
            )
            walk(dep.id, depth + 1)

    walk(None, 0)
    return nodes


def colleagues(session: Session) -> list[User]:
    """Every user, active first, for choosing heads and superiors."""
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.username)))


def _department(session: Session, department_id: int) -> Department:
    dep = session.get(Department, department_id)
    if dep is None:
        raise NotFound(entity="department", id=department_id)
    return dep


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": ("settings.org.error.name_required", {})})
    if len(name) > MAX_NAME:
        raise ValidationFailed({"name": ("settings.users.error.too_long", {"max": MAX_NAME})})
    return name


def _log(session: Session, actor: Actor, entity: str, record_id: int, action: str, **change):
    for field, (old, new) in (change or {"": (None, None)}).items():
        changelog.log(
            session,
            actor_id=actor.user_id,
            entity=entity,
            record_id=record_id,
            action=action,
            field=field,
            old=old,
            new=new,
        )


def check_department_parent(session: Session, *, department_id: int | None, parent_id) -> None:
    """Raise CycleDetected when `parent_id` is the department itself or one of its descendants."""
    if parent_id is None:
        return
    _department(session, parent_id)
    parents = dict(session.execute(select(Department.id, Department.parent_id)).all())
    seen, node = set(), parent_id
    while node is not None and node not in seen:
        if node == department_id:
            raise CycleDetected("settings.org.error.department_cycle")
        seen.add(node)
        node = parents.get(node)


def check_superior(session: Session, *, user_id: int | None, superior_id: int | None) -> None:
    """Raise CycleDetected when `superior_id` is the user or reports (indirectly) to the user."""
    if superior_id is None:
        return
    superiors = dict(session.execute(select(User.id, User.superior_id)).all())
    if superior_id not in superiors:
        raise NotFound(entity="user", id=superior_id)
    seen, node = set(), superior_id
    while node is not None and node not in seen:
        if node == user_id:
            raise CycleDetected()
        seen.add(node)
        node = superiors.get(node)


def create_department(
    session: Session, *, actor: Actor, name: str, parent_id: int | None = None, head_id=None
) -> Department:
    require(actor, "settings.org")
    if parent_id is not None:
        _department(session, parent_id)
    if head_id is not None and session.get(User, head_id) is None:
        raise NotFound(entity="user", id=head_id)
    dep = Department(name=_name(name), parent_id=parent_id, head_id=head_id)
    session.add(dep)
    session.flush()
    _log(session, actor, "department", dep.id, "create")
    return dep


def update_department(
    session: Session,
    *,
    actor: Actor,
    department_id: int,
    name: str,
    parent_id: int | None,
    head_id: int | None,
) -> Department:
    """Rename, move (never under itself or a descendant) and set the head of a department."""
    require(actor, "settings.org")
    dep = _department(session, department_id)
    new_name = _name(name)
    check_department_parent(session, department_id=dep.id, parent_id=parent_id)
    if head_id is not None and session.get(User, head_id) is None:
        raise NotFound(entity="user", id=head_id)
    wanted = {"name": new_name, "parent_id": parent_id, "head_id": head_id}
    changes = {k: (getattr(dep, k), v) for k, v in wanted.items() if getattr(dep, k) != v}
    for key, value in wanted.items():
        setattr(dep, key, value)
    session.flush()
    if changes:
        _log(session, actor, "department", dep.id, "update", **changes)
    return dep


def delete_department(session: Session, *, actor: Actor, department_id: int) -> None:
    """Only an empty department goes: no sub-departments and no users (active or not)."""
    require(actor, "settings.org")
    dep = _department(session, department_id)
    has_child = session.scalar(select(Department.id).where(Department.parent_id == dep.id).limit(1))
    has_user = session.scalar(select(User.id).where(User.department_id == dep.id).limit(1))
    if has_child is not None or has_user is not None:
        raise InvalidTransition("settings.org.error.not_empty")
    _log(session, actor, "department", dep.id, "delete", name=(dep.name, None))
    session.delete(dep)
    session.flush()


def place_user(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    department_id: int | None,
    position: str,
    superior_id: int | None,
) -> User:
    """Set a user's department, position and superior (refusing a cycle in the chain)."""
    require(actor, "settings.org")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(entity="user", id=user_id)
    if department_id is not None:
        _department(session, department_id)
    position = position.strip()
    if len(position) > 50:
        raise ValidationFailed({"position": ("settings.users.error.too_long", {"max": 50})})
    check_superior(session, user_id=user.id, superior_id=superior_id)
    wanted = {"department_id": department_id, "position": position, "superior_id": superior_id}
    changes = {k: (getattr(user, k), v) for k, v in wanted.items() if getattr(user, k) != v}
    for key, value in wanted.items():
        setattr(user, key, value)
    session.flush()
    if changes:
        _log(session, actor, "user", user.id, "update", **changes)
    return user
