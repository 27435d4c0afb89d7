"""Small hand-built data for tests: the demo organisation and records owned by its people."""

from __future__ import annotations

from dataclasses import dataclass

import bcrypt
from sqlalchemy.orm import Session

from core.models import Department, User
from core.permissions import Actor, load_actor
from core.seed import seed_reference_data, seed_roles

PASSWORD = "Demo@2026"
_HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()


@dataclass
class Org:
    """admin (super admin, 总经办); manager heads 销售部 with sales1/sales2 reporting to him;
    sales3 is in 销售二部 under 销售部 but reports to nobody; outsider sells in 华南销售部
    (outside manager's tree); office is office staff in 行政部."""

    departments: dict[str, Department]
    users: dict[str, User]

    def actor(self, session: Session, username: str) -> Actor:
        return load_actor(session, self.users[username].id)


def make_user(session: Session, username: str, role_codes: list[str], **fields) -> User:
    roles = seed_roles(session)
    user = User(
        username=username,
        display_name=fields.pop("display_name", username),
        password_hash=fields.pop("password_hash", _HASH),
        **fields,
    )
    user.roles = [roles[c] for c in role_codes]
    session.add(user)
    session.flush()
    return user


def build_org(session: Session) -> Org:
    seed_reference_data(session)
    deps: dict[str, Department] = {}
    for key, name, parent in [
        ("hq", "总经办", None),
        ("sales", "销售部", "hq"),
        ("sales_2", "销售二部", "sales"),
        ("south", "华南销售部", "hq"),
        ("admin", "行政部", "hq"),
    ]:
        deps[key] = Department(name=name, parent_id=deps[parent].id if parent else None)
        session.add(deps[key])
        session.flush()
    users: dict[str, User] = {}
    users["admin"] = make_user(session, "admin", ["super_admin"], department_id=deps["hq"].id)
    users["manager"] = make_user(
        session, "manager", ["sales_manager"], department_id=deps["sales"].id
    )
    for name in ("sales1", "sales2"):
        users[name] = make_user(
            session,
            name,
            ["sales_rep"],
            department_id=deps["sales"].id,
            superior_id=users["manager"].id,
        )
    users["sales3"] = make_user(session, "sales3", ["sales_rep"], department_id=deps["sales_2"].id)
    users["outsider"] = make_user(
        session, "outsider", ["sales_rep"], department_id=deps["south"].id
    )
    users["office"] = make_user(session, "office", ["office_staff"], department_id=deps["admin"].id)
    deps["sales"].head_id = users["manager"].id
    session.flush()
    return Org(departments=deps, users=users)
