"""回款 (CUS-8): receivables with their approval, and receivable plans with their status."""

import streamlit as st

from core.i18n import t
from core.services.receivables import PLAN, RECEIVABLE
from core.ui.context import page_setup
from core.ui.receivable_detail import plan_form, plan_panel, receivable_panel
from core.ui.receivable_forms import (
    open_receivable_form,
    receivable_form,
    receivable_form_is_open,
)
from core.ui.records import record_list

actor = page_setup("crm.receivable.view", "receivable.title")

received_tab, plans_tab = st.tabs([t("receivable.title"), t("receivable.plan.title")])
with received_tab:
    if actor.can(RECEIVABLE.action("create")):
        st.button(
            t("receivable.new"),
            key="receivable.new",
            type="primary",
            on_click=open_receivable_form,
            disabled=receivable_form_is_open(),
        )
    if receivable_form_is_open():
        receivable_form(actor)
    selected = record_list(RECEIVABLE, actor)
    if selected is not None:
        receivable_panel(actor, selected)
with plans_tab:
    plan_form(actor)
    selected_plan = record_list(PLAN, actor, bulk=False)  # plans follow their contract
    if selected_plan is not None:
        plan_panel(actor, selected_plan)
