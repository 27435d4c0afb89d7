"""Export (CUS-11): the CSV and the Excel file hold exactly the filtered rows the actor may see
(or the ticked ones), typed numbers and dates in Excel, and no cell a spreadsheet would run as
a formula."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from core.errors import NotAllowed
from core.io import excel, export
from core.models import Contract, Customer
from core.services import bulk

pytest.importorskip("core.services.customers")

RISKY = ["=1+1", "+8613800138000", "-2+3", "@SUM(A1)"]


def spec(name):
    from core.entities import get_spec

    return get_spec(name)


@pytest.fixture
def book(session, org):
    """Level-A and level-B customers per seller, A ones named with formula-like text."""
    for username in ("manager", "sales1", "outsider"):
        uid = org.users[username].id
        for i, risky in enumerate(RISKY):
            session.add(Customer(name=f"{risky}{username}", level="A（重点客户）", owner_id=uid,
                                 city=risky, phone=f"010-{i}0000{uid}"))  # fmt: skip
        session.add(Customer(name=f"普通{username}", level="B（普通客户）", owner_id=uid))
    session.commit()
    return org


def sheet_rows(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return book, [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def xlsx(session, actor, **query):
    return excel.xlsx_bytes(
        session, actor=actor, spec=spec("customer"), columns=["name", "city", "owner_id"], **query
    )


def test_excel_holds_exactly_the_filtered_rows_in_the_actors_scope(session, book):
    manager = book.actor(session, "manager")
    _, rows = sheet_rows(xlsx(session, manager, filters={"level": ["A（重点客户）"]}, sort="name"))
    assert len(rows[0]) == 3 and rows[0][2] == "负责人"
    names = sorted(r[0] for r in rows[1:])
    assert names == sorted(f"{r}{u}" for r in RISKY for u in ("manager", "sales1"))


def test_excel_text_that_looks_like_a_formula_stays_text(session, book):
    admin = book.actor(session, "admin")
    workbook, rows = sheet_rows(xlsx(session, admin, search="=1+1"))
    sheet = workbook.worksheets[0]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert cells and all(c.data_type == "s" for c in cells)
    assert {r[0] for r in rows[1:]} == {f"=1+1{u}" for u in ("manager", "sales1", "outsider")}


def test_csv_neutralises_formula_cells_with_an_apostrophe(session, book):
    admin = book.actor(session, "admin")
    data = export.csv_bytes(
        session, actor=admin, spec=spec("customer"), columns=["name", "city"], search="@SUM"
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1:] and all(cell.startswith("'@SUM") for row in rows[1:] for cell in row)


def test_only_the_ticked_rows_are_exported(session, book):
    manager = book.actor(session, "manager")
    chosen = session.scalars(select(Customer.id).where(Customer.name.like("普通%"))).all()
    _, rows = sheet_rows(
        xlsx(session, manager, where=(bulk.selected_clause(spec("customer"), chosen),))
    )
    assert sorted(r[0] for r in rows[1:]) == ["普通manager", "普通sales1"]  # outsider out of scope


def test_excel_keeps_numbers_and_dates_typed(session, org):
    from core.services import contracts  # noqa: F401 — registers the contract spec

    admin = org.actor(session, "admin")
    customer = Customer(name="客户", owner_id=org.users["admin"].id)
    session.add(customer)
    session.flush()
    session.add(Contract(number="HT-1", name="合同", customer_id=customer.id,
                         order_date=dt.date(2026, 3, 9), amount=Decimal("1234.50"),
                         owner_id=org.users["admin"].id))  # fmt: skip
    session.commit()
    data = excel.xlsx_bytes(
        session, actor=admin, spec=spec("contract"), columns=["number", "amount", "order_date"]
    )
    _, rows = sheet_rows(data)
    assert rows[1][0] == "HT-1"
    assert rows[1][1] == pytest.approx(1234.5)
    assert rows[1][2] == dt.datetime(2026, 3, 9)


def test_a_full_sheet_continues_on_a_new_one_with_the_header(session, book, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS_PER_SHEET", 4)
    admin = book.actor(session, "admin")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx(session, admin)))
    sheets = [list(s.iter_rows(values_only=True)) for s in workbook.worksheets]
    assert len(sheets) == 5  # 15 rows, 3 per sheet
    assert all(s[0] == sheets[0][0] for s in sheets)
    assert sum(len(s) - 1 for s in sheets) == 15


def test_export_needs_the_export_right(session, book):
    with pytest.raises(NotAllowed):
        xlsx(session, book.actor(session, "office"))
