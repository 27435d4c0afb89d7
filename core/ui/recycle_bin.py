"""The recycle bin page (CUS-12): pick an entity, see its deleted records with who deleted them
and when, tick rows, restore them or purge them for good (after a confirmation)."""

from __future__ import annotations

import math

import streamlit as st

from core.db import transaction
from core.entities import EntitySpec
from core.errors import DomainError
from core.i18n import format_datetime, t
from core.permissions import Actor
from core.services import recycle_bin
from core.ui.context import show_error

PAGE_SIZE = 50
ENTITY = "recycle.entity"
CHECKED = "recycle.checked"
CONFIRM = "recycle.confirm_purge"
FLASH = "recycle.flash"


def _reset() -> None:
    st.session_state[CHECKED] = []
    st.session_state.pop(CONFIRM, None)
    st.session_state["recycle.generation"] = st.session_state.get("recycle.generation", 0) + 1


def _pick(actor: Actor) -> EntitySpec | None:
    specs = {s.name: s for s in recycle_bin.bin_specs(actor)}
    if not specs:
        st.info(t("recycle.empty"))
        return None
    with transaction() as session:
        counts = {
            n: recycle_bin.count_deleted(session, actor=actor, spec=s) for n, s in specs.items()
        }
    pick_col, search_col = st.columns([1, 2], vertical_alignment="bottom")
    name = pick_col.selectbox(
        t("recycle.entity"), list(specs), key=ENTITY, on_change=_reset,
        format_func=lambda n: f"{t(specs[n].title_key)} ({counts[n]})",
    )  # fmt: skip
    search_col.text_input(
        t("recycle.search"), key="recycle.search", on_change=_reset,
        placeholder=t("recycle.search"), label_visibility="collapsed",
    )  # fmt: skip
    return specs[name]


def _table(spec: EntitySpec, rows) -> None:
    ids = [r.id for r in rows]
    key = f"recycle.table.{st.session_state.get('recycle.generation', 0)}"

    def on_select() -> None:
        st.session_state[CHECKED] = [ids[i] for i in st.session_state[key].selection.rows]

    data = {
        t("recycle.name"): [r.title for r in rows],
        t("recycle.deleted_at"): [format_datetime(r.deleted_at) for r in rows],
        t("recycle.deleted_by"): [r.deleted_by for r in rows],
    }
    if spec.owned:
        data[t("recycle.owner")] = [r.owner for r in rows]
    st.dataframe(
        data, key=key, hide_index=True, on_select=on_select, selection_mode="multi-row",
        width="stretch",
    )  # fmt: skip


def _act(action, message: str, **kwargs) -> None:
    try:
        with transaction() as session:
            done = action(session, **kwargs)
    except DomainError as exc:
        show_error(exc)
        return
    _reset()
    st.session_state[FLASH] = (message, done)
    st.rerun()


def _purge_all(session, *, actor: Actor, spec: EntitySpec, ids: list[int]) -> int:
    for record_id in ids:
        recycle_bin.purge(session, actor=actor, spec=spec, record_id=record_id)
    return len(ids)


def _actions(spec: EntitySpec, actor: Actor) -> None:
    ids = [i for i in st.session_state.get(CHECKED) or []]
    restore_col, purge_col, _ = st.columns([1, 1, 4])
    if restore_col.button(
        t("recycle.restore"), key="recycle.restore", type="primary", disabled=not ids,
        width="stretch",
    ):  # fmt: skip
        _act(recycle_bin.restore, "recycle.restored", actor=actor, spec=spec, ids=ids)
    if purge_col.button(t("recycle.purge"), key="recycle.purge", disabled=not ids, width="stretch"):
        st.session_state[CONFIRM] = ids
    if st.session_state.get(CONFIRM) and st.session_state[CONFIRM] == ids:
        st.warning(t("recycle.confirm_purge", n=len(ids)))
        yes_col, no_col, _ = st.columns([1, 1, 4])
        if yes_col.button(t("recycle.confirm"), key="recycle.confirm", type="primary"):
            _act(_purge_all, "recycle.purged", actor=actor, spec=spec, ids=ids)
        if no_col.button(t("recycle.cancel"), key="recycle.keep"):
            st.session_state.pop(CONFIRM, None)
            st.rerun()


def recycle_bin_page(actor: Actor) -> None:
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(t(flash[0], n=flash[1]))
    spec = _pick(actor)
    if spec is None:
        return
    search = st.session_state.get("recycle.search", "")
    with transaction() as session:
        total = recycle_bin.count_deleted(session, actor=actor, spec=spec, search=search)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(int(st.session_state.get("recycle.page", 1)), pages)
        rows = recycle_bin.list_deleted(
            session, actor=actor, spec=spec, page=page, page_size=PAGE_SIZE, search=search
        )
    if not rows:
        st.info(t("recycle.empty"))
        return
    _actions(spec, actor)
    st.caption(t("recycle.select_hint"))
    _table(spec, rows)
    left, middle = st.columns([1, 3], vertical_alignment="center")
    left.caption(t("recycle.total", total=total))
    with middle:
        st.pagination(pages, key="recycle.page", on_change=_reset)
