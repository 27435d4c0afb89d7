"""查重 in the UI (CUS-3): possible duplicates under the new-customer form as the user types
(confirm to save an exact one anyway), the stand-alone 查重 tool, and the customer save hook."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.db import transaction
from core.i18n import t
from core.permissions import Actor
from core.services import customers, duplicates
from core.services.duplicates import Match

K = "customer.duplicates"
CONFIRM = "customer.confirm_duplicate"
TOOL_OPEN = "customer.duplicate_tool_open"
CACHE = "customer.duplicates_cache"


def _reason(m: Match) -> str:
    if m.phone_match:
        return t(f"{K}.reason_phone")
    return t(f"{K}.reason_name" if m.exact_name else f"{K}.reason_similar")


def matches_table(matches: list[Match], key: str) -> None:
    """Possible duplicates as a plain table; records the user may not open show only name and
    owner, marked as such."""
    rows = {
        t(f"{K}.source"): [t(f"{K}.source_{m.source}") for m in matches],
        t(f"{K}.record"): [
            m.name if m.record_id is not None else f"{m.name} {t(f'{K}.hidden')}" for m in matches
        ],
        t(f"{K}.owner"): [m.owner_name or t(f"{K}.pool_owner") for m in matches],
        t(f"{K}.reason"): [_reason(m) for m in matches],
    }
    st.dataframe(rows, hide_index=True, width="stretch", key=key)


def _find(
    actor: Actor, name: str, phone: str, exclude: int | None, contains: bool = False
) -> list[Match]:
    """Matches for what was typed; the same input is not searched twice in a row (a form reruns
    on every field the user leaves, and the "contains" check scans every name)."""
    probe = (actor.user_id, name or "", phone or "", exclude, contains)
    cached = st.session_state.get(CACHE)
    if cached and cached[0] == probe:
        return cached[1]
    with transaction() as session:
        found = duplicates.find(
            session,
            actor=actor,
            name=name or "",
            phone=phone or "",
            exclude_customer_id=exclude,
            contains=contains,
        )
    st.session_state[CACHE] = (probe, found)
    return found


def duplicate_aside(actor: Actor):
    """The customer form's aside: possible duplicates of the name and phone typed so far, and
    the confirmation an exact duplicate needs before it is saved."""

    def aside(values: dict[str, Any], record_id: int | None) -> dict[str, Any]:
        matches = _find(actor, values.get("name") or "", values.get("phone") or "", record_id)
        if not matches:
            return {"confirm_duplicate": False}
        st.warning(t(f"{K}.typing_found"))
        matches_table(matches, key="customer.form_duplicates")
        blocking = any(m.exact and m.source != "lead" for m in matches)
        confirmed = st.checkbox(t(f"{K}.confirm"), key=CONFIRM) if blocking else False
        return {"confirm_duplicate": confirmed}

    return aside


def save_customer(session, *, actor, spec, values, record_id, expected_version):
    """record_form's on_save for customers: the customer service's rules (duplicates, team)."""
    values = dict(values)
    confirmed = bool(values.pop("confirm_duplicate", False))
    st.session_state.pop(CACHE, None)  # what exists is about to change
    if record_id is None:
        return customers.create(session, actor=actor, values=values, confirm_duplicate=confirmed)
    return customers.update(
        session,
        actor=actor,
        customer_id=record_id,
        values=values,
        expected_version=expected_version,
        confirm_duplicate=confirmed,
    )


def duplicate_tool(actor: Actor) -> None:
    """The stand-alone 查重 panel: results appear as the user types a name or a phone."""
    if not st.session_state.get(TOOL_OPEN):
        return
    with st.container(border=True):
        st.markdown(f"**{t(f'{K}.tool')}**")
        st.caption(t(f"{K}.tool_intro"))
        name_col, phone_col = st.columns([3, 2])
        name = name_col.text_input(t(f"{K}.name"), key=f"{K}.tool_name", live=True, max_chars=200)
        phone = phone_col.text_input(
            t(f"{K}.phone"), key=f"{K}.tool_phone", live=True, max_chars=30
        )
        contains = st.checkbox(t(f"{K}.contains"), key=f"{K}.tool_contains")
        if not (name or "").strip() and not (phone or "").strip():
            return
        matches = _find(actor, name, phone, None, contains)
        if not matches:
            st.success(t(f"{K}.none"))
            return
        st.caption(t(f"{K}.found", count=len(matches)))
        matches_table(matches, key=f"{K}.tool_table")
