"""Who may do what and see whose records (PLT-2, PLT-3): the Actor and the one scope predicate.

Every list, detail, export, search and BI query filters with `scope_clause` (DESIGN.md §3)."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session

from core.errors import NotAllowed, NotFound
from core.models import (
    Contact,
    Customer,
    CustomerTeamMember,
    DataScope,
    Department,
    PoolMember,
    TeamAccess,
    User,
)
from core.types import Unindexed

SCOPE_ORDER = [
    DataScope.SELF,
    DataScope.SUBORDINATES,
    DataScope.DEPARTMENT,
    DataScope.DEPARTMENT_TREE,
    DataScope.ALL,
]

_VERBS = ("view", "create", "edit", "delete", "transfer", "export", "import")
_CRM_ENTITIES = ("lead", "customer", "contact", "opportunity", "contract", "receivable", "followup")

# The catalogue of actions a role can grant; role patterns like "crm.*" expand against it.
ACTIONS: tuple[str, ...] = (
    *(f"crm.{e}.{v}" for e in _CRM_ENTITIES for v in _VERBS),
    "crm.pool.view",
    "crm.pool.claim",
    "crm.pool.assign",
    "crm.product.view",
    "crm.product.create",
    "crm.product.edit",
    "crm.product.delete",
    "crm.product.export",
    "crm.product.import",
    "crm.recycle.restore",
    "crm.approve",
    "bi.view",
    "office.workbench.view",
    "office.addressbook.view",
    "office.event.view",
    "office.task.view",
    "office.worklog.view",
    "office.approval.view",
    "office.checkin.view",
    "office.announcement.view",
    "office.announcement.publish",
    "office.approval.admin",
    "settings.users",
    "settings.org",
    "settings.roles",
    "settings.crm",
    "settings.targets",
)

# Models with no owner (catalogue, colleagues): anyone granted the action sees every row.
_UNOWNED_VISIBLE_TO_ALL = {"products", "product_categories", "users", "departments"}


@dataclass(frozen=True)
class Actor:
    """The logged-in user, resolved once per rerun: grants and the owner ids each scope reaches."""

    user_id: int
    username: str
    display_name: str
    department_id: int | None
    locale: str | None
    grants: dict[str, DataScope]
    scope_users: dict[DataScope, frozenset[int] | None] = field(repr=False)

    def can(self, action: str) -> bool:
        return action in self.grants

    def owner_ids(self, action: str) -> frozenset[int] | None:
        """Users whose records `action` reaches; None means everyone."""
        if action not in self.grants:
            return frozenset()
        return self.scope_users[self.grants[action]]

    @property
    def is_admin(self) -> bool:
        return self.can("settings.users")


def require(actor: Actor, action: str) -> None:
    """Raise NotAllowed unless the actor holds `action` (pages call this at the top)."""
    if not actor.can(action):
        raise NotAllowed(action=action)


def expand_actions(patterns: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for pattern in patterns:
        found.update(a for a in ACTIONS if fnmatch.fnmatchcase(a, pattern))
    return found


def _widest(a: DataScope | None, b: DataScope) -> DataScope:
    if a is None:
        return b
    return max(a, b, key=SCOPE_ORDER.index)


class OrgTree:
    """Users and departments in memory (a few thousand rows at most) for scope resolution."""

    def __init__(self, users: list[tuple[int, int | None, int | None]], departments) -> None:
        self.superior = {uid: sup for uid, sup, _ in users}
        self.department = {uid: dep for uid, _, dep in users}
        self.children: dict[int | None, list[int]] = {}
        for uid, sup, _ in users:
            self.children.setdefault(sup, []).append(uid)
        self.sub_departments: dict[int | None, list[int]] = {}
        self.heads: dict[int, list[int]] = {}
        for dep_id, parent_id, head_id in departments:
            self.sub_departments.setdefault(parent_id, []).append(dep_id)
            if head_id is not None:
                self.heads.setdefault(head_id, []).append(dep_id)

    @classmethod
    def load(cls, session: Session) -> OrgTree:
        users = session.execute(select(User.id, User.superior_id, User.department_id)).all()
        deps = session.execute(
            select(Department.id, Department.parent_id, Department.head_id)
        ).all()
        return cls([tuple(u) for u in users], [tuple(d) for d in deps])

    def department_tree(self, department_id: int | None) -> set[int]:
        if department_id is None:
            return set()
        found, stack = set(), [department_id]
        while stack:
            dep = stack.pop()
            if dep not in found:
                found.add(dep)
                stack.extend(self.sub_departments.get(dep, []))
        return found

    def users_in(self, department_ids: set[int]) -> set[int]:
        return {uid for uid, dep in self.department.items() if dep in department_ids}

    def subordinates(self, user_id: int) -> set[int]:
        """Everyone below in the superior chain and, for a department head, in that subtree."""
        found, stack = set(), list(self.children.get(user_id, []))
        for dep in self.heads.get(user_id, []):
            stack.extend(self.users_in(self.department_tree(dep)))
        while stack:
            uid = stack.pop()
            if uid not in found and uid != user_id:
                found.add(uid)
                stack.extend(self.children.get(uid, []))
        return found

    def scope_users(self, user_id: int, scope: DataScope) -> frozenset[int] | None:
        dep = self.department.get(user_id)
        match scope:
            case DataScope.ALL:
                return None
            case DataScope.SELF:
                return frozenset({user_id})
            case DataScope.SUBORDINATES:
                return frozenset({user_id} | self.subordinates(user_id))
            case DataScope.DEPARTMENT:
                return frozenset({user_id} | self.users_in({dep} if dep else set()))
            case DataScope.DEPARTMENT_TREE:
                tree = self.department_tree(dep)
                return frozenset({user_id} | self.users_in(tree) | self.subordinates(user_id))
        raise ValueError(scope)


def load_actor(session: Session, user_id: int) -> Actor:
    """Resolve the actor: for each action, the widest scope among the roles that grant it."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(entity="user", id=user_id)
    grants: dict[str, DataScope] = {}
    for role in user.roles:
        scope = DataScope(role.data_scope)
        for action in expand_actions(role.actions):
            grants[action] = _widest(grants.get(action), scope)
    tree = OrgTree.load(session)
    scopes = {s: tree.scope_users(user.id, s) for s in set(grants.values())}
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        department_id=user.department_id,
        locale=user.locale,
        grants=grants,
        scope_users=scopes,
    )


# Extra ways a record becomes visible besides its owner being in scope (DESIGN.md §3). A rule
# gets the actor and the action asked for and returns a predicate (or None: not for this action).
ExtraVisibility = Callable[[Actor, str], object]
_extra_visibility: dict[str, list[ExtraVisibility]] = {}


def add_visibility(table_name: str, rule: ExtraVisibility) -> None:
    _extra_visibility.setdefault(table_name, []).append(rule)


def scope_clause(actor: Actor, model, action: str):
    """The one SQL predicate: rows of `model` the actor may reach with `action`."""
    if not actor.can(action):
        return false()
    table = model.__tablename__
    if table in _UNOWNED_VISIBLE_TO_ALL or not hasattr(model, "owner_id"):
        return true()
    owners = actor.owner_ids(action)
    if owners is None:
        return true()
    clauses = [model.owner_id.in_(sorted(owners))]
    extra = (rule(actor, action) for rule in _extra_visibility.get(table, []))
    clauses += [clause for clause in extra if clause is not None]
    return or_(*clauses)


def _team_customers(actor: Actor, *, write: bool = False):
    team = select(CustomerTeamMember.customer_id).where(CustomerTeamMember.user_id == actor.user_id)
    if write:
        team = team.where(CustomerTeamMember.access == TeamAccess.WRITE.value)
    return team


def _customer_team_member(actor: Actor, action: str):
    return Customer.id.in_(_team_customers(actor))


def _contact_of_my_team_customer(actor: Actor, action: str):
    """A customer's team sees its contacts (the detail's contacts tab); read-write members may
    also edit them. Creating, deleting and transferring stay with the owner's side."""
    if action == "crm.contact.view":
        return Contact.customer_id.in_(_team_customers(actor))
    if action == "crm.contact.edit":
        return Contact.customer_id.in_(_team_customers(actor, write=True))
    return None


def _customer_in_my_pool(actor: Actor, action: str):
    """Pool customers (no owner) are visible to the pool's members (by user or department)."""
    member = or_(
        PoolMember.user_id == actor.user_id,
        and_(
            PoolMember.department_id.is_not(None), PoolMember.department_id == actor.department_id
        ),
    )
    pools = select(PoolMember.pool_id).where(member)
    # Unindexed: pool customers are a large share of rows without an owner, which the owner
    # index's averages hide from SQLite; walking it made a rep's search 1.2 s at scale L.
    return and_(Unindexed(Customer.owner_id).is_(None), Customer.pool_id.in_(pools))


add_visibility("customers", _customer_team_member)
add_visibility("customers", _customer_in_my_pool)
add_visibility("contacts", _contact_of_my_team_customer)
