"""The permission matrix (PLT-3): for every owned CRM record type and every seeded role, the one
scope predicate returns exactly the records of the owners that role's scope reaches."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.models import (
    Contact,
    Contract,
    Customer,
    CustomerTeamMember,
    FollowUp,
    Lead,
    Opportunity,
    Pool,
    PoolMember,
    Receivable,
    ReceivablePlan,
    StageGroup,
)
from core.permissions import scope_clause

EVERYONE = {"admin", "manager", "sales1", "sales2", "sales3", "outsider", "office"}
EXPECTED_OWNERS = {
    "admin": EVERYONE,
    "manager": {"manager", "sales1", "sales2", "sales3"},
    "sales1": {"sales1"},
    "sales2": {"sales2"},
    "sales3": {"sales3"},
    "outsider": {"outsider"},
    "office": set(),
}
MODELS = {
    "lead": Lead,
    "customer": Customer,
    "contact": Contact,
    "opportunity": Opportunity,
    "contract": Contract,
    "receivable": Receivable,
    "followup": FollowUp,
}


def _records_for(session, username, user_id, group_id):
    today = dt.date(2026, 11, 2)
    customer = Customer(name=f"{username}的客户", owner_id=user_id)
    session.add_all([Lead(name=f"{username}的线索", owner_id=user_id), customer])
    session.flush()
    contract = Contract(
        number=f"HT-{username}",
        name="合同",
        customer_id=customer.id,
        order_date=today,
        amount=Decimal("100.00"),
        owner_id=user_id,
    )
    session.add_all(
        [
            Contact(name="联系人", customer_id=customer.id, owner_id=user_id),
            Opportunity(
                name="商机", customer_id=customer.id, stage_group_id=group_id, owner_id=user_id
            ),
            contract,
            FollowUp(
                subject_type="customer",
                subject_id=customer.id,
                customer_id=customer.id,
                content="拜访",
                owner_id=user_id,
            ),
        ]
    )
    session.flush()
    plan = ReceivablePlan(
        contract_id=contract.id,
        customer_id=customer.id,
        period=1,
        planned_amount=Decimal("100.00"),
        planned_date=today,
        owner_id=user_id,
    )
    session.add(plan)
    session.add(
        Receivable(
            number=f"HK-{username}",
            customer_id=customer.id,
            contract_id=contract.id,
            received_date=today,
            amount=Decimal("50.00"),
            owner_id=user_id,
        )
    )


@pytest.fixture
def owned_records(session, org):
    group_id = session.scalar(select(StageGroup.id))
    for username, user in org.users.items():
        _records_for(session, username, user.id, group_id)
    session.commit()
    return org


def _visible_owners(session, org, username, model, action):
    actor = org.actor(session, username)
    by_id = {u.id: name for name, u in org.users.items()}
    rows = session.scalars(select(model.owner_id).where(scope_clause(actor, model, action)))
    return {by_id[r] for r in rows}


@pytest.mark.parametrize("entity", MODELS)
@pytest.mark.parametrize("verb", ["view", "export"])
@pytest.mark.parametrize("username", EXPECTED_OWNERS)
def test_each_role_sees_exactly_its_scope(session, owned_records, entity, verb, username):
    action = f"crm.{entity}.{verb}"
    seen = _visible_owners(session, owned_records, username, MODELS[entity], action)
    assert seen == EXPECTED_OWNERS[username]


def test_sales_rep_may_not_delete_customers_but_manager_may(session, owned_records):
    assert not owned_records.actor(session, "sales1").can("crm.customer.delete")
    assert owned_records.actor(session, "manager").can("crm.customer.delete")


def test_team_member_sees_a_colleagues_customer(session, owned_records):
    org = owned_records
    customer = session.scalar(select(Customer).where(Customer.owner_id == org.users["sales1"].id))
    session.add(CustomerTeamMember(customer_id=customer.id, user_id=org.users["outsider"].id))
    session.commit()
    actor = org.actor(session, "outsider")
    visible = set(
        session.scalars(
            select(Customer.name).where(scope_clause(actor, Customer, "crm.customer.view"))
        )
    )
    assert visible == {"outsider的客户", "sales1的客户"}


def test_pool_customers_are_visible_only_to_pool_members(session, owned_records):
    org = owned_records
    pool = Pool(name="华东公海")
    session.add(pool)
    session.flush()
    session.add(Customer(name="公海客户", owner_id=None, pool_id=pool.id))
    session.add(PoolMember(pool_id=pool.id, user_id=org.users["sales2"].id))
    session.commit()

    def sees_pool_customer(username):
        actor = org.actor(session, username)
        clause = scope_clause(actor, Customer, "crm.customer.view")
        return "公海客户" in set(session.scalars(select(Customer.name).where(clause)))

    assert sees_pool_customer("sales2")
    assert not sees_pool_customer("sales1")
    assert sees_pool_customer("admin")
