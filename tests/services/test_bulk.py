"""Bulk actions on selected rows: transfer, delete, put into the pool and star are all or
nothing, refuse rows outside the actor's scope, and log each row's change (CUS-12)."""

import pytest
from sqlalchemy import select

from core.entities import FieldSpec, audit_fields, define
from core.errors import NotAllowed, PoolLimitReached, ValidationFailed
from core.models import ChangeLog, Customer, Favourite, Pool, PoolEvent
from core.services import bulk


def spec():
    from core.entities import get_spec

    try:
        import core.services.customers  # noqa: F401 — registers the "customer" spec
    except ModuleNotFoundError:
        return define(
            "bulk_customer",
            Customer,
            i18n="records",
            actions="crm.customer",
            fields=[
                FieldSpec("name", required=True, label="product.name"),
                *audit_fields(owner=True),
            ],
        )
    return get_spec("customer")


@pytest.fixture
def book(session, org):
    """Two customers per seller: "<user>-1", "<user>-2"."""
    for username in ("manager", "sales1", "sales2", "sales3", "outsider"):
        for n in (1, 2):
            session.add(Customer(name=f"{username}-{n}", owner_id=org.users[username].id))
    session.commit()
    return org


def ids(session, *names):
    rows = dict(session.execute(select(Customer.name, Customer.id)).all())
    return [rows[n] for n in names]


def owners(session, *names):
    rows = dict(session.execute(select(Customer.name, Customer.owner_id)).all())
    return [rows[n] for n in names]


def test_manager_transfers_team_customers_and_each_transfer_is_logged(session, book):
    manager, sales2 = book.actor(session, "manager"), book.users["sales2"]
    chosen = ids(session, "sales1-1", "sales3-2", "sales2-1")
    result = bulk.transfer(session, actor=manager, spec=spec(), ids=chosen, to_user_id=sales2.id)
    session.commit()
    assert (result.action, result.count) == ("transfer", 2)  # sales2-1 was already theirs
    assert owners(session, "sales1-1", "sales3-2", "sales2-1") == [sales2.id] * 3
    logged = session.scalars(
        select(ChangeLog.record_id).where(ChangeLog.action == "transfer")
    ).all()
    assert sorted(logged) == sorted(ids(session, "sales1-1", "sales3-2"))


def test_transfer_with_one_row_out_of_scope_changes_nothing(session, book):
    sales1 = book.actor(session, "sales1")
    chosen = ids(session, "sales1-1", "sales1-2", "outsider-1")
    with pytest.raises(bulk.RowsOutOfScope) as refused:
        bulk.transfer(
            session, actor=sales1, spec=spec(), ids=chosen, to_user_id=book.users["sales2"].id
        )
    session.rollback()
    assert refused.value.params == {"count": 1, "total": 3}
    assert owners(session, "sales1-1", "sales1-2") == [book.users["sales1"].id] * 2
    assert session.scalars(select(ChangeLog)).all() == []


def owned_cap(session, limit: int) -> None:
    """Nobody here belongs to a pool, so the default pool's cap binds everyone."""
    session.scalar(select(Pool).where(Pool.is_default.is_(True))).owned_customer_limit = limit
    session.commit()


def test_transfer_past_the_new_owners_customer_limit_changes_no_row(session, book):
    manager, sales2 = book.actor(session, "manager"), book.users["sales2"]
    owned_cap(session, 3)  # sales2 owns two; three more would make five
    chosen = ids(session, "sales1-1", "sales1-2", "sales3-1")
    with pytest.raises(PoolLimitReached) as refused:
        bulk.transfer(session, actor=manager, spec=spec(), ids=chosen, to_user_id=sales2.id)
    assert refused.value.key == "pool.error.owned_limit"
    session.rollback()
    assert owners(session, "sales1-1", "sales1-2", "sales3-1") == [
        book.users["sales1"].id,
        book.users["sales1"].id,
        book.users["sales3"].id,
    ]
    assert session.scalars(select(ChangeLog)).all() == []


def test_transfer_counts_only_the_customers_the_new_owner_gains(session, book):
    manager, sales2 = book.actor(session, "manager"), book.users["sales2"]
    owned_cap(session, 4)  # sales2 owns two, gains two; sales2-1 is already theirs
    chosen = ids(session, "sales1-1", "sales3-2", "sales2-1")
    bulk.transfer(session, actor=manager, spec=spec(), ids=chosen, to_user_id=sales2.id)
    session.commit()
    assert owners(session, "sales1-1", "sales3-2") == [sales2.id] * 2


def test_transfer_to_an_unknown_or_disabled_user_is_refused(session, book):
    manager = book.actor(session, "manager")
    book.users["sales3"].is_active = False
    session.commit()
    chosen = ids(session, "sales1-1")
    for target in (book.users["sales3"].id, 99999):
        with pytest.raises(ValidationFailed):
            bulk.transfer(session, actor=manager, spec=spec(), ids=chosen, to_user_id=target)


def test_transfer_needs_the_transfer_action(session, book):
    office = book.actor(session, "office")
    with pytest.raises(NotAllowed):
        bulk.transfer(
            session, actor=office, spec=spec(), ids=ids(session, "sales1-1"), to_user_id=1
        )


def test_an_empty_selection_is_refused(session, book):
    with pytest.raises(bulk.NothingSelected):
        bulk.delete(session, actor=book.actor(session, "admin"), spec=spec(), ids=[])


def test_bulk_delete_moves_rows_to_the_recycle_bin_and_logs_each(session, book):
    manager = book.actor(session, "manager")
    chosen = ids(session, "sales1-1", "sales2-2")
    result = bulk.delete(session, actor=manager, spec=spec(), ids=chosen)
    session.commit()
    assert result.count == 2
    deleted = session.scalars(select(Customer.name).where(Customer.deleted_at.is_not(None)))
    assert sorted(deleted) == ["sales1-1", "sales2-2"]
    logged = session.scalars(select(ChangeLog.record_id).where(ChangeLog.action == "delete"))
    assert sorted(logged) == sorted(chosen)


def test_a_rep_without_the_delete_right_deletes_nothing(session, book):
    sales1 = book.actor(session, "sales1")
    with pytest.raises(NotAllowed):
        bulk.delete(session, actor=sales1, spec=spec(), ids=ids(session, "sales1-1"))


def test_bulk_delete_out_of_scope_deletes_nothing(session, book):
    manager = book.actor(session, "manager")
    with pytest.raises(bulk.RowsOutOfScope):
        bulk.delete(session, actor=manager, spec=spec(), ids=ids(session, "sales1-1", "outsider-1"))
    session.rollback()
    assert session.scalars(select(Customer).where(Customer.deleted_at.is_not(None))).all() == []


def test_already_deleted_rows_count_as_out_of_scope(session, book):
    manager = book.actor(session, "manager")
    bulk.delete(session, actor=manager, spec=spec(), ids=ids(session, "sales1-1"))
    session.commit()
    with pytest.raises(bulk.RowsOutOfScope):
        bulk.delete(session, actor=manager, spec=spec(), ids=ids(session, "sales1-1", "sales1-2"))


def test_bulk_star_and_unstar(session, book):
    sales1 = book.actor(session, "sales1")
    chosen = ids(session, "sales1-1", "sales1-2")
    assert bulk.star(session, actor=sales1, spec=spec(), ids=chosen, starred=True).count == 2
    assert bulk.star(session, actor=sales1, spec=spec(), ids=chosen, starred=True).count == 0
    session.commit()
    assert len(session.scalars(select(Favourite)).all()) == 2
    assert bulk.star(session, actor=sales1, spec=spec(), ids=chosen, starred=False).count == 2


def test_put_into_pool_releases_every_row_or_none(session, book):
    pytest.importorskip("core.services.pools")
    manager = book.actor(session, "manager")
    pool = session.scalar(select(Pool))
    chosen = ids(session, "sales1-1", "sales2-1")
    result = bulk.to_pool(session, actor=manager, spec=spec(), ids=chosen, reason="长期未跟进")
    session.commit()
    assert result.count == 2
    assert owners(session, "sales1-1", "sales2-1") == [None, None]
    assert session.scalars(select(Customer.pool_id).where(Customer.id.in_(chosen))).all() == [
        pool.id,
        pool.id,
    ]
    assert len(session.scalars(select(PoolEvent)).all()) == 2


def test_put_into_pool_with_a_row_out_of_scope_releases_nothing(session, book):
    pytest.importorskip("core.services.pools")
    sales1 = book.actor(session, "sales1")
    chosen = ids(session, "sales1-1", "sales2-1")
    with pytest.raises(bulk.RowsOutOfScope):
        bulk.to_pool(session, actor=sales1, spec=spec(), ids=chosen, reason="不跟了")
    session.rollback()
    assert owners(session, "sales1-1") == [book.users["sales1"].id]
    assert session.scalars(select(PoolEvent)).all() == []


def test_bulk_transfer_of_customers_can_take_their_contacts_along(session, book):
    pytest.importorskip("core.services.customers")
    from core.models import Contact

    manager = book.actor(session, "manager")
    [cid] = ids(session, "sales1-1")
    session.add(Contact(name="联系人甲", customer_id=cid, owner_id=book.users["sales1"].id))
    session.commit()
    to = book.users["sales2"].id
    bulk.transfer(session, actor=manager, spec=spec(), ids=[cid], to_user_id=to, cascade=True)
    session.commit()
    assert session.scalar(select(Contact.owner_id)) == to


def test_bulk_delete_uses_the_entitys_own_delete_rule(session, book):
    calls = []
    bulk.register_hook(spec().name, "delete", lambda s, **kw: calls.append(kw["record_id"]))
    try:
        bulk.delete(
            session, actor=book.actor(session, "admin"), spec=spec(), ids=ids(session, "sales1-1")
        )
    finally:
        bulk._hooks.clear()
    assert calls == ids(session, "sales1-1")
