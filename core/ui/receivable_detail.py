"""Detail panels of the receivables page (CUS-8): a receivable with its approval actions, and a
receivable plan with edit (same total rule as creating) and delete while unused."""

from __future__ import annotations

from functools import partial

import streamlit as st

from core.db import transaction
from core.errors import NotFound
from core.i18n import format_date, format_money, t
from core.permissions import Actor
from core.services import contracts, receivables, records, sales_approval
from core.services.receivables import PLAN, RECEIVABLE
from core.ui import approval_bar
from core.ui.receivable_forms import open_receivable_form, receivable_form_is_open
from core.ui.record_detail import delete_and_close, escape_markdown, record_detail
from core.ui.record_form import form_is_open, open_form, record_form, selected_key


def _receivable_actions(actor: Actor, receivable) -> None:
    editable = sales_approval.is_editable(receivable.approval_status)
    with st.container(horizontal=True):
        if editable and actor.can("crm.receivable.edit") and not receivable_form_is_open():
            st.button(
                t("records.edit"),
                key="receivable.edit",
                on_click=open_receivable_form,
                args=(receivable,),
            )
        approval_bar.approval_buttons("receivable", actor, receivable)
        deletable = editable and actor.can("crm.receivable.delete")
        if deletable and st.button(t("records.delete"), key="receivable.delete"):
            delete = partial(receivables.delete, actor=actor, receivable_id=receivable.id)
            delete_and_close(RECEIVABLE, delete)
        if st.button(t("records.close"), key="receivable.close"):
            st.session_state.pop(selected_key(RECEIVABLE), None)
            st.rerun()
    approval_bar.confirm_void("receivable", actor, receivable)


def receivable_panel(actor: Actor, receivable_id: int) -> None:
    """The selected receivable: amount, contract, approval state and actions, fields, history."""
    try:
        with transaction() as session:
            receivable = records.get_visible(
                session, actor=actor, spec=RECEIVABLE, record_id=receivable_id
            )
            contract = contracts.get(session, actor=actor, contract_id=receivable.contract_id)
    except NotFound:
        st.session_state.pop(selected_key(RECEIVABLE), None)
        return
    with st.container(border=True):
        title, badge = st.columns([5, 1], vertical_alignment="center")
        title.subheader(escape_markdown(receivable.number))
        with badge:
            approval_bar.status_badge(receivable.approval_status)
        figures = st.columns(3)
        figures[0].metric(t("receivable.amount"), format_money(receivable.amount))
        figures[1].metric(t("receivable.received_date"), format_date(receivable.received_date))
        figures[2].metric(
            t("contract.outstanding"), format_money(contract.amount - contract.received_amount)
        )
        _receivable_actions(actor, receivable)
        tabs = [
            (
                t("contract.tab_approval"),
                lambda: approval_bar.decisions_table(receivable.approval_request_id),
            )
        ]
        record_detail(RECEIVABLE, actor, receivable, heading=False, tabs=tabs)


def _save_plan(session, *, actor, spec, values, record_id, expected_version):
    return receivables.update_plan(
        session, actor=actor, plan_id=record_id, values=values, expected_version=expected_version
    )


def plan_form(actor: Actor) -> None:
    """The open plan edit form (amount, date, reminder, notes)."""
    if form_is_open(PLAN):
        record_form(PLAN, actor, on_save=_save_plan)


def plan_panel(actor: Actor, plan_id: int) -> None:
    """The selected plan with edit / delete / close."""
    try:
        with transaction() as session:
            plan = records.get_visible(session, actor=actor, spec=PLAN, record_id=plan_id)
    except NotFound:
        st.session_state.pop(selected_key(PLAN), None)
        return
    with st.container(border=True):
        st.subheader(t("receivable.plan.heading", period=plan.period))
        record_detail(PLAN, actor, plan, heading=False)
        edit, delete, close, _ = st.columns([1, 1, 1, 4])
        if actor.can("crm.receivable.edit") and not form_is_open(PLAN):
            edit.button(
                t("records.edit"), key="receivable_plan.edit", on_click=open_form, args=(PLAN, plan)
            )
        if actor.can("crm.receivable.delete") and delete.button(
            t("records.delete"), key="receivable_plan.delete"
        ):
            delete_and_close(PLAN, partial(receivables.delete_plan, actor=actor, plan_id=plan.id))
        if close.button(t("records.close"), key="receivable_plan.close"):
            st.session_state.pop(selected_key(PLAN), None)
            st.rerun()
