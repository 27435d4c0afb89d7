"""The lead detail (CUS-2): status, actions (edit, convert, transfer, delete), the conversion
form, and tabs — details, follow-ups, files, history. A converted lead is read-only and links to
its customer."""

from __future__ import annotations

from functools import partial

import streamlit as st

from core.db import transaction
from core.errors import DomainError, NotFound
from core.i18n import format_datetime, t
from core.permissions import Actor
from core.services import leads
from core.services.customers import CUSTOMER
from core.services.leads import LEAD
from core.ui import transfer
from core.ui.context import show_error
from core.ui.lead_convert import can_convert, conversion_form, conversion_open, open_conversion
from core.ui.record_detail import escape_markdown, files_tab, record_detail
from core.ui.record_form import form_is_open, open_form, selected_key
from core.ui.stars import star_button
from core.ui.timeline import followup_timeline

KEY = "lead.detail"
FLASH = "lead.flash_text"
CUSTOMERS_PAGE = "pages/crm/customers.py"


def save_lead(session, *, actor, spec, values, record_id, expected_version):
    """record_form's on_save for leads: a converted lead refuses edits."""
    if record_id is None:
        return leads.create(session, actor=actor, values=values)
    return leads.update(
        session, actor=actor, lead_id=record_id, values=values, expected_version=expected_version
    )


def show_flash() -> None:
    text = st.session_state.pop(FLASH, None)
    if text:
        st.toast(text)


def _close() -> None:
    st.session_state.pop(selected_key(LEAD), None)


def _open_customer(customer_id: int) -> None:
    st.session_state[selected_key(CUSTOMER)] = customer_id
    st.switch_page(CUSTOMERS_PAGE)


def _converted_note(lead, customer_name: str) -> None:
    when = format_datetime(lead.converted_at)
    st.info(t("lead.converted_note", when=when, customer=customer_name))
    if st.button(t("lead.open_customer"), key=f"{KEY}.open_customer", type="primary"):
        _open_customer(lead.customer_id)


def _owner_may(actor: Actor, lead, verb: str) -> bool:
    owners = actor.owner_ids(LEAD.action(verb))
    return actor.can(LEAD.action(verb)) and (owners is None or lead.owner_id in owners)


def _actions(actor: Actor, lead) -> None:
    bar = st.container(horizontal=True)  # compact buttons, left to right
    open_ = not lead.is_converted
    if open_ and can_convert(actor) and _owner_may(actor, lead, "edit"):
        bar.button(
            t("lead.convert"),
            key=f"{KEY}.convert",
            type="primary",
            on_click=open_conversion,
            args=(lead,),
            disabled=conversion_open(lead.id),
        )
    if open_ and _owner_may(actor, lead, "edit") and not form_is_open(LEAD):
        bar.button(t("records.edit"), key=f"{KEY}.edit", on_click=open_form, args=(LEAD, lead))
    if open_ and _owner_may(actor, lead, "transfer"):
        bar.button(t("lead.transfer"), key=f"{KEY}.transfer", on_click=transfer.toggle, args=(KEY,))
    if _owner_may(actor, lead, "delete") and bar.button(t("records.delete"), key=f"{KEY}.delete"):
        _delete(actor, lead)
    with bar.container(width="content"):  # the star button stretches to its container
        star_button(LEAD, actor, lead.id, key=f"{KEY}.star")
    bar.button(t("records.close"), key=f"{KEY}.close", on_click=_close)


def _delete(actor: Actor, lead) -> None:
    try:
        with transaction() as session:
            leads.delete(session, actor=actor, lead_id=lead.id, expected_version=lead.version)
    except DomainError as exc:
        show_error(exc)
        return
    _close()
    st.toast(t("records.deleted"))
    st.rerun()


def _files_tab(actor: Actor, lead) -> None:
    editable = not lead.is_converted and _owner_may(actor, lead, "edit")
    ids = {"actor": actor, "lead_id": lead.id}
    files_tab(
        f"{KEY}.files.{lead.id}",
        actor,
        LEAD,
        lead.id,
        attach=partial(leads.attach_file, **ids) if editable else None,
        remove=partial(leads.remove_file, **ids) if editable else None,
    )


def lead_panel(actor: Actor, lead_id: int) -> None:
    """The selected lead in a bordered panel. Gone or out of scope: the panel closes."""
    try:
        with transaction() as session:
            lead = leads.get(session, actor=actor, lead_id=lead_id)
            customer_name = leads.customer_name(session, lead=lead)
    except NotFound:
        _close()
        return
    with st.container(border=True):
        st.subheader(escape_markdown(lead.name), anchor=False)
        status = "lead.status_converted" if lead.is_converted else "lead.status_open"
        st.badge(t(status), color="green" if lead.is_converted else "blue")
        if lead.is_converted:
            _converted_note(lead, customer_name)
        _actions(actor, lead)
        if conversion_open(lead.id):
            conversion_form(actor)
        transfer.transfer_panel(
            KEY,
            on_transfer=lambda s, to_user, _cascade: leads.transfer(
                s, actor=actor, lead_id=lead.id, to_user_id=to_user
            ),
            current_owner=lead.owner_id,
            title_key="lead.transfer_title",
        )
        timeline = partial(followup_timeline, actor, "lead", lead.id, can_add=not lead.is_converted)
        tabs = [
            (t("lead.tab_followups"), timeline),
            (t("lead.tab_files"), partial(_files_tab, actor, lead)),
        ]
        record_detail(LEAD, actor, lead, heading=False, tabs=tabs, lazy=True)
