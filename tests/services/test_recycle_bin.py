"""Recycle bin (CUS-12): deleted records with who deleted them and when, restore, and purge with
the rows that belong to the record — refused while other records still reference it."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.entities import FieldSpec, audit_fields, define
from core.errors import NotAllowed, NotFound
from core.models import (
    Attachment,
    ChangeLog,
    Contact,
    Contract,
    ContractLine,
    Customer,
    CustomerTeamMember,
    Favourite,
    FollowUp,
    PoolEvent,
    Product,
)
from core.services import records, recycle_bin
from core.services.products import PRODUCT

CUSTOMER = define(
    "bin_customer",
    Customer,
    i18n="records",
    actions="crm.customer",
    search_fields=("name",),
    fields=[FieldSpec("name", required=True, label="product.name"), *audit_fields(owner=True)],
)


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def deleted_product(session, org):
    admin = org.actor(session, "admin")
    product = Product(name="旧打印机", code="OLD-1", price=Decimal("10"))
    session.add(product)
    session.flush()
    image = Attachment(
        subject_type="product", subject_id=product.id, filename="a.png",
        content_type="image/png", size=3, data=b"png",
    )  # fmt: skip
    session.add(image)
    session.flush()
    product.image_id = image.id
    session.commit()
    records.soft_delete(session, actor=admin, spec=PRODUCT, record_id=product.id)
    session.commit()
    return product


def test_the_bin_lists_deleted_records_with_who_deleted_them(session, org, deleted_product):
    admin = org.actor(session, "admin")
    session.add(Product(name="在售产品", code="NEW-1", price=Decimal("1")))
    session.commit()
    [row] = recycle_bin.list_deleted(session, actor=admin, spec=PRODUCT)
    assert (row.id, row.title, row.deleted_by) == (deleted_product.id, "旧打印机", "admin")
    assert isinstance(row.deleted_at, dt.datetime)
    assert recycle_bin.count_deleted(session, actor=admin, spec=PRODUCT) == 1


def test_restore_brings_the_record_back_and_logs_it(session, org, deleted_product):
    admin = org.actor(session, "admin")
    assert recycle_bin.restore(session, actor=admin, spec=PRODUCT, ids=[deleted_product.id]) == 1
    session.commit()
    assert session.get(Product, deleted_product.id).deleted_at is None
    actions = session.scalars(select(ChangeLog.action).order_by(ChangeLog.id)).all()
    assert actions[-2:] == ["delete", "restore"]


def test_purge_removes_the_record_and_its_image_but_keeps_its_history(
    session, org, deleted_product
):
    admin = org.actor(session, "admin")
    recycle_bin.purge(session, actor=admin, spec=PRODUCT, record_id=deleted_product.id)
    session.commit()
    assert count(session, Product) == 0
    assert count(session, Attachment) == 0
    actions = session.scalars(
        select(ChangeLog.action).where(ChangeLog.record_id == deleted_product.id)
    ).all()
    assert actions == ["delete", "purge"]


def test_purge_is_refused_while_a_contract_line_uses_the_product(session, org, deleted_product):
    admin = org.actor(session, "admin")
    customer = Customer(name="客户甲", owner_id=org.users["sales1"].id)
    session.add(customer)
    session.flush()
    contract = Contract(
        number="HT1", name="合同", customer_id=customer.id, order_date=dt.date(2026, 1, 1)
    )
    session.add(contract)
    session.flush()
    session.add(
        ContractLine(
            contract_id=contract.id, product_id=deleted_product.id, price=Decimal("1"),
            quantity=Decimal("1"), subtotal=Decimal("1"),
        )
    )  # fmt: skip
    session.commit()
    with pytest.raises(recycle_bin.StillReferenced) as refused:
        recycle_bin.purge(session, actor=admin, spec=PRODUCT, record_id=deleted_product.id)
    session.rollback()
    assert "1" in refused.value.params["what"]
    assert count(session, Product) == 1 and count(session, Attachment) == 1


def test_purging_a_customer_takes_its_follow_ups_team_stars_and_pool_history(session, org):
    admin = org.actor(session, "admin")
    customer = Customer(name="要清除的客户", owner_id=org.users["sales1"].id)
    session.add(customer)
    session.flush()
    session.add_all(
        [
            FollowUp(subject_type="bin_customer", subject_id=customer.id,
                     customer_id=customer.id, content="电话沟通"),
            CustomerTeamMember(customer_id=customer.id, user_id=org.users["sales2"].id),
            Favourite(user_id=org.users["admin"].id, subject_type="bin_customer",
                      subject_id=customer.id),
            PoolEvent(customer_id=customer.id, kind="release"),
        ]
    )  # fmt: skip
    customer.deleted_at = dt.datetime(2026, 1, 1)
    session.commit()
    recycle_bin.purge(session, actor=admin, spec=CUSTOMER, record_id=customer.id)
    session.commit()
    for model in (Customer, FollowUp, CustomerTeamMember, Favourite, PoolEvent):
        assert count(session, model) == 0, model
    purged = session.scalars(select(ChangeLog.entity).where(ChangeLog.action == "purge")).all()
    assert sorted(purged) == ["bin_customer", "followup"]


def test_purging_a_customer_with_contacts_is_refused_and_keeps_everything(session, org):
    admin = org.actor(session, "admin")
    customer = Customer(name="有联系人的客户", deleted_at=dt.datetime(2026, 1, 1))
    session.add(customer)
    session.flush()
    session.add(Contact(name="王五", customer_id=customer.id))
    session.add(FollowUp(subject_type="bin_customer", subject_id=customer.id, content="拜访"))
    session.commit()
    with pytest.raises(recycle_bin.StillReferenced):
        recycle_bin.purge(session, actor=admin, spec=CUSTOMER, record_id=customer.id)
    session.rollback()
    assert count(session, Customer) == 1 and count(session, FollowUp) == 1


def test_a_live_record_cannot_be_purged(session, org):
    admin = org.actor(session, "admin")
    product = Product(name="在售", code="LIVE", price=Decimal("1"))
    session.add(product)
    session.commit()
    with pytest.raises(recycle_bin.NotDeleted):
        recycle_bin.purge(session, actor=admin, spec=PRODUCT, record_id=product.id)


def test_reps_have_no_recycle_bin(session, org, deleted_product):
    sales1 = org.actor(session, "sales1")
    assert recycle_bin.bin_specs(sales1) == []
    with pytest.raises(NotAllowed):
        recycle_bin.list_deleted(session, actor=sales1, spec=PRODUCT)
    with pytest.raises(NotAllowed):
        recycle_bin.restore(session, actor=sales1, spec=PRODUCT, ids=[deleted_product.id])


def test_a_manager_sees_and_restores_only_deleted_records_of_his_team(session, org):
    manager = org.actor(session, "manager")
    gone = dt.datetime(2026, 1, 1)
    mine = Customer(name="团队的", owner_id=org.users["sales1"].id, deleted_at=gone)
    theirs = Customer(name="华南的", owner_id=org.users["outsider"].id, deleted_at=gone)
    session.add_all([mine, theirs])
    session.commit()
    rows = recycle_bin.list_deleted(session, actor=manager, spec=CUSTOMER)
    assert [r.title for r in rows] == ["团队的"]
    with pytest.raises(NotFound):
        recycle_bin.restore(session, actor=manager, spec=CUSTOMER, ids=[mine.id, theirs.id])
    session.rollback()
    assert session.get(Customer, mine.id).deleted_at is not None


def test_admin_bin_covers_every_soft_deleted_entity_once_per_model(session, org):
    specs = recycle_bin.bin_specs(org.actor(session, "admin"))
    models = [s.model for s in specs]
    assert Product in models and Customer in models
    assert len(models) == len(set(models))


def test_restoring_a_customer_past_its_owners_cap_on_customers_owned_is_refused(session, org):
    from core.errors import PoolLimitReached
    from core.models import Pool

    owner = org.users["sales1"].id
    session.add(Customer(name="在用的客户", owner_id=owner))
    gone = Customer(name="已删除的客户", owner_id=owner, deleted_at=dt.datetime(2026, 1, 1))
    session.add(gone)
    session.scalar(select(Pool).where(Pool.is_default.is_(True))).owned_customer_limit = 1
    session.commit()
    with pytest.raises(PoolLimitReached):
        recycle_bin.restore(session, actor=org.actor(session, "admin"), spec=CUSTOMER,
                            ids=[gone.id])  # fmt: skip
    session.rollback()
    assert session.get(Customer, gone.id).deleted_at is not None
    session.scalar(select(Pool).where(Pool.is_default.is_(True))).owned_customer_limit = 2
    session.commit()
    recycle_bin.restore(session, actor=org.actor(session, "admin"), spec=CUSTOMER, ids=[gone.id])
    session.commit()
    assert session.get(Customer, gone.id).deleted_at is None
