"""Approval state of a contract or receivable on screen: a coloured badge, the buttons the state
machine and the actor's rights allow (submit, withdraw, approve / reject with a comment, void
with confirmation), and the decisions taken (CUS-7, CUS-8)."""

from __future__ import annotations

import streamlit as st

from core.db import transaction
from core.errors import DomainError
from core.i18n import format_datetime, t
from core.permissions import Actor
from core.services import sales_approval
from core.ui.context import show_error

COLORS = {
    "draft": "gray",
    "pending": "orange",
    "approved": "green",
    "rejected": "red",
    "withdrawn": "gray",
    "void": "gray",
}


def status_badge(status: str) -> None:
    st.badge(t(f"sales_approval.status.{status}"), color=COLORS.get(str(status), "gray"))


def _run(kind: str, event: str, actor: Actor, record_id: int, comment: str = "") -> None:
    try:
        with transaction() as session:
            if event == "submit":
                new = sales_approval.submit(session, actor=actor, kind=kind, record_id=record_id)
            elif event == "withdraw":
                new = sales_approval.withdraw(session, actor=actor, kind=kind, record_id=record_id)
            elif event == "void":
                new = sales_approval.void(session, actor=actor, kind=kind, record_id=record_id)
            else:
                new = sales_approval.decide(
                    session,
                    actor=actor,
                    kind=kind,
                    record_id=record_id,
                    approve=event == "approve",
                    comment=comment,
                )
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state[f"{kind}.flash"] = f"sales_approval.done.{new}"
    st.session_state.pop(f"{kind}.confirm_void", None)
    st.rerun()


def _decide(kind: str, actor: Actor, record_id: int) -> None:
    with st.popover(t("sales_approval.decide"), type="primary"):
        comment = st.text_area(t("sales_approval.comment"), key=f"{kind}.decision_comment")
        yes, no = st.columns(2)
        if yes.button(t("sales_approval.event.approve"), key=f"{kind}.approve", type="primary"):
            _run(kind, "approve", actor, record_id, comment)
        if no.button(t("sales_approval.event.reject"), key=f"{kind}.reject"):
            _run(kind, "reject", actor, record_id, comment)


def approval_buttons(kind: str, actor: Actor, record) -> None:
    """The events the state machine and the actor's rights allow, as buttons in the current
    (horizontal) container; approve / reject open a popover for the comment."""
    events = sales_approval.offered_events(actor, kind, record.approval_status)
    if "approve" in events:
        _decide(kind, actor, record.id)
    for event in ("submit", "withdraw", "void"):
        if event not in events:
            continue
        kind_of_button = "primary" if event == "submit" else "secondary"
        if st.button(
            t(f"sales_approval.event.{event}"), key=f"{kind}.{event}", type=kind_of_button
        ):
            if event == "void":
                st.session_state[f"{kind}.confirm_void"] = record.id
            else:
                _run(kind, event, actor, record.id)


def confirm_void(kind: str, actor: Actor, record) -> None:
    """The confirmation row of a void (作废) the user asked for."""
    if st.session_state.get(f"{kind}.confirm_void") != record.id:
        return
    st.warning(t("sales_approval.confirm_void"))
    yes, no, _ = st.columns([1, 1, 5])
    if yes.button(t("sales_approval.event.void"), key=f"{kind}.void_yes", type="primary"):
        _run(kind, "void", actor, record.id)
    if no.button(t("records.cancel"), key=f"{kind}.void_no"):
        st.session_state.pop(f"{kind}.confirm_void", None)
        st.rerun()


def decisions_table(request_id: int | None) -> None:
    """Who decided what and when, with comments (the record's approval tab)."""
    with transaction() as session:
        found = sales_approval.decisions(session, request_id=request_id)
    if not found:
        st.caption(t("sales_approval.no_decisions"))
        return
    st.dataframe(
        {
            t("sales_approval.when"): [format_datetime(d.decided_at) for d in found],
            t("sales_approval.approver"): [d.approver for d in found],
            t("sales_approval.decision"): [t(f"sales_approval.status.{d.decision}") for d in found],
            t("sales_approval.comment"): [d.comment for d in found],
        },
        hide_index=True,
        width="stretch",
    )
