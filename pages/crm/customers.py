"""客户 (CUS-3): the customer list (owned customers; the pool has its own page), the customer
form with duplicate check while typing, the 查重 tool, and the selected customer's detail."""

import streamlit as st

from core.i18n import t
from core.services.customers import CUSTOMER, owned_clause
from core.ui.context import page_setup
from core.ui.customer_detail import customer_panel
from core.ui.duplicates import TOOL_OPEN, duplicate_aside, duplicate_tool, save_customer
from core.ui.pool import show_flash as show_pool_flash
from core.ui.records import form_is_open, open_form, record_form, record_list

actor = page_setup("crm.customer.view", "customer.title")
show_pool_flash()  # after 放入公海 from the detail

new_col, tool_col, _ = st.columns([1, 1, 4], vertical_alignment="center")
if actor.can(CUSTOMER.action("create")):
    new_col.button(
        t("customer.new"),
        key="customer.new",
        type="primary",
        on_click=open_form,
        args=(CUSTOMER,),
        disabled=form_is_open(CUSTOMER),
        width="stretch",
    )
tool_col.toggle(t("customer.duplicates.tool"), key=TOOL_OPEN)
duplicate_tool(actor)
if form_is_open(CUSTOMER):
    record_form(CUSTOMER, actor, on_save=save_customer, live=True, aside=duplicate_aside(actor))
selected = record_list(CUSTOMER, actor, where=[owned_clause(actor)])
if selected is not None:
    customer_panel(actor, selected)
