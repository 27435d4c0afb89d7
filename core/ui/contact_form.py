"""Contact page parts (CUS-4): the save hook that applies the contact service's rules, a "new
contact" opener pre-filled with a customer, and the contact detail panel with its timeline."""

from __future__ import annotations

import streamlit as st

from core.i18n import t
from core.permissions import Actor
from core.services import contacts
from core.services.contacts import CONTACT
from core.ui.fields import form_key
from core.ui.record_detail import record_panel
from core.ui.record_form import open_form
from core.ui.timeline import followup_timeline


def save_contact(session, *, actor, spec, values, record_id, expected_version):
    """record_form's on_save for contacts: owner inherited, customer must be visible."""
    if record_id is None:
        return contacts.create(session, actor=actor, values=values)
    return contacts.update(
        session,
        actor=actor,
        contact_id=record_id,
        values=values,
        expected_version=expected_version,
    )


def open_new_contact(customer_id: int | None = None) -> None:
    """Button callback: a new contact form, its customer chosen already when given."""
    open_form(CONTACT)
    if customer_id is not None:
        st.session_state[form_key(CONTACT, CONTACT.field("customer_id"))] = customer_id


def contact_panel(actor: Actor, contact_id: int) -> None:
    """The selected contact: fields, follow-up timeline, history, edit / delete / close."""
    record_panel(
        CONTACT,
        actor,
        contact_id,
        tabs=lambda record: [
            (t("contact.tab_followups"), lambda: followup_timeline(actor, "contact", record.id))
        ],
    )
