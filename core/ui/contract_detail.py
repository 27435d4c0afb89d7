"""Contract page parts (CUS-7, CUS-8): the contract form (order form with customer-dependent
opportunity and signatory), and the detail panel — key figures, approval and edit actions, and
tabs for lines, receivable plans and receivables, follow-ups, approvals and history."""

from __future__ import annotations

from functools import partial

import streamlit as st

from core.db import transaction
from core.errors import NotFound
from core.i18n import format_money, t
from core.permissions import Actor
from core.services import contracts, numbering, opportunities, sales_approval, sales_refs
from core.services.contracts import CONTRACT
from core.ui import approval_bar, receivable_forms
from core.ui.order_form import open_order_form, order_form, order_form_is_open, order_save
from core.ui.order_lines import lines_table
from core.ui.record_detail import delete_and_close, escape_markdown, record_detail
from core.ui.record_form import selected_key
from core.ui.related import followups_tab


def _dependents(session, actor: Actor, customer_id):
    return {
        "opportunity_id": dict(opportunities.choices_for_customer(session, actor, customer_id)),
        "customer_signatory_id": dict(sales_refs.contact_choices(session, customer_id)),
    }


_save = order_save(contracts.create, contracts.update, "contract_id")


def contract_form(actor: Actor) -> None:
    """The open contract form (new or edit)."""
    if order_form_is_open(CONTRACT):
        order_form(CONTRACT, actor, save=_save, dependents=_dependents)


def open_new_contract(preset: dict | None = None, lines=()) -> None:
    """Open the form for a new contract dated today (callbacks; preset e.g. from an opportunity)."""
    open_order_form(
        CONTRACT, preset={"order_date": numbering.local_today()} | (preset or {}), lines=lines
    )


def _open_edit(actor: Actor, contract_id: int) -> None:
    with transaction() as session:
        contract = contracts.get(session, actor=actor, contract_id=contract_id)
        rows = contracts.line_rows(session, contract_id)
    open_order_form(CONTRACT, contract, lines=rows)


def _figures(money) -> None:
    columns = st.columns(4)
    columns[0].metric(t("contract.amount"), format_money(money.amount))
    columns[1].metric(t("contract.received_amount"), format_money(money.received))
    columns[2].metric(t("contract.outstanding"), format_money(money.outstanding))
    columns[3].metric(t("contract.planned"), format_money(money.planned))


def _actions(actor: Actor, contract) -> None:
    editable = sales_approval.is_editable(contract.approval_status)
    with st.container(horizontal=True):
        if editable and actor.can("crm.contract.edit") and not order_form_is_open(CONTRACT):
            st.button(
                t("records.edit"),
                key="contract.edit",
                on_click=_open_edit,
                args=(actor, contract.id),
            )
        approval_bar.approval_buttons("contract", actor, contract)
        deletable = editable and actor.can("crm.contract.delete")
        if deletable and st.button(t("records.delete"), key="contract.delete"):
            st.session_state["contract.confirm_delete"] = contract.id
        if st.button(t("records.close"), key="contract.close"):
            st.session_state.pop(selected_key(CONTRACT), None)
            st.rerun()
    approval_bar.confirm_void("contract", actor, contract)
    if st.session_state.get("contract.confirm_delete") == contract.id:
        st.warning(t("records.confirm_delete", name=escape_markdown(contract.name)))
        if st.button(t("records.confirm"), key="contract.confirm_delete_yes", type="primary"):
            delete_and_close(
                CONTRACT, partial(contracts.delete, actor=actor, contract_id=contract.id)
            )


def _lines_tab(actor: Actor, contract) -> None:
    with transaction() as session:
        rows = contracts.lines(session, actor=actor, contract_id=contract.id)
    lines_table(rows, contract.discount_rate, contract.amount, key="contract.lines_table")


def _tabs(actor: Actor, contract) -> list:
    return [
        (t("contract.tab_lines"), lambda: _lines_tab(actor, contract)),
        (t("contract.tab_money"), lambda: receivable_forms.contract_money_tab(actor, contract)),
        (t("contract.tab_followups"), lambda: followups_tab(actor, "contract", contract)),
        (
            t("contract.tab_approval"),
            lambda: approval_bar.decisions_table(contract.approval_request_id),
        ),
    ]


def contract_panel(actor: Actor, contract_id: int) -> None:
    """The selected contract; a contract gone or out of scope just closes the panel."""
    try:
        with transaction() as session:
            contract = contracts.get(session, actor=actor, contract_id=contract_id)
            money = contracts.money(session, actor=actor, contract_id=contract_id)
    except NotFound:
        st.session_state.pop(selected_key(CONTRACT), None)
        return
    with st.container(border=True):
        title, badge = st.columns([5, 1], vertical_alignment="center")
        title.subheader(escape_markdown(f"{contract.number}  {contract.name}"))
        with badge:
            approval_bar.status_badge(contract.approval_status)
        _figures(money)
        _actions(actor, contract)
        record_detail(
            CONTRACT, actor, contract, heading=False, lazy=True, tabs=_tabs(actor, contract)
        )
