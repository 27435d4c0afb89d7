"""One small, hand-built sales month (March 2026, "today" = 15 March) that most report tests
share; every number the tests expect can be worked out from this file.

Owners: sales1 and sales2 report to manager (销售部); sales3 sits in 销售二部 under 销售部;
outsider sells in 华南销售部, outside manager's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.types import utcnow
from tests.bi import data

D = dt.date
TODAY = D(2026, 3, 15)


@dataclass
class World:
    customers: dict = field(default_factory=dict)
    contracts: dict = field(default_factory=dict)
    receivables: dict = field(default_factory=dict)


def build(session, org) -> World:
    u = org.users
    w = World()
    c = w.customers
    c["c1"] = data.customer(session, u["sales1"], D(2026, 3, 1), level="A", province="广东",
                            industry="金融", source="展会", is_dealt=True)  # fmt: skip
    c["c2"] = data.customer(session, u["sales1"], D(2026, 3, 31), level="B", province="北京",
                            industry="金融", source="广告")  # fmt: skip
    c["c3"] = data.customer(session, u["sales2"], D(2026, 4, 1), level="A", province="广东")
    c["c4"] = data.customer(session, u["sales2"], D(2026, 2, 28), level="B", province="广东",
                            is_dealt=True)  # fmt: skip
    c["c5"] = data.customer(session, u["outsider"], D(2026, 3, 10), level="A", province="上海")
    c["c6"] = data.customer(session, u["sales1"], D(2026, 3, 5), deleted_at=utcnow())
    c["c7"] = data.customer(session, None, D(2026, 3, 2), province="广东")  # in the pool
    k = w.contracts
    k["k1"] = data.contract(session, u["sales1"], c["c1"], D(2026, 3, 31), "1000.10")
    k["k2"] = data.contract(session, u["sales1"], c["c1"], D(2026, 4, 1), "500.00")
    k["k3"] = data.contract(session, u["sales2"], c["c4"], D(2026, 3, 15), "200.20", "pending")
    k["k4"] = data.contract(session, u["sales2"], c["c4"], D(2026, 3, 16), "300.30", "rejected")
    k["k5"] = data.contract(session, u["sales2"], c["c4"], D(2026, 3, 1), "400.40")
    k["k6"] = data.contract(session, u["outsider"], c["c5"], D(2026, 3, 10), "999.99")
    k["k7"] = data.contract(session, u["sales1"], c["c1"], D(2026, 3, 20), "50.00",
                            deleted_at=utcnow())  # fmt: skip
    k["k8"] = data.contract(session, u["sales1"], c["c1"], D(2026, 2, 10), "75.00")
    r = w.receivables
    r["r1"] = data.receivable(session, u["sales1"], k["k1"], D(2026, 3, 31), "600.00")
    r["r2"] = data.receivable(session, u["sales2"], k["k5"], D(2026, 3, 2), "100.05")
    r["r3"] = data.receivable(session, u["sales2"], k["k5"], D(2026, 3, 3), "50.00", "pending")
    r["r4"] = data.receivable(session, u["outsider"], k["k6"], D(2026, 3, 11), "999.99")
    session.commit()
    return w
