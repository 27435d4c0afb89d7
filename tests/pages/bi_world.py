"""A little sales activity dated around today (the business-zone date the pages use), so the
dashboard and BI pages draw real charts in AppTest: sales1 and sales2 (manager's team) and
outsider (another department) each sell; every figure below is used by the page tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core import db as core_db
from core.ui.bi_filters import business_today
from tests.bi import data

SALES1_CONTRACT = "1000.10"
SALES2_CONTRACT = "400.40"
OUTSIDER_CONTRACT = "999.99"
SALES1_RECEIVED = "600.00"


@dataclass
class World:
    today: dt.date
    ids: dict[str, int] = field(default_factory=dict)


def build(org) -> World:
    """Customers, contracts with lines, receivables, follow-ups, opportunities and targets."""
    today = business_today()
    w, u = World(today), org.users
    with core_db.transaction() as s:
        soft = data.category(s, "软件")
        crm, server = data.product(s, "CRM 标准版", soft), data.product(s, "服务器", None)
        stages = data.default_stages(s)
        for owner, amount, province in (("sales1", SALES1_CONTRACT, "广东"),
                                        ("sales2", SALES2_CONTRACT, "北京"),
                                        ("outsider", OUTSIDER_CONTRACT, "上海")):  # fmt: skip
            cust = data.customer(s, u[owner], today, province=province, industry="金融",
                                 level="A", source="展会", is_dealt=True)  # fmt: skip
            deal = data.contract(s, u[owner], cust, today, amount)
            data.line(s, deal, crm if owner != "outsider" else server, "2", amount)
            data.follow_up(s, u[owner], cust, today, kind="拜访")
            data.opportunity(s, u[owner], cust, today, "300.00", stages[1])
            data.check_in(s, u[owner], cust, today)
            w.ids[f"{owner}.customer"], w.ids[f"{owner}.contract"] = cust.id, deal.id
        data.receivable(s, u["sales1"], s.get(type(deal), w.ids["sales1.contract"]), today,
                        SALES1_RECEIVED)  # fmt: skip
        data.contract(s, u["sales1"], s.get(type(cust), w.ids["sales1.customer"]), today,
                      "77.00", "pending")  # fmt: skip
        for month in range(1, 13):
            data.target(s, today.year, month, "3000", user=u["sales1"])
            data.target(s, today.year, month, "9000", department=org.departments["sales"])
    return w
