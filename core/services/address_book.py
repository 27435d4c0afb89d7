"""Address book (OFF-8): every active colleague by department, searchable by name, mobile or
pinyin initials ("zs" finds 张三), with per-user star favourites."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.entities import FieldSpec, Kind, define
from core.models import Department, Favourite, User
from core.permissions import Actor, require
from core.services.accounts import name_initials
from core.services.org import department_tree

VIEW = "office.addressbook.view"
STAR_SUBJECT = "user"

DEPARTMENT = define(
    "department",
    Department,
    i18n="address_book.department",
    actions="settings.org",
    default_sort="sort_order",
    owned=False,
    ref_choices=lambda session, _actor: [
        (n.id, "\u3000" * n.depth + n.name) for n in department_tree(session)
    ],
    fields=[FieldSpec("name", required=True)],
)

EMPLOYEE = define(
    "employee",
    User,
    i18n="address_book",
    actions="office.addressbook",
    owned=False,
    default_sort="display_name",
    title_field="display_name",
    search_fields=("display_name", "name_initials", "mobile", "email"),
    search_hint="address_book.search_hint",
    fields=[
        FieldSpec("display_name", readonly=True),
        FieldSpec("position", readonly=True),
        FieldSpec("department_id", Kind.REF, ref="department", readonly=True),
        FieldSpec("mobile", Kind.MOBILE, readonly=True),
        FieldSpec("email", Kind.EMAIL, readonly=True),
        FieldSpec("superior_id", Kind.USER, readonly=True),
    ],
)


def fill_missing_initials(session: Session) -> int:
    """Give users created before initials were kept (or by bulk import) their pinyin initials.
    A plain UPDATE: it must not bump the version an admin's open edit form relies on."""
    missing = session.execute(
        select(User.id, User.display_name).where(User.name_initials == "")
    ).all()
    for user_id, display_name in missing:
        initials = name_initials(display_name or "")
        if initials:
            session.execute(
                update(User)
                .where(User.id == user_id)
                .values(name_initials=initials)
                .execution_options(synchronize_session=False)
            )
    return len(missing)


def department_ids(session: Session, department_id: int) -> set[int]:
    """The department and every department below it."""
    children: dict[int | None, list[int]] = {}
    for dep_id, parent_id in session.execute(select(Department.id, Department.parent_id)):
        children.setdefault(parent_id, []).append(dep_id)
    found, stack = set(), [department_id]
    while stack:
        dep = stack.pop()
        if dep not in found:
            found.add(dep)
            stack.extend(children.get(dep, []))
    return found


def starred_ids(session: Session, *, actor: Actor) -> set[int]:
    """The colleagues this user starred."""
    return set(
        session.scalars(
            select(Favourite.subject_id).where(
                Favourite.user_id == actor.user_id, Favourite.subject_type == STAR_SUBJECT
            )
        )
    )


def set_star(session: Session, *, actor: Actor, user_id: int, starred: bool) -> None:
    """Star or unstar a colleague for this user only; repeating it changes nothing."""
    require(actor, VIEW)
    mine = (
        Favourite.user_id == actor.user_id,
        Favourite.subject_type == STAR_SUBJECT,
        Favourite.subject_id == user_id,
    )
    exists = session.scalar(select(Favourite.id).where(*mine))
    if starred and exists is None:
        session.add(Favourite(user_id=actor.user_id, subject_type=STAR_SUBJECT, subject_id=user_id))
    elif not starred and exists is not None:
        session.execute(delete(Favourite).where(*mine))
    session.flush()


def where(
    session: Session, *, actor: Actor, department_id: int | None = None, starred_only: bool = False
) -> list[ColumnElement[bool]]:
    """The address book's own list clauses: active users, in a department subtree, starred."""
    clauses: list[ColumnElement[bool]] = [User.is_active.is_(True)]
    if department_id is not None:
        clauses.append(User.department_id.in_(sorted(department_ids(session, department_id))))
    if starred_only:
        clauses.append(User.id.in_(sorted(starred_ids(session, actor=actor))))
    return clauses
