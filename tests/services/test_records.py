"""The generic record service (DESIGN.md §6) on products and on an owned entity (customers):
scope, filters, sort, pagination, change log, edit conflicts, validation and CSV export."""

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import session_factory
from core.entities import FieldSpec, audit_fields, define
from core.errors import EditConflict, NotAllowed, NotFound, ValidationFailed
from core.io import export
from core.models import ChangeLog, Customer, Product
from core.services import records
from core.services.products import PRODUCT

CUSTOMER = define(
    "test_customer",
    Customer,
    i18n="records",
    actions="crm.customer",
    search_fields=("name",),
    fields=[
        FieldSpec("name", required=True, filterable=True, label="product.name"),
        *audit_fields(owner=True),
    ],
)


def add_products(session, org, specs):
    """specs: (name, code, price[, on sale])."""
    for name, code, price, *rest in specs:
        session.add(
            Product(
                name=name,
                code=code,
                price=Decimal(price),
                is_on_sale=rest[0] if rest else True,
                unit="台",
                created_by_id=org.users["admin"].id,
            )
        )
    session.commit()


def names(page):
    return [r.name for r in page.rows]


@pytest.fixture
def catalogue(session, org):
    add_products(
        session, org, [(f"产品{i:02d}", f"P{i:02d}", f"{i * 10}.00") for i in range(1, 26)]
    )
    return org


def test_list_filters_sorts_and_paginates_in_the_database(session, catalogue):
    admin = catalogue.actor(session, "admin")
    page = records.list_visible(
        session,
        actor=admin,
        spec=PRODUCT,
        filters={"price": (Decimal("50"), Decimal("200"))},
        sort="-price",
        page=2,
        page_size=5,
    )
    assert page.total == 16  # 50 … 200 inclusive
    assert page.pages == 4
    assert names(page) == ["产品15", "产品14", "产品13", "产品12", "产品11"]


def test_text_filter_matches_part_of_a_name_and_wildcards_are_literal(session, catalogue):
    add_products(session, catalogue, [("100%纯棉", "COT", "1"), ("1000纯棉", "COT2", "1")])
    admin = catalogue.actor(session, "admin")
    page = records.list_visible(session, actor=admin, spec=PRODUCT, filters={"name": "0%"})
    assert names(page) == ["100%纯棉"]
    assert records.list_visible(session, actor=admin, spec=PRODUCT, search="P2").total == 6


def test_a_page_past_the_end_shows_the_last_page(session, catalogue):
    admin = catalogue.actor(session, "admin")
    page = records.list_visible(session, actor=admin, spec=PRODUCT, page=99, page_size=10)
    assert page.page == 3 and len(page.rows) == 5


def test_unknown_sort_falls_back_to_the_default_order(session, catalogue):
    admin = catalogue.actor(session, "admin")
    page = records.list_visible(
        session, actor=admin, spec=PRODUCT, sort="password_hash", page_size=25
    )
    assert page.total == 25


def test_product_list_is_the_same_for_every_role_that_may_view_products(session, catalogue):
    seen = {
        username: names(
            records.list_visible(
                session, actor=catalogue.actor(session, username), spec=PRODUCT, page_size=100
            )
        )
        for username in ("admin", "manager", "sales1", "office")
    }
    assert len(seen["admin"]) == 25
    assert seen["manager"] == seen["sales1"] == seen["office"] == seen["admin"]


def test_owned_entity_list_returns_only_rows_in_the_actors_scope(session, org):
    for username in ("admin", "manager", "sales1", "sales2", "outsider"):
        session.add(Customer(name=f"{username}的客户", owner_id=org.users[username].id))
    session.commit()

    def visible(username):
        actor = org.actor(session, username)
        return set(names(records.list_visible(session, actor=actor, spec=CUSTOMER)))

    assert visible("sales1") == {"sales1的客户"}
    assert visible("manager") == {"manager的客户", "sales1的客户", "sales2的客户"}
    assert len(visible("admin")) == 5
    with pytest.raises(NotAllowed):
        visible("office")


def test_a_record_out_of_scope_is_not_found(session, org):
    other = Customer(name="别人的客户", owner_id=org.users["sales2"].id)
    session.add(other)
    session.commit()
    with pytest.raises(NotFound):
        records.get_visible(
            session, actor=org.actor(session, "sales1"), spec=CUSTOMER, record_id=other.id
        )


def changelog_rows(session, entity, record_id):
    return session.execute(
        select(ChangeLog.action, ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value)
        .where(ChangeLog.entity == entity, ChangeLog.record_id == record_id)
        .order_by(ChangeLog.id)
    ).all()


def test_create_sets_the_creator_and_logs_one_row(session, org):
    admin = org.actor(session, "admin")
    product = records.create(
        session,
        actor=admin,
        spec=PRODUCT,
        values={"name": " 服务器 ", "code": "SRV-1", "price": "1,200.5", "unit": "台"},
    )
    session.commit()
    assert (product.name, product.price, product.is_on_sale) == ("服务器", Decimal("1200.50"), True)
    assert product.created_by_id == org.users["admin"].id
    assert changelog_rows(session, "product", product.id) == [("create", "", None, None)]


def test_update_logs_one_row_per_changed_field(session, org):
    admin = org.actor(session, "admin")
    product = records.create(
        session, actor=admin, spec=PRODUCT, values={"name": "A", "code": "A1", "price": "10"}
    )
    session.commit()
    records.update(
        session,
        actor=admin,
        spec=PRODUCT,
        record_id=product.id,
        values={"name": "B", "code": "A1", "price": "12.00", "is_on_sale": True},
        expected_version=product.version,
    )
    session.commit()
    assert changelog_rows(session, "product", product.id)[1:] == [
        ("update", "name", "A", "B"),
        ("update", "price", "10.00", "12.00"),
    ]
    assert product.version == 2


def test_saving_from_a_stale_form_is_an_edit_conflict_and_saves_nothing(session, org):
    admin = org.actor(session, "admin")
    product = records.create(
        session, actor=admin, spec=PRODUCT, values={"name": "A", "code": "A1", "price": "10"}
    )
    session.commit()
    records.update(
        session,
        actor=admin,
        spec=PRODUCT,
        record_id=product.id,
        values={"price": "11"},
        expected_version=1,
    )
    session.commit()
    with pytest.raises(EditConflict):
        records.update(
            session,
            actor=admin,
            spec=PRODUCT,
            record_id=product.id,
            values={"price": "99"},
            expected_version=1,
        )
    session.rollback()
    assert session.scalar(select(Product.price)) == Decimal("11.00")


def test_a_concurrent_save_between_load_and_write_is_an_edit_conflict(session, org, db_url):
    admin = org.actor(session, "admin")
    product = records.create(
        session, actor=admin, spec=PRODUCT, values={"name": "A", "code": "A1", "price": "10"}
    )
    session.commit()
    records.get_visible(session, actor=admin, spec=PRODUCT, record_id=product.id)
    with session_factory(db_url)() as other:
        records.update(
            other,
            actor=admin,
            spec=PRODUCT,
            record_id=product.id,
            values={"price": "20"},
            expected_version=1,
        )
        other.commit()
    # `session` still holds version 1 in its identity map: the UPDATE … WHERE version = 1 misses.
    with pytest.raises(EditConflict):
        records.update(
            session,
            actor=admin,
            spec=PRODUCT,
            record_id=product.id,
            values={"price": "30"},
            expected_version=1,
        )
    session.rollback()
    assert session.scalar(select(Product.price).execution_options(populate_existing=True)) == 20


def test_soft_delete_hides_the_record_and_restore_brings_it_back(session, catalogue):
    admin = catalogue.actor(session, "admin")
    first = session.scalar(select(Product).where(Product.code == "P01"))
    records.soft_delete(session, actor=admin, spec=PRODUCT, record_id=first.id)
    session.commit()
    assert records.list_visible(session, actor=admin, spec=PRODUCT).total == 24
    with pytest.raises(NotFound):
        records.get_visible(session, actor=admin, spec=PRODUCT, record_id=first.id)
    records.restore(session, actor=admin, spec=PRODUCT, record_id=first.id)
    session.commit()
    assert records.list_visible(session, actor=admin, spec=PRODUCT).total == 25
    actions = [r.action for r in changelog_rows(session, "product", first.id)]
    assert actions == ["delete", "restore"]


def test_sales_rep_cannot_delete_a_product(session, catalogue):
    first = session.scalar(select(Product.id))
    with pytest.raises(NotAllowed):
        records.soft_delete(
            session, actor=catalogue.actor(session, "sales1"), spec=PRODUCT, record_id=first
        )


BAD_INPUT = [
    ({"name": ""}, "name", "records.validation.required"),
    ({"name": "长" * 101}, "name", "records.validation.too_long"),
    ({"price": "abc"}, "price", "records.validation.not_a_number"),
    ({"price": "-1"}, "price", "records.validation.too_small"),
    ({"price": "1.234"}, "price", "records.validation.decimals"),
    ({"unit": "光年"}, "unit", "records.validation.unknown_option"),
    ({"category_id": 999}, "category_id", "records.validation.unknown_ref"),
]


@pytest.mark.parametrize(("change", "field", "key"), BAD_INPUT)
def test_bad_input_gets_a_field_error_and_changes_nothing(session, org, change, field, key):
    admin = org.actor(session, "admin")
    values = {"name": "好产品", "code": "OK-1", "price": "10", "unit": "台"} | change
    with pytest.raises(ValidationFailed) as failure:
        records.create(session, actor=admin, spec=PRODUCT, values=values)
    session.rollback()
    assert failure.value.errors[field][0] == key
    assert session.scalar(select(func.count()).select_from(Product)) == 0
    assert session.scalar(select(func.count()).select_from(ChangeLog)) == 0


def test_html_and_sql_text_are_stored_verbatim_as_plain_text(session, org):
    admin = org.actor(session, "admin")
    script = "<script>alert('x')</script>"
    drop = "'; DROP TABLE products; --"
    records.create(
        session,
        actor=admin,
        spec=PRODUCT,
        values={"name": drop, "code": "X1", "price": "1", "description": script},
    )
    session.commit()
    product = session.scalar(select(Product))
    assert (product.name, product.description) == (drop, script)
    page = records.list_visible(session, actor=admin, spec=PRODUCT, filters={"name": "DROP"})
    assert names(page) == [drop]


def read_csv(data: bytes):
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_holds_exactly_the_filtered_rows_with_translated_headers(session, catalogue):
    add_products(session, catalogue, [('=HYPERLINK("x")', "F1", "5"), ("@SUM(A1)", "F2", "5")])
    admin = catalogue.actor(session, "admin")
    data = export.csv_bytes(
        session,
        actor=admin,
        spec=PRODUCT,
        columns=["name", "code", "price", "is_on_sale"],
        filters={"price": (None, Decimal("20"))},
        sort="code",
        locale="zh_Hans",
        chunk_size=2,
    )
    rows = read_csv(data)
    assert rows[0] == ["产品名称", "产品编码", "标准价格", "上架销售"]
    assert rows[1:] == [
        ['\'=HYPERLINK("x")', "F1", "5.00", "是"],
        ["'@SUM(A1)", "F2", "5.00", "是"],
        ["产品01", "P01", "10.00", "是"],
        ["产品02", "P02", "20.00", "是"],
    ]


def test_export_of_an_owned_entity_is_scoped_and_needs_the_export_right(session, org):
    for username in ("sales1", "sales2"):
        session.add(Customer(name=f"{username}的客户", owner_id=org.users[username].id))
    session.commit()
    data = export.csv_bytes(session, actor=org.actor(session, "sales1"), spec=CUSTOMER)
    assert [r[0] for r in read_csv(data)[1:]] == ["sales1的客户"]
    with pytest.raises(NotAllowed):
        export.csv_bytes(session, actor=org.actor(session, "office"), spec=CUSTOMER)


def test_export_neutralises_formulas_but_keeps_negative_amounts_numeric():
    assert export.neutralise("-1+2") == "'-1+2"
    assert export.neutralise("+86 138") == "'+86 138"
    assert export.neutralise("普通文字") == "普通文字"


def test_the_download_file_holds_the_same_bytes_as_the_stream(session, catalogue):
    admin = catalogue.actor(session, "admin")
    spooled = export.csv_file(session, actor=admin, spec=PRODUCT, sort="code", chunk_size=7)
    assert spooled.read() == export.csv_bytes(session, actor=admin, spec=PRODUCT, sort="code")
