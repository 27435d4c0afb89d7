"""仪表盘 (CUS-1): sales briefing, performance against target, funnel, 12-month trend, forgotten
customers and the CRM to-do card, for a period and an employee or department in scope."""

import streamlit as st

from core.bi import dashboard
from core.ui import dashboard_cards as cards
from core.ui import dashboard_panels as panels
from core.ui.bi_filters import business_today, filter_bar
from core.ui.bi_mirror import ready_mirror
from core.ui.context import page_setup
from core.ui.dashboard_drill import drill_dialog

KEYS = ("customer", "contact", "opportunity", "contract", "receivable", "followup")

actor = page_setup("crm.customer.view", "dashboard.title")
mirror = ready_mirror()
period, who = filter_bar(actor, mirror, "dashboard", KEYS)
today = business_today()
scoped = {"actor": actor, "who": who}

cards.briefing(dashboard.briefing(mirror, period=period, **scoped))
cards.indicators(dashboard.indicators(mirror, period=period, **scoped))

funnel_col, trend_col = st.columns([5, 7], gap="medium")
with funnel_col:
    panels.funnel(dashboard.funnel(mirror, period=period, **scoped))
with trend_col:
    panels.trend(dashboard.trend(mirror, today=today, **scoped))

cards.todo(dashboard.todo(mirror, today=today, **scoped))
cards.forgotten(dashboard.forgotten(mirror, today=today, **scoped))

drill_dialog(mirror, actor, period, who, today)
