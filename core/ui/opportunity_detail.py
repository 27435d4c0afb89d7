"""Opportunity page parts (CUS-6): the form (order form with lines), and the detail panel — stage
stepper for a one-click stage change, win / lose (with reason) / invalid / reopen, a contract
from a won deal, and tabs for lines, stage history, follow-ups and change history."""

from __future__ import annotations

import streamlit as st

from core.db import transaction
from core.errors import DomainError, NotFound
from core.i18n import format_date, format_datetime, format_money, t
from core.permissions import Actor
from core.services import opportunities, stages
from core.services.lookups import option_choices
from core.services.opportunities import OPPORTUNITY
from core.ui.context import show_error
from core.ui.contract_detail import open_new_contract
from core.ui.order_form import open_order_form, order_form, order_form_is_open, order_save
from core.ui.order_lines import lines_table
from core.ui.record_detail import escape_markdown, record_detail
from core.ui.record_form import flash_key, selected_key
from core.ui.related import followups_tab

STATUS_COLORS = {"open": "blue", "won": "green", "lost": "red", "invalid": "gray"}
CONTRACTS_PAGE = "pages/crm/contracts.py"


_save = order_save(opportunities.create, opportunities.update, "opportunity_id")


def opportunity_form(actor: Actor) -> None:
    if order_form_is_open(OPPORTUNITY):
        order_form(OPPORTUNITY, actor, save=_save, locked_on_edit=("stage_group_id",))


def open_new_opportunity() -> None:
    with transaction() as session:
        group = stages.default_group(session)
    open_order_form(OPPORTUNITY, preset={"stage_group_id": group.id if group else None})


def _open_edit(actor: Actor, opportunity_id: int) -> None:
    with transaction() as session:
        opp = opportunities.get(session, actor=actor, opportunity_id=opportunity_id)
        rows = opportunities.line_rows(session, opportunity_id)
    open_order_form(OPPORTUNITY, opp, lines=rows)


def _run(action, message: str, **kwargs) -> None:
    try:
        with transaction() as session:
            action(session, **kwargs)
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state[flash_key(OPPORTUNITY)] = message
    st.rerun()


def _moved(actor: Actor, opportunity_id: int, key: str) -> None:
    stage_id = st.session_state.get(key)
    if stage_id is None:
        return
    try:
        with transaction() as session:
            opportunities.change_stage(
                session, actor=actor, opportunity_id=opportunity_id, stage_id=stage_id
            )
    except DomainError as exc:
        st.session_state["opportunity.board_error"] = (exc.key, exc.params)


def _stepper(actor: Actor, opp, ordered) -> None:
    names = {s.id: f"{s.name} {s.win_probability}%" for s in ordered}
    key = f"opportunity.stepper.{opp.id}"
    st.session_state[key] = opp.stage_id
    movable = opp.status == "open" and actor.can("crm.opportunity.edit")
    st.segmented_control(
        t("opportunity.stage_id"),
        list(names),
        format_func=names.get,
        key=key,
        disabled=not movable,
        on_change=_moved,
        args=(actor, opp.id, key),
        label_visibility="collapsed",
    )


def _lose(actor: Actor, opp) -> None:
    with st.popover(t("opportunity.close_lost")):
        with transaction() as session:
            reasons = dict(option_choices(session, "lost_reason"))
        reason = st.selectbox(
            t("opportunity.lost_reason"),
            list(reasons),
            format_func=reasons.get,
            index=None,
            key="opportunity.lost_reason_pick",
            placeholder=t("records.choose"),
        )
        if st.button(t("opportunity.close_lost"), key="opportunity.lose", type="primary"):
            _run(
                opportunities.close,
                "opportunity.closed_lost",
                actor=actor,
                opportunity_id=opp.id,
                outcome="lost",
                reason=reason or "",
            )


def _new_contract(actor: Actor, opp) -> None:
    with transaction() as session:
        rows = opportunities.line_rows(session, opp.id)
    preset = {
        "name": opp.name[:200],
        "customer_id": opp.customer_id,
        "opportunity_id": opp.id,
        "discount_rate": opp.discount_rate,
        "amount": opp.amount if not rows else None,
    }
    open_new_contract(preset, rows)
    st.switch_page(CONTRACTS_PAGE)


def _close(actor: Actor, opp, outcome: str) -> None:
    message = f"opportunity.closed_{outcome}"
    _run(opportunities.close, message, actor=actor, opportunity_id=opp.id, outcome=outcome)


def _open_actions(actor: Actor, opp) -> None:
    st.button(
        t("records.edit"),
        key="opportunity.edit",
        on_click=_open_edit,
        args=(actor, opp.id),
        disabled=order_form_is_open(OPPORTUNITY),
    )
    if st.button(t("opportunity.close_won"), key="opportunity.win", type="primary"):
        _close(actor, opp, "won")
    _lose(actor, opp)
    if st.button(t("opportunity.close_invalid"), key="opportunity.invalid"):
        _close(actor, opp, "invalid")


def _actions(actor: Actor, opp) -> None:
    can_edit = actor.can("crm.opportunity.edit")
    with st.container(horizontal=True):
        if opp.status == "open" and can_edit:
            _open_actions(actor, opp)
        reopen = opp.status in ("lost", "invalid") and can_edit
        if reopen and st.button(t("opportunity.reopen"), key="opportunity.reopen"):
            _run(opportunities.reopen, "opportunity.reopened", actor=actor, opportunity_id=opp.id)
        contract = opp.status in ("open", "won") and actor.can("crm.contract.create")
        if contract and st.button(t("opportunity.new_contract"), key="opportunity.new_contract"):
            _new_contract(actor, opp)
        delete = actor.can("crm.opportunity.delete")
        if delete and st.button(t("records.delete"), key="opportunity.delete"):
            _run(opportunities.delete, "records.deleted", actor=actor, opportunity_id=opp.id)
        if st.button(t("records.close"), key="opportunity.close"):
            st.session_state.pop(selected_key(OPPORTUNITY), None)
            st.rerun()


def _history_tab(actor: Actor, opp) -> None:
    with transaction() as session:
        steps = opportunities.stage_history(session, actor=actor, opportunity_id=opp.id)
    st.dataframe(
        {
            t("opportunity.history.when"): [format_datetime(s.changed_at) for s in steps],
            t("opportunity.history.from"): [s.from_stage or "—" for s in steps],
            t("opportunity.history.to"): [s.to_stage for s in steps],
            t("opportunity.status"): [
                t(f"opportunity.status_choices.{s.to_status}") for s in steps
            ],
            t("opportunity.history.who"): [s.changed_by for s in steps],
        },
        hide_index=True,
        width="stretch",
        key="opportunity.stage_history",
    )


def _lines_tab(actor: Actor, opp) -> None:
    with transaction() as session:
        rows = opportunities.lines(session, actor=actor, opportunity_id=opp.id)
    lines_table(rows, opp.discount_rate, opp.amount, key="opportunity.lines_table")


def opportunity_panel(actor: Actor, opportunity_id: int) -> None:
    """The selected opportunity; one gone or out of scope just closes the panel."""
    try:
        with transaction() as session:
            opp = opportunities.get(session, actor=actor, opportunity_id=opportunity_id)
            ordered = stages.stages_of(session, group_id=opp.stage_group_id)
    except NotFound:
        st.session_state.pop(selected_key(OPPORTUNITY), None)
        return
    with st.container(border=True):
        title, badge = st.columns([5, 1], vertical_alignment="center")
        title.subheader(escape_markdown(opp.name))
        badge.badge(
            t(f"opportunity.status_choices.{opp.status}"), color=STATUS_COLORS[str(opp.status)]
        )
        figures = st.columns(3)
        figures[0].metric(t("opportunity.amount"), format_money(opp.amount))
        figures[1].metric(
            t("opportunity.expected_close_date"), format_date(opp.expected_close_date) or "—"
        )
        current = next((s for s in ordered if s.id == opp.stage_id), None)
        figures[2].metric(
            t("opportunity.win_probability"), f"{current.win_probability}%" if current else "—"
        )
        _stepper(actor, opp, ordered)
        _actions(actor, opp)
        tabs = [
            (t("opportunity.tab_lines"), lambda: _lines_tab(actor, opp)),
            (t("opportunity.tab_stages"), lambda: _history_tab(actor, opp)),
            (t("opportunity.tab_followups"), lambda: followups_tab(actor, "opportunity", opp)),
        ]
        record_detail(OPPORTUNITY, actor, opp, heading=False, lazy=True, tabs=tabs)
