"""员工客户分析 (BI-1): new and dealt customers over time and per employee — follow-ups,
lead and deal conversion, pool in/out, deal cycle — follow-up types, and the deal cycle by
employee, province or product."""

import streamlit as st

from core.i18n import t
from core.ui import bi_customers
from core.ui.bi_filters import filter_bar
from core.ui.bi_mirror import ready_mirror
from core.ui.context import page_setup

actor = page_setup("bi.view", "bi_pages.customers.title")
mirror = ready_mirror()
period, who = filter_bar(actor, mirror, "bi_customers", ("customer", "followup", "lead"))
scoped = {"actor": actor, "period": period, "who": who}

overview, kinds, cycle = st.tabs(
    [
        t("bi_pages.customers.tab_overview"),
        t("bi_pages.customers.tab_kinds"),
        t("bi_pages.customers.tab_cycle"),
    ]
)
with overview:
    bi_customers.trend(mirror, **scoped)
    bi_customers.employees(mirror, **scoped)
with kinds:
    bi_customers.follow_up_kinds(mirror, **scoped)
with cycle:
    bi_customers.deal_cycle(mirror, **scoped)
