"""Follow-up list page parts (CUS-10): the selected follow-up's panel (details, a button to the
record it is about, delete)."""

from __future__ import annotations

import streamlit as st

from core.config import PROJECT_ROOT
from core.db import transaction
from core.errors import DomainError, NotFound
from core.i18n import t
from core.permissions import Actor
from core.services import followup_timeline, followups, records
from core.services.followups import FOLLOWUP
from core.ui.context import show_error
from core.ui.record_detail import record_detail
from core.ui.record_form import selected_key

KEY = "followup.detail"
PAGES = {
    "lead": "pages/crm/leads.py",
    "customer": "pages/crm/customers.py",
    "contact": "pages/crm/contacts.py",
    "opportunity": "pages/crm/opportunities.py",
    "contract": "pages/crm/contracts.py",
}


def _subject_label(record) -> str:
    """ "客户：华为技术" for the record a follow-up is about."""
    with transaction() as session:
        titles = followup_timeline.subject_titles(
            session, [(record.subject_type, record.subject_id)]
        )
    return t(
        "followup.on_subject",
        kind=t(f"followup.subject_type_choices.{record.subject_type}"),
        name=titles.get((record.subject_type, record.subject_id), ""),
    )


def _close() -> None:
    st.session_state.pop(selected_key(FOLLOWUP), None)


def _open_subject(record) -> None:
    page = PAGES.get(record.subject_type)
    if page is None or not (PROJECT_ROOT / page).exists():
        return
    st.session_state[f"{record.subject_type}.selected"] = record.subject_id
    st.switch_page(page)


def _delete(actor: Actor, followup_id: int) -> None:
    try:
        with transaction() as session:
            followups.delete(session, actor=actor, followup_id=followup_id)
    except DomainError as exc:
        show_error(exc)
        return
    _close()
    st.toast(t("followup.deleted"))
    st.rerun()


def followup_panel(actor: Actor, followup_id: int) -> None:
    """The selected follow-up; gone or out of scope: the panel closes."""
    try:
        with transaction() as session:
            record = records.get_visible(session, actor=actor, spec=FOLLOWUP, record_id=followup_id)
    except NotFound:
        _close()
        return
    with st.container(border=True):
        record_detail(FOLLOWUP, actor, record, heading=False)
        bar = st.container(horizontal=True)
        if bar.button(_subject_label(record), key=f"{KEY}.open", icon="↗"):
            _open_subject(record)
        if actor.can(FOLLOWUP.action("delete")) and bar.button(
            t("followup.delete"), key=f"{KEY}.delete"
        ):
            _delete(actor, record.id)
        bar.button(t("records.close"), key=f"{KEY}.close", on_click=_close)
