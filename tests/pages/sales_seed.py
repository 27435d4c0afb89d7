"""Seed data for the sales pipeline page tests: products, a customer of sales1, an opportunity
and an approved contract, made through the services in the page-test store."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core import db as core_db
from core.models import User
from core.permissions import load_actor
from core.services import opportunities
from tests.services import sales_data

USERS = ["admin", "manager", "sales1", "sales2", "sales3", "outsider", "office"]


@dataclass
class Seeded:
    products: list[int]
    customer_id: int
    opportunity_id: int
    contract_id: int


class _Org:
    """The tests.factories.Org interface over the page store (actors by username)."""

    def __init__(self, session):
        self.users = {u.username: u for u in session.scalars(select(User))}

    def actor(self, session, username):
        return load_actor(session, self.users[username].id)


def seed() -> Seeded:
    with core_db.transaction() as s:
        org = _Org(s)
        a = sales_data.product(s, "A", "100.00")
        b = sales_data.product(s, "B", "50.00")
        customer = sales_data.customer(s, org, name="华为技术")
        opp = opportunities.create(
            s,
            actor=org.actor(s, "sales1"),
            values={"name": "ERP 项目", "customer_id": customer.id},
            lines=[sales_data.line(a.id, "2")],
        )
        contract = sales_data.approved_contract(
            s, org, amount="1000.00", customer_id=customer.id, name="年度服务合同"
        )
        return Seeded([a.id, b.id], customer.id, opp.id, contract.id)


def stored(query):
    with core_db.transaction() as s:
        return s.execute(query).all()
