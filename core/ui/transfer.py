"""The transfer (转移) panel: pick the new owner (and, for customers, whether the contacts,
opportunities and contracts go along) and confirm. Opened from a button by a session flag."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.db import transaction
from core.errors import DomainError
from core.i18n import t
from core.services.lookups import user_choices
from core.ui.context import show_error


def open_key(key: str) -> str:
    return f"{key}.transfer_open"


def toggle(key: str) -> None:
    st.session_state[open_key(key)] = not st.session_state.get(open_key(key), False)


def transfer_panel(
    key: str,
    *,
    on_transfer: Callable,
    current_owner: int | None,
    title_key: str = "customer.transfer.title",
    cascade_label: str = "",
) -> None:
    """`on_transfer(session, to_user_id, cascade)` does the work; afterwards the page reruns."""
    if not st.session_state.get(open_key(key)):
        return
    with transaction() as session:
        users = dict(user_choices(session))
    choices = [u for u in users if u != current_owner]
    with st.container(border=True):
        st.markdown(f"**{t(title_key)}**")
        to_user = st.selectbox(
            t("customer.transfer.to_user"),
            choices,
            index=None,
            format_func=users.get,
            placeholder=t("records.choose"),
            key=f"{key}.transfer_to",
        )
        cascade = (
            st.checkbox(cascade_label, key=f"{key}.transfer_cascade") if cascade_label else False
        )
        go_col, cancel_col, _ = st.columns([1, 1, 4])
        go = go_col.button(
            t("customer.transfer.submit"),
            key=f"{key}.transfer_go",
            type="primary",
            disabled=to_user is None,
            width="stretch",
        )
        cancel_col.button(
            t("records.cancel"),
            key=f"{key}.transfer_cancel",
            on_click=toggle,
            args=(key,),
            width="stretch",
        )
    if go and to_user is not None:
        _transfer(key, on_transfer, to_user, cascade, users[to_user])


def _transfer(key: str, on_transfer: Callable, to_user: int, cascade: bool, name: str) -> None:
    try:
        with transaction() as session:
            on_transfer(session, to_user, cascade)
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state[open_key(key)] = False
    st.toast(t("customer.transfer.done", name=name))
    st.rerun()
