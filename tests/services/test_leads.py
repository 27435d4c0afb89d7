"""Leads (CUS-2): create, edit, transfer, and conversion into a customer + contact (+ opportunity)
all or nothing, moving follow-ups and files; converted leads are read-only; permission matrix."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from core import db as core_db
from core.errors import (
    DuplicateCustomer,
    NotAllowed,
    NotFound,
    PoolLimitReached,
    ValidationFailed,
)
from core.models import (
    Attachment,
    ChangeLog,
    Contact,
    Customer,
    FollowUp,
    Lead,
    Opportunity,
    Pool,
    Stage,
    StageGroup,
)
from core.services import followup_timeline, leads, records
from core.services.leads import LEAD, LeadConverted
from core.validation import Upload
from tests.services.accounts_data import add_followup, make_customer, make_lead, one_of_each

SCOPE = {
    "admin": {"admin", "manager", "sales1", "sales2", "sales3", "outsider"},
    "manager": {"manager", "sales1", "sales2", "sales3"},
    "sales1": {"sales1"},
    "sales2": {"sales2"},
    "outsider": {"outsider"},
}


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def lead(session, org):
    """sales1's lead with a follow-up (with a file) and a file of its own."""
    found = make_lead(
        session,
        org,
        "sales1",
        name="李总",
        company="星辰科技有限公司",
        mobile="13912345678",
        email="li@xingchen.cn",
        source="展会",
        industry="制造业",
        next_contact_at=dt.datetime(2026, 12, 1, 2, 0),
    )
    add_followup(
        session,
        org,
        "lead",
        found.id,
        content="展会上聊过",
        followed_at=dt.datetime(2026, 11, 2, 3, 0),
        attachments=[Upload("名片.png", "image/png", b"\x89PNG....")],
    )
    leads.attach_file(
        session,
        actor=org.actor(session, "sales1"),
        lead_id=found.id,
        upload=Upload("需求.docx", "application/msword", b"docx"),
    )
    session.commit()
    return found


def convert(session, org, lead_id, username="sales1", **parts):
    return leads.convert(session, actor=org.actor(session, username), lead_id=lead_id, **parts)


def test_conversion_creates_the_customer_and_its_contact_from_the_lead(session, org, lead):
    made = convert(session, org, lead.id)
    session.commit()
    customer, contact = made.customer, made.contact
    assert (customer.name, customer.source, customer.industry, customer.phone) == (
        "星辰科技有限公司",
        "展会",
        "制造业",
        "13912345678",
    )
    assert customer.next_contact_at == dt.datetime(2026, 12, 1, 2, 0)
    assert (contact.name, contact.mobile, contact.email, contact.customer_id) == (
        "李总",
        "13912345678",
        "li@xingchen.cn",
        customer.id,
    )
    assert made.opportunity is None
    stored = session.get(Lead, lead.id)
    assert stored.is_converted and stored.customer_id == customer.id
    assert stored.converted_at is not None


def test_conversion_moves_the_follow_ups_and_files_to_the_customer(session, org, lead):
    made = convert(session, org, lead.id)
    session.commit()
    notes = session.execute(
        select(FollowUp.subject_type, FollowUp.subject_id, FollowUp.customer_id)
    )
    assert [tuple(n) for n in notes] == [("customer", made.customer.id, made.customer.id)]
    files = session.execute(
        select(Attachment.subject_type, Attachment.filename).order_by(Attachment.id)
    )
    assert [tuple(f) for f in files] == [("followup", "名片.png"), ("customer", "需求.docx")]
    session.expire_all()
    assert session.get(Customer, made.customer.id).last_followup_at == dt.datetime(2026, 11, 2, 3)
    entries, _ = followup_timeline.timeline(
        session,
        actor=org.actor(session, "sales1"),
        subject_type="customer",
        subject_id=made.customer.id,
    )
    assert [e.content for e in entries] == ["展会上聊过"]


def test_conversion_is_in_the_history_of_both_lead_and_customer(session, org, lead):
    made = convert(session, org, lead.id)
    session.commit()
    rows = session.execute(
        select(ChangeLog.entity, ChangeLog.field, ChangeLog.new_value).where(
            ChangeLog.action == "convert"
        )
    )
    assert sorted(tuple(r) for r in rows) == [
        ("customer", "converted_from", "李总"),
        ("lead", "customer_id", str(made.customer.id)),
    ]


def test_conversion_with_an_opportunity_starts_it_in_the_first_stage(session, org, lead):
    made = convert(session, org, lead.id, opportunity={"name": "星辰一期", "amount": "50000"})
    session.commit()
    group = session.scalar(select(StageGroup).where(StageGroup.is_default.is_(True)))
    first = session.scalar(select(Stage).where(Stage.group_id == group.id).order_by(Stage.position))
    opp = session.get(Opportunity, made.opportunity.id)
    assert (opp.name, opp.customer_id, opp.stage_id) == ("星辰一期", made.customer.id, first.id)
    assert opp.owner_id == org.users["sales1"].id


def test_a_manager_converting_a_reps_lead_leaves_everything_with_the_rep(session, org, lead):
    made = convert(session, org, lead.id, username="manager", opportunity={"name": "一期"})
    owner = org.users["sales1"].id
    assert {made.customer.owner_id, made.contact.owner_id, made.opportunity.owner_id} == {owner}


def _convert_in_own_transaction(org, lead_id, **parts):
    with core_db.transaction() as s:
        leads.convert(s, actor=org.actor(s, "sales1"), lead_id=lead_id, **parts)


def _nothing_changed(session, lead_id):
    session.expire_all()
    assert count(session, Customer) == 0 and count(session, Contact) == 0
    assert count(session, Opportunity) == 0
    assert not session.get(Lead, lead_id).is_converted
    assert session.scalar(select(FollowUp.subject_type)) == "lead"
    assert session.scalar(select(func.count()).where(Attachment.subject_type == "lead")) == 1


def test_a_bad_contact_field_fails_the_whole_conversion(session, org, lead):
    with pytest.raises(ValidationFailed) as refused:
        _convert_in_own_transaction(org, lead.id, contact={"mobile": "12345"})
    assert refused.value.errors == {"contact.mobile": ("records.validation.mobile", {})}
    _nothing_changed(session, lead.id)


def test_a_bad_opportunity_fails_the_whole_conversion(session, org, lead):
    with pytest.raises(ValidationFailed) as refused:
        _convert_in_own_transaction(org, lead.id, opportunity={"name": "一期", "amount": "很多"})
    assert "opportunity.amount" in refused.value.errors
    _nothing_changed(session, lead.id)


def test_an_empty_customer_name_is_reported_for_the_customer_part(session, org, lead):
    with pytest.raises(ValidationFailed) as refused:
        _convert_in_own_transaction(org, lead.id, customer={"name": " "})
    assert list(refused.value.errors) == ["customer.name"]
    _nothing_changed(session, lead.id)


def test_converting_onto_an_existing_customer_name_needs_confirmation(session, org, lead):
    make_customer(session, org, "sales2", name="星辰科技")
    session.commit()
    with pytest.raises(DuplicateCustomer):
        _convert_in_own_transaction(org, lead.id)
    session.expire_all()
    assert count(session, Customer) == 1 and not session.get(Lead, lead.id).is_converted
    _convert_in_own_transaction(org, lead.id, confirm_duplicate=True)
    assert count(session, Customer) == 2


def owned_cap(session, limit: int) -> None:
    """Nobody here belongs to a pool, so the default pool's cap binds everyone."""
    session.scalar(select(Pool).where(Pool.is_default.is_(True))).owned_customer_limit = limit
    session.commit()


def test_conversion_is_refused_when_the_leads_owner_is_at_the_owned_customer_limit(
    session, org, lead
):
    make_customer(session, org, "sales1", name="已有客户")
    owned_cap(session, 1)
    with pytest.raises(PoolLimitReached) as failure, core_db.transaction() as s:
        leads.convert(s, actor=org.actor(s, "manager"), lead_id=lead.id)
    assert failure.value.key == "pool.error.owned_limit"
    session.expire_all()
    assert count(session, Customer) == 1 and count(session, Contact) == 0
    assert not session.get(Lead, lead.id).is_converted
    assert session.scalar(select(FollowUp.subject_type)) == "lead"


def test_the_converters_own_customers_do_not_count_against_the_leads_owner(session, org, lead):
    make_customer(session, org, "manager", name="经理的客户")
    owned_cap(session, 1)
    made = convert(session, org, lead.id, username="manager")
    assert made.customer.owner_id == org.users["sales1"].id


def test_a_converted_lead_is_read_only(session, org, lead):
    convert(session, org, lead.id)
    session.commit()
    sales1 = org.actor(session, "sales1")
    with pytest.raises(LeadConverted):
        leads.update(
            session, actor=sales1, lead_id=lead.id, values={"name": "改"}, expected_version=None
        )
    with pytest.raises(LeadConverted):
        convert(session, org, lead.id)
    with pytest.raises(LeadConverted):
        leads.transfer(session, actor=sales1, lead_id=lead.id, to_user_id=org.users["sales2"].id)
    with pytest.raises(LeadConverted):
        leads.attach_file(
            session, actor=sales1, lead_id=lead.id, upload=Upload("a.txt", "text/plain", b"a")
        )


def test_a_rep_cannot_convert_a_colleagues_lead(session, org, lead):
    with pytest.raises(NotFound):
        convert(session, org, lead.id, username="sales2")


def test_office_staff_cannot_convert_leads(session, org, lead):
    with pytest.raises(NotAllowed):
        convert(session, org, lead.id, username="office")


# --- create, edit, transfer -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "key"),
    [
        ({"name": ""}, "name", "records.validation.required"),
        ({"name": "名" * 101}, "name", "records.validation.too_long"),
        ({"name": "甲", "email": "li@"}, "email", "records.validation.email"),
        ({"name": "甲", "mobile": "1391234567"}, "mobile", "records.validation.mobile"),
        (
            {"name": "甲", "source": "'; DROP TABLE leads; --"},
            "source",
            "records.validation.unknown_option",
        ),
    ],
)
def test_bad_lead_input_is_refused_and_nothing_saved(session, org, values, field, key):
    with pytest.raises(ValidationFailed) as refused:
        leads.create(session, actor=org.actor(session, "sales1"), values=values)
    assert refused.value.errors[field][0] == key
    assert count(session, Lead) == 0


def test_a_lead_mobile_with_country_code_and_dashes_is_stored_as_eleven_digits(session, org):
    made = make_lead(session, org, mobile="+86 139-1234-5678")
    assert made.mobile == "13912345678"


def test_transfer_gives_the_lead_to_a_colleague_and_is_logged(session, org, lead):
    leads.transfer(
        session,
        actor=org.actor(session, "manager"),
        lead_id=lead.id,
        to_user_id=org.users["sales2"].id,
    )
    session.commit()
    assert session.get(Lead, lead.id).owner_id == org.users["sales2"].id
    logged = session.execute(
        select(ChangeLog.action, ChangeLog.old_value, ChangeLog.new_value).where(
            ChangeLog.entity == "lead", ChangeLog.action == "transfer"
        )
    ).one()
    assert tuple(logged) == ("transfer", str(org.users["sales1"].id), str(org.users["sales2"].id))


# --- permission matrix ----------------------------------------------------------------------------


@pytest.fixture
def everyone(session, org):
    return one_of_each(session, org)


def owners(session, org, ids):
    by_id = {u.id: name for name, u in org.users.items()}
    return {by_id[o] for o in session.scalars(select(Lead.owner_id).where(Lead.id.in_(ids)))}


@pytest.mark.parametrize("username", SCOPE)
def test_each_role_lists_exports_and_opens_exactly_the_leads_in_its_scope(
    session, org, everyone, username
):
    who = org.actor(session, username)
    page = records.list_visible(session, actor=who, spec=LEAD, page_size=100)
    assert owners(session, org, [r.id for r in page.rows]) == SCOPE[username]
    exported = [r.id for c in records.iter_visible(session, actor=who, spec=LEAD) for r in c]
    assert owners(session, org, exported) == SCOPE[username]
    opened = set()
    for owner, ids in everyone.items():
        try:
            records.get_visible(session, actor=who, spec=LEAD, record_id=ids.lead_id)
            opened.add(owner)
        except NotFound:
            pass
    assert opened == SCOPE[username]


def test_office_staff_see_no_leads(session, org, everyone):
    with pytest.raises(NotAllowed):
        records.list_visible(session, actor=org.actor(session, "office"), spec=LEAD)
