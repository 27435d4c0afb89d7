"""Global search: each seeded role finds exactly the leads, customers, contacts, opportunities
and contracts its scope allows; prefix matching by name, number, phone, mobile and company."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.models import Contact, Contract, Customer, Lead, Opportunity, StageGroup
from core.services import search
from core.types import utcnow

EVERYONE = {"admin", "manager", "sales1", "sales2", "sales3", "outsider"}
EXPECTED = {
    "admin": EVERYONE,
    "manager": {"manager", "sales1", "sales2", "sales3"},
    "sales1": {"sales1"},
    "sales2": {"sales2"},
    "sales3": {"sales3"},
    "outsider": {"outsider"},
    "office": set(),
}


@pytest.fixture
def world(session, org):
    """For every seller one record of each kind, named "华星<username>…"."""
    group = session.scalar(select(StageGroup))
    for n, username in enumerate(sorted(EVERYONE)):
        uid = org.users[username].id
        customer = Customer(name=f"华星{username}", phone=f"0105550{n:04d}", owner_id=uid)
        session.add(customer)
        session.flush()
        session.add_all(
            [
                Lead(name=f"华星{username}线索", company="ABC科技", mobile=f"1391000{n:04d}",
                     owner_id=uid),
                Contact(name=f"华星{username}联系人", customer_id=customer.id,
                        mobile=f"1380000{n:04d}", owner_id=uid),
                Opportunity(name=f"华星{username}商机", customer_id=customer.id,
                            stage_group_id=group.id, amount=Decimal("100"), owner_id=uid),
                Contract(number=f"HT2026{n:04d}", name=f"华星{username}合同",
                         customer_id=customer.id, order_date=dt.date(2026, 1, 5), owner_id=uid),
            ]
        )  # fmt: skip
    session.commit()
    return org


def owners_found(hits, session, org):
    names = {u.display_name: name for name, u in org.users.items()}
    return {names[h.owner] for group in hits.values() for h in group}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_finds_exactly_what_its_scope_allows(session, world, username):
    actor = world.actor(session, username)
    hits = search.search(session, actor=actor, text="华星", limit=50)
    assert owners_found(hits, session, world) == EXPECTED[username]
    for entity in ("customer", "contact", "lead", "opportunity", "contract"):
        if username != "office":
            assert len(hits[entity]) == len(EXPECTED[username]), entity


def test_office_staff_without_crm_rights_get_no_groups(session, world):
    assert search.search(session, actor=world.actor(session, "office"), text="华星") == {}


def test_search_matches_the_start_of_names_phones_mobiles_numbers_and_companies(session, world):
    admin = world.actor(session, "admin")
    by_phone = search.search(session, actor=admin, text="0105550")["customer"]
    assert len(by_phone) == len(EVERYONE)
    assert len(search.search(session, actor=admin, text="13800")["contact"]) == len(EVERYONE)
    assert len(search.search(session, actor=admin, text="13910")["lead"]) == len(EVERYONE)
    assert [h.title for h in search.search(session, actor=admin, text="HT20260003")["contract"]]
    assert len(search.search(session, actor=admin, text="abc")["lead"]) == len(EVERYONE)


def test_prefix_search_skips_the_middle_of_a_name_but_contains_finds_it(session, world):
    admin = world.actor(session, "admin")
    assert search.search(session, actor=admin, text="星sales1")["customer"] == []
    found = search.search(session, actor=admin, text="星sales1", contains=True)["customer"]
    assert [h.title for h in found] == ["华星sales1"]


def test_wildcards_in_the_query_are_literal(session, world):
    admin = world.actor(session, "admin")
    assert all(not group for group in search.search(session, actor=admin, text="%").values())
    assert all(not group for group in search.search(session, actor=admin, text="_").values())


def test_deleted_records_are_not_found(session, world):
    admin = world.actor(session, "admin")
    session.scalar(
        select(Customer).where(Customer.name == "华星sales1")
    ).deleted_at = session.scalar(select(utcnow()))
    session.commit()
    titles = [h.title for h in search.search(session, actor=admin, text="华星s")["customer"]]
    assert "华星sales1" not in titles and "华星sales2" in titles


def test_blank_query_finds_nothing_and_results_are_limited_per_entity(session, world):
    admin = world.actor(session, "admin")
    assert search.search(session, actor=admin, text="   ") == {}
    hits = search.search(session, actor=admin, text="华星", limit=2)
    assert all(len(group) == 2 for group in hits.values())


def test_hits_carry_id_owner_and_detail(session, world):
    sales1 = world.actor(session, "sales1")
    [hit] = search.search(session, actor=sales1, text="华星")["contract"]
    stored = session.scalar(select(Contract).where(Contract.id == hit.id))
    assert (hit.entity, hit.title, hit.owner) == ("contract", stored.name, "sales1")
    assert hit.detail[0] == stored.number
