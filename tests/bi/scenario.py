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


def add_activity(session, org, w: World) -> World:
    """Products sold, follow-ups, leads, pool moves, trips, visits, opportunities and a
    contract a year earlier, on top of `build`."""
    u, c, k = org.users, w.customers, w.contracts
    soft, hard = data.category(session, "软件"), data.category(session, "硬件")
    w.products = {"A": data.product(session, "CRM 标准版", soft),
                  "B": data.product(session, "服务器", hard),
                  "C": data.product(session, "实施服务", None)}  # fmt: skip
    p = w.products
    data.line(session, k["k1"], p["A"], "2", "600.10")
    data.line(session, k["k1"], p["B"], "1", "400.00")
    data.line(session, k["k5"], p["A"], "3", "400.40")
    data.line(session, k["k3"], p["A"], "10", "200.20")  # pending contract
    data.line(session, k["k2"], p["B"], "5", "500.00")  # April
    data.line(session, k["k6"], p["C"], "1", "999.99")
    data.follow_up(session, u["sales1"], c["c1"], D(2026, 3, 2))
    data.follow_up(session, u["sales1"], c["c2"], D(2026, 3, 3))
    data.follow_up(session, u["sales1"], c["c1"], D(2026, 3, 4), kind="拜访")
    data.lead(session, u["sales1"], D(2026, 3, 3), is_converted=True)
    data.lead(session, u["sales1"], D(2026, 3, 4))
    data.pool_event(session, c["c2"], "release", D(2026, 3, 5), from_owner=u["sales1"])
    data.pool_event(session, c["c2"], "recall", D(2026, 3, 6), from_owner=u["sales1"])
    data.pool_event(session, c["c2"], "claim", D(2026, 3, 7), to_owner=u["sales1"])
    data.trip(session, u["sales1"], D(2026, 3, 5))
    data.trip(session, u["sales1"], D(2026, 3, 6))
    data.trip(session, u["sales1"], D(2026, 3, 7), status="pending")
    data.trip(session, u["outsider"], D(2026, 3, 8))
    data.check_in(session, u["sales2"], c["c4"], D(2026, 3, 5))
    data.check_in(session, u["sales2"], None, D(2026, 3, 6))
    k["k0"] = data.contract(session, u["sales1"], c["c1"], D(2025, 3, 10), "500.00")
    session.commit()
    return w
