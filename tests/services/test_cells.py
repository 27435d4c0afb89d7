"""CSV cells of every field kind, as the fast export writes them: names behind user and record
ids, option and choice labels, yes/no, ISO dates and times, two-decimal amounts, and text a
spreadsheet would run as a formula neutralised."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from core.entities import get_spec
from core.io import export
from core.models import Contact, Contract, Customer

pytest.importorskip("core.services.contacts")


def rows_of(session, actor, spec_name, columns, **query):
    data = export.csv_bytes(
        session, actor=actor, spec=get_spec(spec_name), columns=columns, **query
    )
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_every_kind_is_written_as_a_spreadsheet_expects(session, org):
    import core.services.contracts  # noqa: F401 — registers the contract spec

    sales1 = org.users["sales1"]
    customer = Customer(name="=HYPERLINK(1)", level="A（重点客户）", owner_id=sales1.id,
                        next_contact_at=dt.datetime(2026, 3, 9, 8, 30, 5, 123456))  # fmt: skip
    session.add(customer)
    session.flush()
    session.add(Contact(name="王五", customer_id=customer.id, gender="男", is_decision_maker=True,
                        owner_id=sales1.id))  # fmt: skip
    session.add(Contract(number="HT-1", name="合同", customer_id=customer.id,
                         order_date=dt.date(2026, 3, 9), amount=Decimal("1234.5"),
                         owner_id=sales1.id))  # fmt: skip
    session.commit()
    admin = org.actor(session, "admin")
    head, row = rows_of(
        session, admin, "customer", ["name", "level", "owner_id", "next_contact_at"]
    )
    assert row == ["'=HYPERLINK(1)", "A（重点客户）", "sales1", "2026-03-09 08:30:05"]
    _, row = rows_of(session, admin, "contact",
                     ["name", "customer_id", "gender", "is_decision_maker"])  # fmt: skip
    assert row == ["王五", "'=HYPERLINK(1)", "男", "是"]
    _, row = rows_of(session, admin, "contract", ["number", "amount", "order_date"])
    assert row == ["HT-1", "1234.50", "2026-03-09"]


def test_empty_values_are_empty_cells_and_unknown_owners_show_their_id(session, org):
    session.add(Customer(name="无负责人客户", owner_id=None, pool_id=None))
    session.commit()
    admin = org.actor(session, "admin")
    _, row = rows_of(session, admin, "customer", ["name", "level", "owner_id", "next_contact_at"])
    assert row == ["无负责人客户", "", "", ""]


def test_a_large_export_streams_in_chunks_with_one_header(session, org):
    session.add_all(
        Customer(name=f"客户{i:04d}", owner_id=org.users["sales1"].id) for i in range(1200)
    )
    session.commit()
    admin = org.actor(session, "admin")
    chunks = list(export.csv_chunks(session, actor=admin, spec=get_spec("customer"),
                                    columns=["name"], sort="name", chunk_size=500))  # fmt: skip
    assert len(chunks) == 4  # header + 3 chunks
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [f"客户{i:04d}" for i in range(1200)]
