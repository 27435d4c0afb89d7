"""Saved views and stars: built-in views (all, mine, my subordinates', starred, converted leads)
and named filter sets return exactly the right rows for each role; stars stay personal."""

import datetime as dt

import pytest

from core.entities import FieldSpec, ViewSpec, audit_fields, define, standard_views
from core.errors import NotFound, ValidationFailed
from core.models import Customer, Lead
from core.services import records, saved_views

CUSTOMER = define(
    "views_customer",
    Customer,
    i18n="records",
    actions="crm.customer",
    fields=[
        FieldSpec("name", required=True, filterable=True, label="product.name"),
        FieldSpec("level", filterable=True, label="product.name"),
        *audit_fields(owner=True),
    ],
)
LEAD = define(
    "views_lead",
    Lead,
    i18n="records",
    actions="crm.lead",
    views=(
        *standard_views(owned=True),
        ViewSpec("converted", equals=(("is_converted", True),)),
    ),
    fields=[FieldSpec("name", required=True, label="product.name"), *audit_fields(owner=True)],
)
OWNERS = ("admin", "manager", "sales1", "sales2", "sales3", "outsider")


@pytest.fixture
def book(session, org):
    """Two customers per seller: "<user>-A" (level A) and "<user>-B" (level B)."""
    for username in OWNERS:
        for level in ("A", "B"):
            session.add(
                Customer(name=f"{username}-{level}", level=level, owner_id=org.users[username].id)
            )
    session.commit()
    return org


def names_in(session, actor, spec, key, **query):
    view = saved_views.resolve(session, actor=actor, spec=spec, key=key)
    page = records.list_visible(
        session,
        actor=actor,
        spec=spec,
        where=view.where,
        filters=query.get("filters", view.filters),
        search=view.search,
        page_size=100,
    )
    return sorted(r.name for r in page.rows)


def ids_named(session, *names):
    return [session.query(Customer.id).filter(Customer.name == n).scalar() for n in names]


def test_mine_shows_only_the_actors_own_records(session, book):
    sales1 = book.actor(session, "sales1")
    assert names_in(session, sales1, CUSTOMER, "mine") == ["sales1-A", "sales1-B"]


def test_subordinates_view_shows_the_team_below_the_manager_but_not_himself(session, book):
    manager = book.actor(session, "manager")
    expected = sorted(f"{u}-{lv}" for u in ("sales1", "sales2", "sales3") for lv in "AB")
    assert names_in(session, manager, CUSTOMER, "subordinates") == expected


def test_a_rep_without_subordinates_sees_an_empty_subordinates_view(session, book):
    assert names_in(session, book.actor(session, "sales2"), CUSTOMER, "subordinates") == []


def test_all_view_is_the_data_scope(session, book):
    manager = book.actor(session, "manager")
    assert len(names_in(session, manager, CUSTOMER, "all")) == 8
    assert len(names_in(session, book.actor(session, "admin"), CUSTOMER, "all")) == 12


def test_starred_view_lists_the_actors_stars_only(session, book):
    manager, sales1 = book.actor(session, "manager"), book.actor(session, "sales1")
    saved_views.set_starred(
        session, actor=manager, spec=CUSTOMER, ids=ids_named(session, "sales1-A", "sales2-B"),
        starred=True,
    )  # fmt: skip
    session.commit()
    assert names_in(session, manager, CUSTOMER, "starred") == ["sales1-A", "sales2-B"]
    assert names_in(session, sales1, CUSTOMER, "starred") == []


def test_toggle_star_stars_then_unstars(session, book):
    sales1 = book.actor(session, "sales1")
    [cid] = ids_named(session, "sales1-A")
    assert saved_views.toggle_star(session, actor=sales1, spec=CUSTOMER, record_id=cid) is True
    assert saved_views.starred_ids(session, actor=sales1, spec=CUSTOMER, ids=[cid]) == {cid}
    assert saved_views.toggle_star(session, actor=sales1, spec=CUSTOMER, record_id=cid) is False
    assert saved_views.starred_ids(session, actor=sales1, spec=CUSTOMER, ids=[cid]) == set()


def test_starring_a_record_out_of_scope_is_refused_and_stars_nothing(session, book):
    sales1 = book.actor(session, "sales1")
    ids = ids_named(session, "sales1-A", "outsider-A")
    with pytest.raises(NotFound):
        saved_views.set_starred(session, actor=sales1, spec=CUSTOMER, ids=ids, starred=True)
    assert saved_views.starred_ids(session, actor=sales1, spec=CUSTOMER, ids=ids) == set()


def test_converted_leads_view_is_declared_on_the_spec(session, org):
    sales1 = org.actor(session, "sales1")
    session.add_all(
        [
            Lead(name="已转化", is_converted=True, owner_id=org.users["sales1"].id),
            Lead(name="跟进中", owner_id=org.users["sales1"].id),
            Lead(name="别人的", is_converted=True, owner_id=org.users["sales2"].id),
        ]
    )
    session.commit()
    assert [v.name for v in LEAD.builtin_views][-1] == "converted"
    assert names_in(session, sales1, LEAD, "converted") == ["已转化"]


def test_a_saved_view_brings_back_its_filters_base_view_and_search(session, book):
    manager = book.actor(session, "manager")
    since = dt.date(2020, 1, 1)
    view = saved_views.save_view(
        session,
        actor=manager,
        spec=CUSTOMER,
        name="A 级客户",
        filters={"level": "A", "updated_at": (since, None), "name": ""},
        search="sales",
        base="subordinates",
    )
    session.commit()
    key = f"saved:{view.id}"
    resolved = saved_views.resolve(session, actor=manager, spec=CUSTOMER, key=key)
    assert resolved.filters == {"level": "A", "updated_at": (since, None)}
    assert resolved.search == "sales"
    assert names_in(session, manager, CUSTOMER, key) == ["sales1-A", "sales2-A", "sales3-A"]
    assert [v.name for v in saved_views.list_saved(session, actor=manager, spec=CUSTOMER)] == [
        "A 级客户"
    ]


def test_saved_views_are_personal(session, book):
    manager, sales1 = book.actor(session, "manager"), book.actor(session, "sales1")
    view = saved_views.save_view(session, actor=manager, spec=CUSTOMER, name="我的", filters={})
    session.commit()
    with pytest.raises(NotFound):
        saved_views.resolve(session, actor=sales1, spec=CUSTOMER, key=f"saved:{view.id}")
    with pytest.raises(NotFound):
        saved_views.delete_view(session, actor=sales1, spec=CUSTOMER, key=f"saved:{view.id}")
    assert saved_views.list_saved(session, actor=sales1, spec=CUSTOMER) == []


def test_saving_under_an_existing_name_replaces_that_view(session, book):
    manager = book.actor(session, "manager")
    saved_views.save_view(
        session, actor=manager, spec=CUSTOMER, name="重点", filters={"level": "A"}
    )
    saved_views.save_view(
        session, actor=manager, spec=CUSTOMER, name="重点", filters={"level": "B"}
    )
    session.commit()
    [view] = saved_views.list_saved(session, actor=manager, spec=CUSTOMER)
    assert view.filters["filters"] == {"level": "B"}


@pytest.mark.parametrize("name", ["", "   ", "x" * 51])
def test_a_view_needs_a_short_name(session, book, name):
    manager = book.actor(session, "manager")
    with pytest.raises(ValidationFailed):
        saved_views.save_view(session, actor=manager, spec=CUSTOMER, name=name, filters={})


def test_deleting_a_saved_view_removes_it(session, book):
    manager = book.actor(session, "manager")
    view = saved_views.save_view(session, actor=manager, spec=CUSTOMER, name="临时", filters={})
    saved_views.delete_view(session, actor=manager, spec=CUSTOMER, key=f"saved:{view.id}")
    session.commit()
    assert saved_views.list_saved(session, actor=manager, spec=CUSTOMER) == []
