"""Contacts (CUS-4): many per customer, owner inherited from the customer, customer must be
visible, bad input refused, edit conflicts, permission matrix for list, detail and export."""

import pytest
from sqlalchemy import func, select

from core.errors import EditConflict, NotAllowed, NotFound, ValidationFailed
from core.models import Contact
from core.services import contacts, records
from core.services.contacts import CONTACT
from tests.services.accounts_data import make_contact, make_customer, one_of_each

SCOPE = {
    "admin": {"admin", "manager", "sales1", "sales2", "sales3", "outsider"},
    "manager": {"manager", "sales1", "sales2", "sales3"},
    "sales1": {"sales1"},
    "sales3": {"sales3"},
    "outsider": {"outsider"},
}


@pytest.fixture
def customer(session, org):
    found = make_customer(session, org, "sales1", name="联系人客户")
    session.commit()
    return found


def test_a_customer_has_many_contacts_with_their_details(session, org, customer):
    make_contact(session, org, customer.id, name="王经理", is_decision_maker=True, gender="男")
    make_contact(session, org, customer.id, name="李秘书", title="秘书", gender="女")
    session.commit()
    rows = session.execute(
        select(Contact.name, Contact.is_decision_maker, Contact.gender, Contact.title)
        .where(Contact.customer_id == customer.id)
        .order_by(Contact.id)
    )
    assert [tuple(r) for r in rows] == [
        ("王经理", True, "男", ""),
        ("李秘书", False, "女", "秘书"),
    ]


def test_a_contact_made_by_a_manager_belongs_to_the_customers_owner(session, org, customer):
    made = make_contact(session, org, customer.id, owner="manager")
    assert made.owner_id == org.users["sales1"].id


def test_a_contact_needs_a_customer_the_actor_can_see(session, org, customer):
    with pytest.raises(ValidationFailed) as refused:
        make_contact(session, org, customer.id, owner="sales2")
    assert refused.value.errors == {"customer_id": ("records.validation.unknown_ref", {})}
    with pytest.raises(ValidationFailed):
        contacts.create(session, actor=org.actor(session, "sales1"), values={"name": "无客户"})


def test_moving_a_contact_to_a_customer_out_of_sight_is_refused(session, org, customer):
    theirs = make_customer(session, org, "sales2", name="别人的客户")
    mine = make_contact(session, org, customer.id)
    session.commit()
    with pytest.raises(ValidationFailed):
        contacts.update(
            session,
            actor=org.actor(session, "sales1"),
            contact_id=mine.id,
            values={"customer_id": theirs.id},
            expected_version=mine.version,
        )


@pytest.mark.parametrize(
    ("values", "field", "key"),
    [
        ({"name": ""}, "name", "records.validation.required"),
        ({"name": "名" * 51}, "name", "records.validation.too_long"),
        ({"name": "甲", "email": "a b@c.cn"}, "email", "records.validation.email"),
        ({"name": "甲", "mobile": "2391234567x"}, "mobile", "records.validation.mobile"),
        ({"name": "甲", "gender": "unknown"}, "gender", "records.validation.unknown_option"),
    ],
)
def test_bad_contact_input_is_refused_and_nothing_saved(session, org, customer, values, field, key):
    with pytest.raises(ValidationFailed) as refused:
        contacts.create(
            session,
            actor=org.actor(session, "sales1"),
            values={"customer_id": customer.id, **values},
        )
    assert refused.value.errors[field][0] == key
    assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_stale_contact_edit_is_an_edit_conflict(session, org, customer):
    mine = make_contact(session, org, customer.id)
    session.commit()
    version = mine.version
    sales1 = org.actor(session, "sales1")
    contacts.update(
        session,
        actor=sales1,
        contact_id=mine.id,
        values={"title": "总监"},
        expected_version=version,
    )
    session.commit()
    with pytest.raises(EditConflict):
        contacts.update(
            session,
            actor=sales1,
            contact_id=mine.id,
            values={"title": "经理"},
            expected_version=version,
        )


@pytest.fixture
def everyone(session, org):
    return one_of_each(session, org)


def owners(session, org, ids):
    by_id = {u.id: name for name, u in org.users.items()}
    return {by_id[o] for o in session.scalars(select(Contact.owner_id).where(Contact.id.in_(ids)))}


@pytest.mark.parametrize("username", SCOPE)
def test_each_role_lists_exports_and_opens_exactly_the_contacts_in_its_scope(
    session, org, everyone, username
):
    who = org.actor(session, username)
    page = records.list_visible(session, actor=who, spec=CONTACT, page_size=100)
    assert owners(session, org, [r.id for r in page.rows]) == SCOPE[username]
    exported = [r.id for c in records.iter_visible(session, actor=who, spec=CONTACT) for r in c]
    assert owners(session, org, exported) == SCOPE[username]
    opened = set()
    for owner, ids in everyone.items():
        try:
            records.get_visible(session, actor=who, spec=CONTACT, record_id=ids.contact_id)
            opened.add(owner)
        except NotFound:
            pass
    assert opened == SCOPE[username]


def test_office_staff_see_no_contacts(session, org, everyone):
    with pytest.raises(NotAllowed):
        records.list_visible(session, actor=org.actor(session, "office"), spec=CONTACT)


# --- the customer's team sees its contacts --------------------------------------------------


def test_a_customers_team_sees_its_contacts_and_only_read_write_members_edit_them(
    session, org, customer
):
    from core.services import customer_team

    contact = make_contact(session, org, customer.id, name="团队可见")
    elsewhere = make_contact(session, org, make_customer(session, org, "sales1").id, name="不共享")
    for username, access in (("outsider", "read"), ("sales3", "write")):
        customer_team.set_team_member(
            session,
            actor=org.actor(session, "sales1"),
            customer_id=customer.id,
            user_id=org.users[username].id,
            access=access,
        )
    session.commit()

    for username in ("outsider", "sales3"):
        who = org.actor(session, username)
        listed = records.list_visible(session, actor=who, spec=CONTACT, page_size=100).rows
        assert [r.name for r in listed] == ["团队可见"]
        assert records.get_visible(session, actor=who, spec=CONTACT, record_id=contact.id)
        with pytest.raises(NotFound):
            records.get_visible(session, actor=who, spec=CONTACT, record_id=elsewhere.id)

    def retitle(username):
        return contacts.update(
            session,
            actor=org.actor(session, username),
            contact_id=contact.id,
            values={"title": username},
            expected_version=None,
        )

    with pytest.raises(NotFound):
        retitle("outsider")
    retitle("sales3")
    session.commit()
    assert session.get(Contact, contact.id).title == "sales3"
