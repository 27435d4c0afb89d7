"""Small hand-built account data for the lead / customer / contact / follow-up tests: one of each
owned by every person of tests/factories.build_org, made through the services."""

from __future__ import annotations

from dataclasses import dataclass

from core.services import contacts, customers, followups, leads


@dataclass
class Owned:
    lead_id: int
    customer_id: int
    contact_id: int
    followup_id: int


def make_customer(session, org, owner="sales1", name=None, **values):
    actor = org.actor(session, owner)
    found = customers.create(
        session,
        actor=actor,
        values={"name": name or f"{owner}的客户", **values},
        confirm_duplicate=True,
    )
    session.flush()
    return found


def make_contact(session, org, customer_id, owner="sales1", name="王经理", **values):
    actor = org.actor(session, owner)
    return contacts.create(
        session, actor=actor, values={"name": name, "customer_id": customer_id, **values}
    )


def make_lead(session, org, owner="sales1", name="张三", **values):
    actor = org.actor(session, owner)
    return leads.create(session, actor=actor, values={"name": name, **values})


def add_followup(session, org, subject_type, subject_id, by="sales1", content="电话沟通", **kw):
    actor = org.actor(session, by)
    return followups.add(
        session,
        actor=actor,
        subject_type=subject_type,
        subject_id=subject_id,
        kind=kw.pop("kind", "打电话"),
        content=content,
        **kw,
    )


def one_of_each(session, org, users=None) -> dict[str, Owned]:
    """For every user with a sales role: a lead, a customer with a contact and a follow-up."""
    found = {}
    for username in users or ("admin", "manager", "sales1", "sales2", "sales3", "outsider"):
        lead = make_lead(session, org, username, name=f"{username}的线索")
        customer = make_customer(session, org, username)
        contact = make_contact(session, org, customer.id, username, name=f"{username}的联系人")
        note = add_followup(session, org, "customer", customer.id, by=username)
        found[username] = Owned(lead.id, customer.id, contact.id, note.id)
    session.commit()
    return found
