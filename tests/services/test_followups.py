"""Follow-ups (CUS-10): on every kind of record, keeping the customer's last follow-up and next
contact times, with files; the timeline; bad input; the permission matrix."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import NotAllowed, NotFound, ValidationFailed
from core.models import Attachment, Contract, Customer, FollowUp, Lead, Opportunity, StageGroup
from core.services import customer_team, followup_timeline, followups, leads, records
from core.services.followups import FOLLOWUP
from core.validation import Upload
from tests.services.accounts_data import (
    add_followup,
    make_contact,
    make_customer,
    make_lead,
    one_of_each,
)

HOUR = dt.timedelta(hours=1)
SCOPE = {
    "admin": {"admin", "manager", "sales1", "sales2", "sales3", "outsider"},
    "manager": {"manager", "sales1", "sales2", "sales3"},
    "sales1": {"sales1"},
    "sales3": {"sales3"},
    "outsider": {"outsider"},
}


def now():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).replace(microsecond=0)


@pytest.fixture
def customer(session, org):
    found = make_customer(session, org, "sales1", name="跟进客户")
    session.commit()
    return found


def test_a_follow_up_sets_the_customers_last_follow_up_and_next_contact(session, org, customer):
    at, following = now() - HOUR, now() + 24 * HOUR
    version = customer.version
    add_followup(session, org, "customer", customer.id, followed_at=at, next_contact_at=following)
    session.commit()
    session.expire_all()
    stored = session.get(Customer, customer.id)
    assert (stored.last_followup_at, stored.next_contact_at) == (at, following)
    assert stored.version == version  # bookkeeping does not collide with someone's open form


def test_an_older_follow_up_does_not_move_the_last_follow_up_back(session, org, customer):
    recent = now() - HOUR
    add_followup(session, org, "customer", customer.id, followed_at=recent)
    add_followup(session, org, "customer", customer.id, followed_at=recent - 9 * HOUR)
    session.commit()
    session.expire_all()
    assert session.get(Customer, customer.id).last_followup_at == recent


def test_a_follow_up_on_a_contact_belongs_to_its_customer(session, org, customer):
    contact = make_contact(session, org, customer.id)
    following = now() + HOUR
    note = add_followup(session, org, "contact", contact.id, next_contact_at=following)
    session.commit()
    session.expire_all()
    assert note.customer_id == customer.id
    assert session.get(Customer, customer.id).last_followup_at == note.followed_at
    assert contact.next_contact_at == following


def test_follow_ups_on_opportunities_and_contracts_belong_to_their_customer(session, org, customer):
    group = session.scalar(select(StageGroup.id))
    owner = org.users["sales1"].id
    opp = Opportunity(name="商机", customer_id=customer.id, stage_group_id=group, owner_id=owner)
    contract = Contract(
        number="HT-9",
        name="合同",
        customer_id=customer.id,
        order_date=dt.date(2026, 11, 2),
        amount=Decimal("1.00"),
        owner_id=owner,
    )
    session.add_all([opp, contract])
    session.commit()
    made = [
        add_followup(session, org, "opportunity", opp.id),
        add_followup(session, org, "contract", contract.id),
    ]
    assert {m.customer_id for m in made} == {customer.id}


def test_a_follow_up_on_a_lead_has_no_customer_until_conversion(session, org):
    lead = make_lead(session, org)
    following = now() + HOUR
    note = add_followup(session, org, "lead", lead.id, next_contact_at=following)
    assert note.customer_id is None
    session.commit()
    session.expire_all()
    assert session.get(Lead, lead.id).next_contact_at == following


def test_a_converted_lead_takes_no_more_follow_ups(session, org):
    lead = make_lead(session, org, company="转换公司")
    leads.convert(session, actor=org.actor(session, "sales1"), lead_id=lead.id)
    with pytest.raises(leads.LeadConverted):
        add_followup(session, org, "lead", lead.id)


def test_nobody_follows_up_a_record_they_cannot_see(session, org, customer):
    with pytest.raises(NotFound):
        add_followup(session, org, "customer", customer.id, by="sales2")
    with pytest.raises(NotFound):
        add_followup(session, org, "invoice", customer.id)


def test_office_staff_may_not_write_follow_ups(session, org, customer):
    with pytest.raises(NotAllowed):
        add_followup(session, org, "customer", customer.id, by="office")


@pytest.mark.parametrize(
    ("kw", "field", "key"),
    [
        ({"content": ""}, "content", "records.validation.required"),
        ({"content": "字" * 2001}, "content", "records.validation.too_long"),
        ({"kind": "飞鸽传书"}, "kind", "records.validation.unknown_option"),
        ({"followed_at": "昨天"}, "followed_at", "records.validation.not_a_date"),
        ({"followed_at": now() + 48 * HOUR}, "followed_at", "followup.error.in_future"),
        (
            {"followed_at": now() - HOUR, "next_contact_at": now() - 2 * HOUR},
            "next_contact_at",
            "followup.error.next_before_followed",
        ),
    ],
)
def test_bad_follow_up_input_is_refused_and_nothing_is_saved(
    session, org, customer, kw, field, key
):
    with pytest.raises(ValidationFailed) as refused:
        add_followup(session, org, "customer", customer.id, **kw)
    assert refused.value.errors[field][0] == key
    assert session.scalar(select(func.count()).select_from(FollowUp)) == 0


def test_script_text_in_a_follow_up_is_kept_verbatim(session, org, customer):
    note = add_followup(session, org, "customer", customer.id, content="<script>alert(1)</script>")
    session.commit()
    assert session.scalar(select(FollowUp.content).where(FollowUp.id == note.id)) == (
        "<script>alert(1)</script>"
    )


def test_files_are_attached_and_handed_out_only_to_those_who_see_the_subject(
    session, org, customer
):
    files = [Upload("报价单.pdf", "application/pdf", b"%PDF-1.4 ...")]
    note = add_followup(session, org, "customer", customer.id, attachments=files)
    session.commit()
    entries, total = followup_timeline.timeline(
        session,
        actor=org.actor(session, "manager"),
        subject_type="customer",
        subject_id=customer.id,
    )
    [info] = entries[0].files
    assert (total, info.filename) == (1, "报价单.pdf")
    got = followup_timeline.file(
        session, actor=org.actor(session, "manager"), attachment_id=info.id
    )
    assert got.data == b"%PDF-1.4 ..." and note.id == got.subject_id
    with pytest.raises(NotFound):
        followup_timeline.file(session, actor=org.actor(session, "sales2"), attachment_id=info.id)


@pytest.mark.parametrize(
    ("upload", "key"),
    [
        (Upload("空.txt", "text/plain", b""), "followup.files.empty"),
        (
            Upload("大.bin", "application/octet-stream", b"0" * (10 * 1024 * 1024 + 1)),
            "followup.files.too_large",
        ),
    ],
)
def test_empty_or_oversized_files_are_refused(session, org, customer, upload, key):
    with pytest.raises(ValidationFailed) as refused:
        add_followup(session, org, "customer", customer.id, attachments=[upload])
    assert refused.value.errors["attachments"][0] == key
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_the_customer_timeline_is_newest_first_and_includes_its_contacts(session, org, customer):
    contact = make_contact(session, org, customer.id)
    add_followup(
        session, org, "customer", customer.id, content="第一次", followed_at=now() - 3 * HOUR
    )
    add_followup(
        session, org, "contact", contact.id, content="第二次", followed_at=now() - 2 * HOUR
    )
    add_followup(session, org, "customer", customer.id, by="manager", content="第三次")
    session.commit()
    entries, total = followup_timeline.timeline(
        session, actor=org.actor(session, "sales1"), subject_type="customer", subject_id=customer.id
    )
    assert total == 3
    assert [(e.content, e.author) for e in entries] == [
        ("第三次", "manager"),
        ("第二次", "sales1"),
        ("第一次", "sales1"),
    ]
    contact_only, _ = followup_timeline.timeline(
        session, actor=org.actor(session, "sales1"), subject_type="contact", subject_id=contact.id
    )
    assert [e.content for e in contact_only] == ["第二次"]


def test_a_team_member_sees_the_whole_timeline_of_the_customer(session, org, customer):
    add_followup(session, org, "customer", customer.id, content="负责人写的")
    customer_team.set_team_member(
        session,
        actor=org.actor(session, "sales1"),
        customer_id=customer.id,
        user_id=org.users["outsider"].id,
        access="read",
    )
    session.commit()
    entries, _ = followup_timeline.timeline(
        session,
        actor=org.actor(session, "outsider"),
        subject_type="customer",
        subject_id=customer.id,
    )
    assert [e.content for e in entries] == ["负责人写的"]


def test_deleting_the_latest_follow_up_moves_the_last_follow_up_time_back(session, org, customer):
    earlier = now() - 5 * HOUR
    add_followup(session, org, "customer", customer.id, followed_at=earlier)
    latest = add_followup(session, org, "customer", customer.id, followed_at=now() - HOUR)
    session.commit()
    followups.delete(session, actor=org.actor(session, "sales1"), followup_id=latest.id)
    session.commit()
    session.expire_all()
    assert session.get(Customer, customer.id).last_followup_at == earlier


# --- permission matrix ------------------------------------------------------------------------


@pytest.fixture
def everyone(session, org):
    return one_of_each(session, org)


def authors(session, org, ids):
    by_id = {u.id: name for name, u in org.users.items()}
    return {
        by_id[o] for o in session.scalars(select(FollowUp.owner_id).where(FollowUp.id.in_(ids)))
    }


@pytest.mark.parametrize("username", SCOPE)
def test_each_role_lists_exports_and_opens_exactly_the_follow_ups_in_its_scope(
    session, org, everyone, username
):
    who = org.actor(session, username)
    page = records.list_visible(session, actor=who, spec=FOLLOWUP, page_size=100)
    assert authors(session, org, [r.id for r in page.rows]) == SCOPE[username]
    exported = [r.id for c in records.iter_visible(session, actor=who, spec=FOLLOWUP) for r in c]
    assert authors(session, org, exported) == SCOPE[username]
    opened = set()
    for owner, ids in everyone.items():
        try:
            records.get_visible(session, actor=who, spec=FOLLOWUP, record_id=ids.followup_id)
            opened.add(owner)
        except NotFound:
            pass
    assert opened == SCOPE[username]


def test_office_staff_see_no_follow_ups(session, org, everyone):
    with pytest.raises(NotAllowed):
        records.list_visible(session, actor=org.actor(session, "office"), spec=FOLLOWUP)
