"""Customers (CUS-3): duplicate check on save, team members with read / read-write access,
transfer with and without cascade, lock/unlock, deal status, edit conflicts, bad input, and the
permission matrix for list, detail and export."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import (
    DuplicateCustomer,
    EditConflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    PoolLimitReached,
    ValidationFailed,
)
from core.models import (
    ChangeLog,
    Contact,
    Contract,
    Customer,
    Opportunity,
    Pool,
    ReceivablePlan,
    StageGroup,
    User,
)
from core.services import customer_team, customers, record_files, records
from core.services.customers import CUSTOMER
from core.validation import Upload
from tests.services.accounts_data import make_contact, make_customer, one_of_each

EVERYONE = {"admin", "manager", "sales1", "sales2", "sales3", "outsider"}
SCOPE = {
    "admin": EVERYONE,
    "manager": {"manager", "sales1", "sales2", "sales3"},
    "sales1": {"sales1"},
    "sales2": {"sales2"},
    "sales3": {"sales3"},
    "outsider": {"outsider"},
}


def actor(session, org, username):
    return org.actor(session, username)


def history(session, entity, record_id):
    rows = session.execute(
        select(ChangeLog.action, ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value)
        .where(ChangeLog.entity == entity, ChangeLog.record_id == record_id)
        .order_by(ChangeLog.id)
    )
    return [tuple(r) for r in rows]


def count(session, model):
    return session.scalar(select(func.count()).select_from(model).where(model.deleted_at.is_(None)))


# --- create, duplicate check, bad input ------------------------------------------------------


def test_a_new_customer_belongs_to_its_creator_and_its_creation_is_logged(session, org):
    made = customers.create(
        session, actor=actor(session, org, "sales1"), values={"name": "华为技术有限公司"}
    )
    session.commit()
    assert made.owner_id == org.users["sales1"].id and made.owned_since is not None
    assert history(session, "customer", made.id) == [("create", "", None, None)]


def test_saving_a_suffix_variant_of_an_existing_customer_needs_confirmation(session, org):
    make_customer(session, org, "sales2", name="华为技术有限公司")
    sales1 = actor(session, org, "sales1")
    with pytest.raises(DuplicateCustomer) as refused:
        customers.create(session, actor=sales1, values={"name": "华为技术（有限责任公司）"})
    assert refused.value.params == {"name": "华为技术有限公司"}
    assert [m.owner_name for m in refused.value.matches] == ["sales2"]
    customers.create(
        session, actor=sales1, values={"name": "华为技术（有限责任公司）"}, confirm_duplicate=True
    )
    assert count(session, Customer) == 2


def test_saving_a_customer_with_an_existing_phone_in_another_format_needs_confirmation(
    session, org
):
    make_customer(session, org, "sales2", name="甲公司", phone="010-12345678")
    with pytest.raises(DuplicateCustomer):
        customers.create(
            session,
            actor=actor(session, org, "sales1"),
            values={"name": "乙公司", "phone": "(010) 1234 5678"},
        )


def test_renaming_onto_another_customers_name_needs_confirmation(session, org):
    make_customer(session, org, "sales2", name="联想集团")
    mine = make_customer(session, org, "sales1", name="小米科技")
    with pytest.raises(DuplicateCustomer):
        customers.update(
            session,
            actor=actor(session, org, "sales1"),
            customer_id=mine.id,
            values={"name": "联想集团有限公司"},
            expected_version=mine.version,
        )


def test_editing_other_fields_of_a_customer_with_a_namesake_is_not_a_duplicate(session, org):
    make_customer(session, org, "sales2", name="联想集团")
    mine = make_customer(session, org, "sales1", name="联想")
    customers.update(
        session,
        actor=actor(session, org, "sales1"),
        customer_id=mine.id,
        values={"notes": "重点跟进"},
        expected_version=mine.version,
    )
    assert mine.notes == "重点跟进"


@pytest.mark.parametrize(
    ("values", "field", "key"),
    [
        ({"name": ""}, "name", "records.validation.required"),
        ({"name": "   "}, "name", "records.validation.required"),
        ({"name": "长" * 201}, "name", "records.validation.too_long"),
        ({"name": "甲", "phone": "打电话给我"}, "phone", "records.validation.phone"),
        ({"name": "甲", "website": "not a site"}, "website", "records.validation.url"),
        ({"name": "甲", "level": "S级"}, "level", "records.validation.unknown_option"),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_saved(session, org, values, field, key):
    with pytest.raises(ValidationFailed) as refused:
        customers.create(session, actor=actor(session, org, "sales1"), values=values)
    assert refused.value.errors[field][0] == key
    assert count(session, Customer) == 0


@pytest.mark.parametrize(
    "name", ["<script>alert(1)</script>", "'; DROP TABLE customers; --", "a%_\\b"]
)
def test_markup_and_sql_text_are_stored_verbatim(session, org, name):
    made = customers.create(session, actor=actor(session, org, "sales1"), values={"name": name})
    session.commit()
    assert session.scalar(select(Customer.name).where(Customer.id == made.id)) == name


# --- team members ---------------------------------------------------------------------------


@pytest.fixture
def shared(session, org):
    """sales1's customer with outsider as a read-only and sales3 as a read-write member."""
    customer = make_customer(session, org, "sales1", name="共享客户")
    owner = actor(session, org, "sales1")
    for username, access in (("outsider", "read"), ("sales3", "write")):
        customer_team.set_team_member(
            session,
            actor=owner,
            customer_id=customer.id,
            user_id=org.users[username].id,
            access=access,
        )
    session.commit()
    return customer


def rename(session, org, username, customer, name="改名后"):
    return customers.update(
        session,
        actor=actor(session, org, username),
        customer_id=customer.id,
        values={"name": name},
        expected_version=None,
    )


def test_a_read_only_team_member_sees_the_customer_but_may_not_edit_it(session, org, shared):
    outsider = actor(session, org, "outsider")
    assert customers.get(session, actor=outsider, customer_id=shared.id).name == "共享客户"
    with pytest.raises(NotAllowed) as refused:
        rename(session, org, "outsider", shared)
    assert refused.value.key == "customer.error.read_only"
    assert not customers.can_edit(session, outsider, shared)


def test_a_read_write_team_member_edits_the_customer(session, org, shared):
    rename(session, org, "sales3", shared, name="读写成员改的名")
    session.commit()
    assert session.get(Customer, shared.id).name == "读写成员改的名"


def test_team_members_may_not_transfer_lock_or_change_the_team(session, org, shared):
    sales3 = actor(session, org, "sales3")
    with pytest.raises(NotAllowed):
        customers.transfer(
            session, actor=sales3, customer_id=shared.id, to_user_id=org.users["sales3"].id
        )
    with pytest.raises(NotAllowed):
        customers.set_locked(session, actor=sales3, customer_id=shared.id, locked=True)
    with pytest.raises(NotAllowed):
        customer_team.remove_team_member(
            session, actor=sales3, customer_id=shared.id, user_id=org.users["outsider"].id
        )


def test_a_removed_team_member_no_longer_sees_the_customer(session, org, shared):
    customer_team.remove_team_member(
        session,
        actor=actor(session, org, "sales1"),
        customer_id=shared.id,
        user_id=org.users["outsider"].id,
    )
    session.commit()
    with pytest.raises(NotFound):
        customers.get(session, actor=actor(session, org, "outsider"), customer_id=shared.id)


def test_team_changes_are_in_the_customers_history_and_the_team_list(session, org, shared):
    team = customer_team.team(session, actor=actor(session, org, "outsider"), customer_id=shared.id)
    assert [(m.name, m.access) for m in team] == [("outsider", "read"), ("sales3", "write")]
    assert history(session, "customer", shared.id)[1:] == [
        ("team_read", "team_member", None, "outsider"),
        ("team_write", "team_member", None, "sales3"),
    ]


def test_the_owner_cannot_join_their_own_team(session, org, shared):
    with pytest.raises(ValidationFailed):
        customer_team.set_team_member(
            session,
            actor=actor(session, org, "sales1"),
            customer_id=shared.id,
            user_id=org.users["sales1"].id,
            access="write",
        )


# --- transfer -------------------------------------------------------------------------------


@pytest.fixture
def account(session, org):
    """sales1's customer with a contact, an opportunity and a contract."""
    customer = make_customer(session, org, "sales1", name="转移客户")
    make_contact(session, org, customer.id, "sales1")
    group = session.scalar(select(StageGroup.id))
    owner = org.users["sales1"].id
    session.add_all(
        [
            Opportunity(name="商机", customer_id=customer.id, stage_group_id=group, owner_id=owner),
            Contract(
                number="HT-1",
                name="合同",
                customer_id=customer.id,
                order_date=dt.date(2026, 11, 2),
                amount=Decimal("10.00"),
                owner_id=owner,
            ),
        ]
    )
    session.commit()
    return customer


def owners(session, model, customer_id):
    return set(session.scalars(select(model.owner_id).where(model.customer_id == customer_id)))


def test_transfer_without_cascade_moves_only_the_customer(session, org, account):
    customers.transfer(
        session,
        actor=actor(session, org, "manager"),
        customer_id=account.id,
        to_user_id=org.users["sales2"].id,
    )
    session.commit()
    sales1, sales2 = org.users["sales1"].id, org.users["sales2"].id
    assert session.get(Customer, account.id).owner_id == sales2
    assert owners(session, Contact, account.id) == {sales1}
    assert history(session, "customer", account.id)[-1] == (
        "transfer",
        "owner_id",
        str(sales1),
        str(sales2),
    )


def test_transfer_with_cascade_moves_contacts_opportunities_and_contracts(session, org, account):
    customers.transfer(
        session,
        actor=actor(session, org, "sales1"),
        customer_id=account.id,
        to_user_id=org.users["sales2"].id,
        cascade=True,
    )
    session.commit()
    sales2 = org.users["sales2"].id
    for model in (Customer, Contact, Opportunity, Contract):
        column = model.id if model is Customer else model.customer_id
        assert set(session.scalars(select(model.owner_id).where(column == account.id))) == {sales2}
    logged = session.execute(
        select(ChangeLog.entity).where(ChangeLog.action == "transfer").order_by(ChangeLog.entity)
    )
    assert list(logged.scalars()) == ["contact", "contract", "customer", "opportunity"]


def test_cascade_moves_a_contracts_receivable_plans_and_leaves_records_out_of_scope(
    session, org, account
):
    contract = session.scalar(select(Contract).where(Contract.customer_id == account.id))
    session.add(
        ReceivablePlan(
            contract_id=contract.id,
            customer_id=account.id,
            period=1,
            planned_amount=Decimal("10.00"),
            planned_date=dt.date(2026, 12, 1),
            owner_id=org.users["sales1"].id,
        )
    )
    stranger = Contact(name="外区联系人", customer_id=account.id, owner_id=org.users["outsider"].id)
    session.add(stranger)
    session.commit()
    customers.transfer(
        session,
        actor=actor(session, org, "sales1"),
        customer_id=account.id,
        to_user_id=org.users["sales2"].id,
        cascade=True,
    )
    session.commit()
    assert session.scalar(select(ReceivablePlan.owner_id)) == org.users["sales2"].id
    assert session.get(Contact, stranger.id).owner_id == org.users["outsider"].id


def test_transfer_to_a_disabled_user_is_refused(session, org, account):
    session.get(User, org.users["sales2"].id).is_active = False
    session.commit()
    with pytest.raises(ValidationFailed):
        customers.transfer(
            session,
            actor=actor(session, org, "sales1"),
            customer_id=account.id,
            to_user_id=org.users["sales2"].id,
        )


def test_a_rep_cannot_transfer_a_colleagues_customer(session, org, account):
    with pytest.raises(NotFound):
        customers.transfer(
            session,
            actor=actor(session, org, "sales2"),
            customer_id=account.id,
            to_user_id=org.users["sales2"].id,
        )


def owned_cap(session, limit: int) -> None:
    """Everyone belongs to no pool here, so the default pool's cap binds them all."""
    session.scalar(select(Pool).where(Pool.is_default.is_(True))).owned_customer_limit = limit
    session.commit()


def test_transfer_to_someone_at_the_owned_customer_limit_is_refused_and_changes_nothing(
    session, org, account
):
    make_customer(session, org, "sales2", name="已有客户")
    owned_cap(session, 1)
    with pytest.raises(PoolLimitReached) as failure:
        customers.transfer(
            session,
            actor=actor(session, org, "manager"),
            customer_id=account.id,
            to_user_id=org.users["sales2"].id,
            cascade=True,
        )
    session.rollback()
    assert (failure.value.key, failure.value.params) == ("pool.error.owned_limit", {"limit": 1})
    assert session.get(Customer, account.id).owner_id == org.users["sales1"].id
    assert owners(session, Contact, account.id) == {org.users["sales1"].id}
    assert "transfer" not in [action for action, *_ in history(session, "customer", account.id)]


def test_transfer_within_the_owned_customer_limit_goes_through(session, org, account):
    make_customer(session, org, "sales2", name="已有客户")
    owned_cap(session, 2)
    customers.transfer(
        session,
        actor=actor(session, org, "manager"),
        customer_id=account.id,
        to_user_id=org.users["sales2"].id,
    )
    session.commit()
    assert session.get(Customer, account.id).owner_id == org.users["sales2"].id


def test_creating_a_customer_past_the_owned_customer_limit_is_refused(session, org):
    make_customer(session, org, "sales1", name="甲")
    owned_cap(session, 1)
    with pytest.raises(PoolLimitReached):
        make_customer(session, org, "sales1", name="乙")
    session.rollback()
    assert session.scalars(select(Customer.name)).all() == ["甲"]
    make_customer(session, org, "sales2", name="丙")  # the cap is per owner


def test_deleted_customers_do_not_count_toward_the_owned_customer_limit(session, org):
    gone = make_customer(session, org, "sales1", name="已删除")
    kept = make_customer(session, org, "sales1", name="甲")
    owned_cap(session, 2)
    customers.delete(session, actor=actor(session, org, "manager"), customer_id=gone.id)
    session.commit()
    make_customer(session, org, "sales1", name="乙")  # 甲 and 乙: at the cap, not past it
    session.commit()
    with pytest.raises(PoolLimitReached):
        make_customer(session, org, "sales1", name="丙")
    session.rollback()
    assert session.get(Customer, kept.id).deleted_at is None


def test_a_pool_customer_is_assigned_not_transferred(session, org):
    pool = session.scalar(select(Pool.id))
    customer = Customer(name="公海客户", owner_id=None, pool_id=pool)
    session.add(customer)
    session.commit()
    with pytest.raises(InvalidTransition):
        customers.transfer(
            session,
            actor=actor(session, org, "admin"),
            customer_id=customer.id,
            to_user_id=org.users["sales1"].id,
        )


# --- lock, deal -------------------------------------------------------------------------------


def test_lock_and_unlock_are_logged(session, org, account):
    sales1 = actor(session, org, "sales1")
    customers.set_locked(session, actor=sales1, customer_id=account.id, locked=True)
    customers.set_locked(session, actor=sales1, customer_id=account.id, locked=False)
    session.commit()
    assert history(session, "customer", account.id)[-2:] == [
        ("lock", "is_locked", "false", "true"),
        ("unlock", "is_locked", "true", "false"),
    ]


def test_locking_beyond_the_pools_locked_customer_limit_is_refused(session, org):
    session.scalar(select(Pool).where(Pool.is_default.is_(True))).locked_customer_limit = 1
    first = make_customer(session, org, "sales1", name="甲")
    second = make_customer(session, org, "sales1", name="乙")
    sales1 = actor(session, org, "sales1")
    customers.set_locked(session, actor=sales1, customer_id=first.id, locked=True)
    with pytest.raises(PoolLimitReached):
        customers.set_locked(session, actor=sales1, customer_id=second.id, locked=True)


def test_an_approved_contract_makes_the_customer_dealt_once(session, org, account):
    first, later = dt.datetime(2026, 11, 2, 8), dt.datetime(2026, 11, 9, 8)
    customers.mark_dealt(session, customer_id=account.id, at=first)
    customers.mark_dealt(session, customer_id=account.id, at=later)
    session.commit()
    customer = session.get(Customer, account.id)
    assert customer.is_dealt and customer.dealt_at == first
    assert [h for h in history(session, "customer", account.id) if h[0] == "deal"] == [
        ("deal", "is_dealt", "false", "true")
    ]


# --- concurrent edits ----------------------------------------------------------------------------


def test_the_second_of_two_users_editing_the_same_customer_gets_an_edit_conflict(
    session, org, account
):
    version = account.version
    customers.update(
        session,
        actor=actor(session, org, "sales1"),
        customer_id=account.id,
        values={"notes": "第一位"},
        expected_version=version,
    )
    session.commit()
    with pytest.raises(EditConflict):
        customers.update(
            session,
            actor=actor(session, org, "manager"),
            customer_id=account.id,
            values={"notes": "第二位"},
            expected_version=version,
        )


# --- permission matrix ----------------------------------------------------------------------------


@pytest.fixture
def everyone(session, org):
    return one_of_each(session, org)


def owner_names(session, org, ids):
    by_id = {u.id: name for name, u in org.users.items()}
    owners_ = session.scalars(select(Customer.owner_id).where(Customer.id.in_(ids)))
    return {by_id[o] for o in owners_}


@pytest.mark.parametrize("username", [*SCOPE, "office"])
def test_each_role_lists_and_exports_exactly_the_customers_in_its_scope(
    session, org, everyone, username
):
    who = actor(session, org, username)
    expected = SCOPE.get(username, set())
    if username == "office":
        with pytest.raises(NotAllowed):
            records.list_visible(session, actor=who, spec=CUSTOMER)
        return
    page = records.list_visible(session, actor=who, spec=CUSTOMER, page_size=100)
    assert owner_names(session, org, [r.id for r in page.rows]) == expected
    exported = [
        r.id for chunk in records.iter_visible(session, actor=who, spec=CUSTOMER) for r in chunk
    ]
    assert owner_names(session, org, exported) == expected


@pytest.mark.parametrize("username", SCOPE)
def test_each_role_opens_exactly_the_customer_details_in_its_scope(
    session, org, everyone, username
):
    who = actor(session, org, username)
    opened = set()
    for owner, ids in everyone.items():
        try:
            customers.get(session, actor=who, customer_id=ids.customer_id)
            opened.add(owner)
        except NotFound:
            pass
    assert opened == SCOPE[username]


# --- files ------------------------------------------------------------------------------------


def test_files_are_attached_listed_downloaded_and_deleted_with_history(session, org, shared):
    owner = actor(session, org, "sales1")
    stored = customers.attach_file(
        session,
        actor=owner,
        customer_id=shared.id,
        upload=Upload("合同扫描件.pdf", "application/pdf", b"%PDF-1.7"),
    )
    session.commit()
    reader = actor(session, org, "outsider")
    [listed] = record_files.listing(session, actor=reader, spec=CUSTOMER, record_id=shared.id)
    assert (listed.filename, listed.uploaded_by) == ("合同扫描件.pdf", "sales1")
    got = record_files.download(
        session, actor=reader, spec=CUSTOMER, record_id=shared.id, attachment_id=stored.id
    )
    assert got.data == b"%PDF-1.7"
    with pytest.raises(NotFound):
        record_files.download(
            session,
            actor=actor(session, org, "sales2"),
            spec=CUSTOMER,
            record_id=shared.id,
            attachment_id=stored.id,
        )
    customers.remove_file(session, actor=owner, customer_id=shared.id, attachment_id=stored.id)
    session.commit()
    assert record_files.listing(session, actor=owner, spec=CUSTOMER, record_id=shared.id) == []
    assert [h[:2] for h in history(session, "customer", shared.id) if h[1] == "attachments"] == [
        ("attach", "attachments"),
        ("detach", "attachments"),
    ]


def test_a_read_only_member_may_not_attach_files(session, org, shared):
    with pytest.raises(NotAllowed):
        customers.attach_file(
            session,
            actor=actor(session, org, "outsider"),
            customer_id=shared.id,
            upload=Upload("a.txt", "text/plain", b"a"),
        )


# --- the customers list (owned customers; the pool has its own page) -------------------------


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "outsider"])
def test_the_customers_list_shows_owned_customers_in_scope_and_team_customers_not_the_pool(
    session, org, shared, username
):
    from tests.services.pool_helpers import default_pool, in_pool

    in_pool(session, default_pool(session, org), 2)
    make_customer(session, org, "sales2", name="sales2的客户")
    session.commit()
    who = actor(session, org, username)
    rows = records.list_visible(
        session, actor=who, spec=CUSTOMER, where=[customers.owned_clause(who)], page_size=100
    ).rows
    expected = {
        "admin": {"共享客户", "sales2的客户"},
        "manager": {"共享客户", "sales2的客户"},
        "sales1": {"共享客户"},
        "outsider": {"共享客户"},  # a read-only team member
    }[username]
    assert {r.name for r in rows} == expected
