"""线索 (CUS-2): open / converted / all leads, the lead form, and the selected lead's detail
with conversion into a customer, transfer, follow-ups and files."""

import streamlit as st

from core.i18n import t
from core.services.leads import LEAD, status_clause
from core.ui.context import page_setup
from core.ui.lead_detail import lead_panel, save_lead, show_flash
from core.ui.records import form_is_open, open_form, record_form, record_list

actor = page_setup("crm.lead.view", "lead.title")
show_flash()

new_col, show_col = st.columns([1, 4], vertical_alignment="center")
if actor.can(LEAD.action("create")):
    new_col.button(
        t("lead.new"),
        key="lead.new",
        type="primary",
        on_click=open_form,
        args=(LEAD,),
        disabled=form_is_open(LEAD),
    )
show = show_col.segmented_control(
    t("lead.show"),
    ["open", "converted", "all"],
    default="open",
    key="lead.show",
    format_func=lambda v: t(f"lead.show_{v}"),
    label_visibility="collapsed",
)
if form_is_open(LEAD):
    record_form(LEAD, actor, on_save=save_lead)
selected = record_list(LEAD, actor, where=status_clause(show or "all"), context=show)
if selected is not None:
    lead_panel(actor, selected)
