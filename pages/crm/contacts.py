"""联系人 (CUS-4): the contacts the actor may see, the contact form, and the selected contact's
detail with its follow-up timeline."""

import streamlit as st

from core.i18n import t
from core.services.contacts import CONTACT
from core.ui.contact_form import contact_panel, open_new_contact, save_contact
from core.ui.context import page_setup
from core.ui.records import form_is_open, record_form, record_list

actor = page_setup("crm.contact.view", "contact.title")

if actor.can(CONTACT.action("create")):
    st.button(
        t("contact.new"),
        key="contact.new",
        type="primary",
        on_click=open_new_contact,
        disabled=form_is_open(CONTACT),
    )
if form_is_open(CONTACT):
    record_form(CONTACT, actor, on_save=save_contact)
selected = record_list(CONTACT, actor)
if selected is not None:
    contact_panel(actor, selected)
