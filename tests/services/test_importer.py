"""Import (CUS-11): templates round-trip, columns map by header, CSV in UTF-8/BOM/GBK and Excel
read alike, every bad row is listed with its row number and reason while nothing is written,
duplicates are skipped, updated or created, and records get owner, creator and history."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from core.errors import NotAllowed, PoolLimitReached
from core.io import importer, reader, templates
from core.io.import_rules import RULES
from core.io.importer import DuplicateMode
from core.models import ChangeLog, Contact, Customer, Lead, Pool, Product

pytest.importorskip("core.services.customers")


def spec(entity):
    return RULES[entity].spec


def csv_bytes(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def header_row(entity, *names):
    return [templates.header(spec(entity).field(n)) for n in names]


def run(session, actor, entity, data, *, filename="data.csv", mode=DuplicateMode.SKIP, **kw):
    table = reader.read_table(data, filename)
    mapping = templates.auto_mapping(spec(entity), table.headers)
    return importer.prepare(
        session, actor=actor, entity=entity, table=table, mapping=mapping, mode=mode, **kw
    )


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


CUSTOMER_HEAD = ("name", "level", "phone", "city", "owner_id")


def customer_file(rows, encoding="utf-8-sig"):
    return csv_bytes([header_row("customer", *CUSTOMER_HEAD), *rows], encoding)


def test_the_csv_template_maps_back_onto_every_importable_field(session, org):
    customer = spec("customer")
    table = reader.read_csv(templates.template_csv(customer))
    mapping = templates.auto_mapping(customer, table.headers)
    assert sorted(mapping.values()) == sorted(f.name for f in templates.importable_fields(customer))
    assert table.rows == []
    assert templates.header(customer.field("name")).endswith("*")


def test_the_excel_template_round_trips_with_a_filled_row(session, org):
    admin = org.actor(session, "admin")
    book = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx(spec("customer"))))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    row = {templates.header(spec("customer").field("name")): "华星科技",
           templates.header(spec("customer").field("phone")): 1085551234}  # fmt: skip
    sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = run(session, admin, "customer", buffer.getvalue(), filename="客户.xlsx")
    assert plan.ok and len(plan.inserts) == 1
    importer.commit(session, actor=admin, plan=plan)
    session.commit()
    assert session.execute(select(Customer.name, Customer.phone)).all() == [
        ("华星科技", "1085551234")
    ]


def test_headers_match_in_any_language_or_by_field_name_ignoring_marks(session, org):
    customer = spec("customer")
    mapping = templates.auto_mapping(customer, ["Name", "电话 *", "level", "不相关", "城市："])
    assert mapping == {0: "name", 1: "phone", 2: "level", 4: "city"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_gbk_reads_the_same(session, org, encoding):
    admin = org.actor(session, "admin")
    data = customer_file([["北京华星科技有限公司", "", "010-5555123", "北京", "sales1"]], encoding)
    plan = run(session, admin, "customer", data)
    assert plan.ok, plan.errors
    assert plan.inserts[0][1]["name"] == "北京华星科技有限公司"
    assert plan.inserts[0][1]["city"] == "北京"


def test_three_bad_rows_are_listed_with_row_numbers_and_nothing_is_written(session, org):
    admin = org.actor(session, "admin")
    data = customer_file(
        [
            ["好客户", "A（重点客户）", "010-5555123", "北京", "sales1"],
            ["", "", "", "", ""],  # blank rows are ignored
            ["", "", "010-5555124", "上海", ""],  # row 4: name missing
            ["坏电话", "", "abc", "", ""],  # row 5: phone
            ["无此人", "", "", "", "nobody"],  # row 6: owner
        ]
    )
    plan = run(session, admin, "customer", data)
    assert [e.row for e in plan.errors] == [4, 5, 6]
    assert "客户名称" in plan.errors[0].reason or "名称" in plan.errors[0].reason
    assert "电话" in plan.errors[1].reason
    with pytest.raises(importer.ImportRejected):
        importer.commit(session, actor=admin, plan=plan)
    session.rollback()
    assert count(session, Customer) == 0
    lines = importer.errors_csv(plan).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("行号,") and lines[0].endswith(",错误原因")
    assert lines[1].startswith("4,")


def test_ten_thousand_rows_with_one_bad_row_commit_nothing_and_name_that_row(session, org):
    admin = org.actor(session, "admin")
    rows = [[f"客户{i:05d}", "", f"010-6{i:07d}", "", ""] for i in range(10_000)]
    rows[7_321][2] = "不是电话"
    plan = run(session, admin, "customer", customer_file(rows))
    assert [e.row for e in plan.errors] == [7_323]  # header is row 1
    with pytest.raises(importer.ImportRejected):
        importer.commit(session, actor=admin, plan=plan)
    session.rollback()
    assert count(session, Customer) == 0


def test_import_sets_owner_creator_and_an_import_history_row(session, org):
    manager = org.actor(session, "manager")
    data = customer_file([["甲公司", "", "", "", "sales1"], ["乙公司", "", "", "", ""]])
    plan = run(session, manager, "customer", data)
    result = importer.commit(session, actor=manager, plan=plan)
    session.commit()
    assert (result.created, result.updated, result.skipped) == (2, 0, 0)
    rows = dict(session.execute(select(Customer.name, Customer.owner_id)).all())
    assert rows == {"甲公司": org.users["sales1"].id, "乙公司": org.users["manager"].id}
    creators = set(session.scalars(select(Customer.created_by_id)))
    assert creators == {org.users["manager"].id}
    logged = session.scalars(select(ChangeLog.action).where(ChangeLog.entity == "customer"))
    assert list(logged) == ["import", "import"]
    assert all(session.scalars(select(Customer.version))) == 1


def test_an_owner_outside_the_importers_teams_is_an_error(session, org):
    manager = org.actor(session, "manager")
    plan = run(session, manager, "customer", customer_file([["丙公司", "", "", "", "outsider"]]))
    assert [e.row for e in plan.errors] == [2]


def owned_cap(session, limit: int) -> None:
    """Nobody here belongs to a pool, so the default pool's cap binds everyone."""
    session.scalar(select(Pool).where(Pool.is_default.is_(True))).owned_customer_limit = limit
    session.commit()


def test_customers_past_their_owners_customer_limit_are_row_errors(session, org):
    session.add(Customer(name="已有客户", owner_id=org.users["sales1"].id))
    owned_cap(session, 2)
    admin = org.actor(session, "admin")
    rows = [["甲公司", "", "", "", "sales1"], ["乙公司", "", "", "", "sales2"]]
    rows += [["丙公司", "", "", "", "sales1"], ["丁公司", "", "", "", "sales1"]]
    plan = run(session, admin, "customer", customer_file(rows))
    assert [e.row for e in plan.errors] == [4, 5]  # sales1 had room for one more
    assert plan.errors[0].reason == "拥有的客户已达上限（2 个），不能再增加。"
    assert plan.errors[0].cells[0] == "丙公司"
    with pytest.raises(importer.ImportRejected):
        importer.commit(session, actor=admin, plan=plan)
    session.rollback()
    assert count(session, Customer) == 1


def test_an_import_whose_owner_gained_customers_since_the_check_is_refused(session, org):
    owned_cap(session, 1)
    admin = org.actor(session, "admin")
    plan = run(session, admin, "customer", customer_file([["甲公司", "", "", "", "sales1"]]))
    assert plan.ok
    session.add(Customer(name="刚领取的客户", owner_id=org.users["sales1"].id))
    session.commit()
    with pytest.raises(PoolLimitReached):
        importer.commit(session, actor=admin, plan=plan)
    session.rollback()
    assert session.scalars(select(Customer.name)).all() == ["刚领取的客户"]


def test_importing_needs_the_import_right(session, org):
    with pytest.raises(NotAllowed):
        run(
            session,
            org.actor(session, "sales1"),
            "customer",
            customer_file([["丁", "", "", "", ""]]),
        )


@pytest.fixture
def existing(session, org):
    session.add(
        Customer(name="老客户", phone="010-1111111", city="旧城", owner_id=org.users["sales1"].id)
    )
    session.add(Customer(name="外区客户", phone="020-2222222", owner_id=org.users["outsider"].id))
    session.commit()
    return org


def test_duplicates_by_name_or_phone_are_skipped(session, existing):
    admin = existing.actor(session, "admin")
    data = customer_file([["老客户", "", "", "新城", ""], ["新名字", "", "010-1111111", "", ""],
                          ["新客户", "", "", "", ""]])  # fmt: skip
    plan = run(session, admin, "customer", data, mode=DuplicateMode.SKIP)
    assert plan.skipped == [2, 3] and len(plan.inserts) == 1
    result = importer.commit(session, actor=admin, plan=plan)
    session.commit()
    assert (result.created, result.skipped) == (1, 2)
    assert count(session, Customer) == 3


def test_update_mode_fills_the_existing_record_and_logs_each_change(session, existing):
    admin = existing.actor(session, "admin")
    plan = run(session, admin, "customer", customer_file([["老客户", "", "", "新城", ""]]),
               mode=DuplicateMode.UPDATE)  # fmt: skip
    result = importer.commit(session, actor=admin, plan=plan)
    session.commit()
    assert result.updated == 1
    row = session.scalar(select(Customer).where(Customer.name == "老客户"))
    assert (row.city, row.phone, row.version) == ("新城", "010-1111111", 2)  # empty cells keep
    change = session.execute(
        select(ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value).where(
            ChangeLog.action == "import"
        )
    ).all()
    assert change == [("city", "旧城", "新城")]


def test_update_mode_refuses_duplicates_the_importer_may_not_edit(session, existing):
    manager = existing.actor(session, "manager")
    plan = run(session, manager, "customer", customer_file([["外区客户", "", "", "广州", ""]]),
               mode=DuplicateMode.UPDATE)  # fmt: skip
    assert [e.row for e in plan.errors] == [2]


def test_update_mode_refuses_a_row_matching_two_records(session, existing):
    admin = existing.actor(session, "admin")
    data = customer_file([["老客户", "", "020-2222222", "", ""]])
    plan = run(session, admin, "customer", data, mode=DuplicateMode.UPDATE)
    assert [e.row for e in plan.errors] == [2]


def test_create_mode_creates_duplicates_anyway(session, existing):
    admin = existing.actor(session, "admin")
    plan = run(session, admin, "customer", customer_file([["老客户", "", "", "", ""]]),
               mode=DuplicateMode.CREATE)  # fmt: skip
    importer.commit(session, actor=admin, plan=plan)
    session.commit()
    assert count(session, Customer, Customer.name == "老客户") == 2


def test_a_row_repeating_an_earlier_row_of_the_file_is_an_error(session, org):
    admin = org.actor(session, "admin")
    data = customer_file(
        [["同名", "", "", "", ""], ["别的", "", "", "", ""], ["同名", "", "", "", ""]]
    )
    plan = run(session, admin, "customer", data)
    assert [(e.row, "2" in e.reason) for e in plan.errors] == [(4, True)]


def test_options_accept_their_label(session, org):
    admin = org.actor(session, "admin")
    plan = run(session, admin, "customer", customer_file([["戊", "A（重点客户）", "", "", ""]]))
    assert plan.inserts[0][1]["level"] == "A（重点客户）"
    bad = run(session, admin, "customer", customer_file([["己", "S 级", "", "", ""]]))
    assert [e.row for e in bad.errors] == [2]


def contact_file(rows):
    return csv_bytes([header_row("contact", "name", "customer_id", "mobile", "gender"), *rows])


def test_contacts_name_their_customer_within_the_importers_scope(session, existing):
    manager = existing.actor(session, "manager")
    data = contact_file([["王五", "老客户", "13800138000", "男"], ["赵六", "外区客户", "", ""],
                         ["钱七", "没有的客户", "", ""]])  # fmt: skip
    plan = run(session, manager, "contact", data)
    assert [e.row for e in plan.errors] == [3, 4]
    assert plan.inserts[0][1]["gender"] == "男"
    assert plan.inserts[0][1]["customer_id"] == session.scalar(
        select(Customer.id).where(Customer.name == "老客户")
    )


def test_contact_duplicates_are_name_and_mobile_within_the_customer(session, existing):
    admin = existing.actor(session, "admin")
    first = run(session, admin, "contact", contact_file([["王五", "老客户", "13800138000", ""]]))
    importer.commit(session, actor=admin, plan=first)
    session.commit()
    again = contact_file(
        [["王五", "老客户", "13800138000", ""], ["王五", "外区客户", "13800138000", ""]]
    )
    plan = run(session, admin, "contact", again)
    assert plan.skipped == [2] and len(plan.inserts) == 1
    assert count(session, Contact) == 1


def test_lead_duplicates_are_name_and_mobile(session, org):
    admin = org.actor(session, "admin")
    session.add(Lead(name="孙八", mobile="13900139000", owner_id=org.users["sales1"].id))
    session.commit()
    rows = [header_row("lead", "name", "mobile", "company"),
            ["孙八", "13900139000", "甲"], ["孙八", "13900139001", "乙"]]  # fmt: skip
    plan = run(session, admin, "lead", csv_bytes(rows))
    assert plan.skipped == [2] and [v["mobile"] for _, v in plan.inserts] == ["13900139001"]


def product_file(rows):
    return csv_bytes([header_row("product", "name", "code", "price", "unit", "category_id"), *rows])


def test_products_by_code_with_their_category_by_name(session, org):
    from core.services import products

    admin = org.actor(session, "admin")
    category = products.create_category(session, actor=admin, name="打印设备")
    session.commit()
    plan = run(
        session, admin, "product", product_file([["打印机", "P-1", "1,999.50", "台", "打印设备"]])
    )
    assert plan.ok, plan.errors
    importer.commit(session, actor=admin, plan=plan)
    session.commit()
    product = session.scalar(select(Product))
    assert (product.price, product.category_id, product.unit) == (
        Decimal("1999.50"),
        category.id,
        "台",
    )


def test_a_product_code_cannot_be_created_twice_even_when_in_the_bin(session, org):
    admin = org.actor(session, "admin")
    session.add(Product(name="旧", code="P-9", price=Decimal("1")))
    session.add(Product(name="删", code="P-8", price=Decimal("1"), deleted_at=func.now()))
    session.commit()
    data = product_file([["新", "P-9", "2", "", ""], ["新2", "P-8", "2", "", ""]])
    create = run(session, admin, "product", data, mode=DuplicateMode.CREATE)
    assert [e.row for e in create.errors] == [2, 3]
    update = run(session, admin, "product", data, mode=DuplicateMode.UPDATE)
    assert [e.row for e in update.errors] == [3]  # the deleted one cannot be updated
    assert len(update.updates) == 1


def test_a_file_without_a_required_column_is_refused_before_checking_rows(session, org):
    admin = org.actor(session, "admin")
    data = csv_bytes([header_row("customer", "phone", "city"), ["010-5555123", "北京"]])
    with pytest.raises(importer.MissingColumns):
        run(session, admin, "customer", data)
