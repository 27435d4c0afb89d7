"""线索 (CUS-2): open leads (converted ones in their own view), the lead form, and the selected
lead's detail with conversion into a customer, transfer, follow-ups and files."""

import streamlit as st

from core.i18n import t
from core.services.leads import LEAD
from core.ui.context import page_setup
from core.ui.lead_detail import lead_panel, save_lead, show_flash
from core.ui.records import form_is_open, open_form, record_form, record_list

actor = page_setup("crm.lead.view", "lead.title")
show_flash()

if actor.can(LEAD.action("create")):
    st.button(
        t("lead.new"),
        key="lead.new",
        type="primary",
        on_click=open_form,
        args=(LEAD,),
        disabled=form_is_open(LEAD),
    )
if form_is_open(LEAD):
    record_form(LEAD, actor, on_save=save_lead)
selected = record_list(LEAD, actor)
if selected is not None:
    lead_panel(actor, selected)
