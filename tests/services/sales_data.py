"""Small hand-built sales data for the pipeline tests: customers, contacts and products owned by
the people of tests/factories.build_org, and shortcuts to make opportunities, contracts and
receivables through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.models import ApprovalCategory, ApprovalFlow, Contact, Customer, Product
from core.services import contracts, receivables

TODAY = dt.date(2026, 11, 20)


def customer(session, org, owner: str = "sales1", name: str | None = None) -> Customer:
    found = Customer(name=name or f"{owner}的客户", owner_id=org.users[owner].id)
    session.add(found)
    session.flush()
    return found


def contact(session, org, customer_id: int, owner: str = "sales1") -> Contact:
    found = Contact(name="王经理", customer_id=customer_id, owner_id=org.users[owner].id)
    session.add(found)
    session.flush()
    return found


def product(session, code: str = "P1", price: str = "100.00") -> Product:
    found = Product(name=f"产品{code}", code=code, price=Decimal(price))
    session.add(found)
    session.flush()
    return found


def line(product_id: int, quantity="1", price=None, discount=None) -> dict:
    return {
        "product_id": product_id,
        "quantity": quantity,
        "price": price,
        "discount_rate": discount,
    }


def contract_values(customer_id: int, **extra) -> dict:
    return {"name": "年度采购合同", "customer_id": customer_id, "order_date": TODAY} | extra


def new_contract(session, org, owner="sales1", amount="1000.00", customer_id=None, **extra):
    actor = org.actor(session, owner)
    if customer_id is None:
        customer_id = customer(session, org, owner).id
    values = contract_values(customer_id, amount=amount) | extra
    return contracts.create(session, actor=actor, values=values)


def approved_contract(session, org, owner="sales1", amount="1000.00", **extra):
    contract = new_contract(session, org, owner, amount, **extra)
    contracts.submit(session, actor=org.actor(session, owner), contract_id=contract.id)
    return contract


def new_receivable(session, org, contract_id: int, amount: str, owner="sales1", **extra):
    values = {
        "contract_id": contract_id,
        "received_date": TODAY,
        "method": "银行转账",
        "amount": amount,
    } | extra
    return receivables.create(session, actor=org.actor(session, owner), values=values)


def add_flow(session, code: str) -> ApprovalFlow:
    """An active approval flow for the category `code`: submissions then wait for a decision."""
    category = session.scalar(select(ApprovalCategory).where(ApprovalCategory.code == code))
    flow = ApprovalFlow(category_id=category.id, name=f"{code} flow", is_active=True)
    session.add(flow)
    session.flush()
    return flow
