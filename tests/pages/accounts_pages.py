"""Shared helpers for the lead / customer / contact / follow-up page tests."""

from __future__ import annotations

from sqlalchemy import select

from core import db as core_db
from core.models import User
from core.permissions import load_actor
from core.services import contacts, customers, leads

ROLES = ["admin", "manager", "sales1", "sales2", "sales3", "outsider", "office"]


def user_id(username: str) -> int:
    with core_db.transaction() as s:
        return s.scalar(select(User.id).where(User.username == username))


def stored(query):
    with core_db.transaction() as s:
        return s.execute(query).all()


def as_actor(username: str, fn, **kwargs):
    """Run a service function as `username` in its own transaction; returns the record id."""
    with core_db.transaction() as s:
        found = fn(s, actor=load_actor(s, user_id(username)), **kwargs)
        s.flush()
        return getattr(found, "id", found)


def add_customer(owner="sales1", name="华为技术有限公司", **values) -> int:
    return as_actor(
        owner,
        customers.create,
        values={"name": name, **values},
        confirm_duplicate=True,
    )


def add_contact(customer_id: int, owner="sales1", name="王经理") -> int:
    return as_actor(owner, contacts.create, values={"name": name, "customer_id": customer_id})


def add_lead(owner="sales1", name="李总", **values) -> int:
    return as_actor(owner, leads.create, values={"name": name, **values})


def present(at, key: str) -> bool:
    return any(getattr(e, "key", None) == key for e in at)


def table_text(at) -> str:
    return "\n".join(df.value.to_string() for df in at.dataframe)


def fill(at, prefix: str, **values):
    for name, value in values.items():
        at.get_by_key(f"{prefix}.{name}").set_value(value)
    return at


def click(at, key: str):
    at.button(key=key).click()
    return at.run()


def pick(at, entity: str, record_id: int):
    at.session_state[f"{entity}.selected"] = record_id
    return at.run()


def open_tab(at, entity: str, label: str):
    at.session_state[f"{entity}.tabs"] = label
    return at.run()
