"""Lists over millions of rows count at most `count_limit` matches (issue 3, speed at scale):
the total then says "more than", and pages still work."""

from decimal import Decimal

from core.models import Product
from core.services import records
from core.services.products import PRODUCT


def test_a_count_limit_caps_the_total_and_marks_it(session, org):
    session.add_all(
        Product(name=f"产品{i:02d}", code=f"P{i:02d}", price=Decimal("1")) for i in range(30)
    )
    session.commit()
    admin = org.actor(session, "admin")
    capped = records.list_visible(session, actor=admin, spec=PRODUCT, count_limit=10, page_size=5)
    assert (capped.total, capped.total_capped, len(capped.rows)) == (11, True, 5)
    exact = records.list_visible(session, actor=admin, spec=PRODUCT, count_limit=50)
    assert (exact.total, exact.total_capped) == (30, False)
    last = records.list_visible(
        session, actor=admin, spec=PRODUCT, count_limit=10, page_size=5, page=99, sort="code"
    )
    assert last.page == 3 and [p.code for p in last.rows] == ["P10", "P11", "P12", "P13", "P14"]
