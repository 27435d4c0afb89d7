"""The views bar above every list: built-in views (all, mine, my team's, starred …) and the user's
saved views as one segmented control, "save as view", and deleting saved views. Choosing a saved
view fills the list's search, sort and filter widgets with what it was saved with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import streamlit as st

from core.db import transaction
from core.entities import NUMBER_KINDS, SET_KINDS, EntitySpec, Kind
from core.errors import DomainError, NotFound
from core.i18n import t, to_local
from core.permissions import Actor
from core.services import saved_views
from core.services.saved_views import SAVED_PREFIX, ViewQuery
from core.ui.context import show_error


def view_key(spec: EntitySpec) -> str:
    return f"{spec.name}.view"


def _widget_state(spec: EntitySpec, name: str, value: Any) -> dict[str, Any]:
    """A filter value → the states of its widgets (keys as core.ui.fields.filter_widget)."""
    f = spec.field(name)
    key = f"{spec.name}.filter.{name}"
    if f.kind in NUMBER_KINDS:
        low, high = (
            (list(value) + [None, None])[:2] if isinstance(value, list | tuple) else (None, None)
        )
        as_number = lambda v: float(v) if isinstance(v, Decimal) else v  # noqa: E731
        return {f"{key}.min": as_number(low), f"{key}.max": as_number(high)}
    if f.kind in (Kind.DATE, Kind.DATETIME):
        days = [v for v in (value or ()) if v is not None]
        if f.kind == Kind.DATETIME:
            days = [to_local(v).date() if isinstance(v, dt.datetime) else v for v in days]
        return {key: tuple(days)}
    if f.kind in SET_KINDS:
        return {key: list(value or [])}
    if f.kind == Kind.BOOL:
        return {key: value}
    return {key: value or ""}


def _clear_widgets(spec: EntitySpec) -> None:
    for f in spec.filter_fields():
        for widget in _widget_state(spec, f.name, None):
            st.session_state.pop(widget, None)


def _apply_saved(spec: EntitySpec, actor: Actor) -> None:
    """on_change of the views bar: a saved view replaces search, sort and filters."""
    key = st.session_state.get(view_key(spec)) or "all"
    if not key.startswith(SAVED_PREFIX):
        return
    try:
        with transaction() as session:
            view = saved_views.resolve(session, actor=actor, spec=spec, key=key)
    except NotFound:
        st.session_state[view_key(spec)] = "all"
        return
    _clear_widgets(spec)
    for name, value in view.filters.items():
        if spec.field(name).filterable:
            st.session_state.update(_widget_state(spec, name, value))
    st.session_state[f"{spec.name}.search"] = view.search
    st.session_state[f"{spec.name}.sort"] = view.sort


def views_bar(spec: EntitySpec, actor: Actor) -> tuple[str, ViewQuery]:
    """Render the views; return the chosen view key and what it adds to the query."""
    with transaction() as session:
        saved = saved_views.list_saved(session, actor=actor, spec=spec)
    labels = {v.name: t(v.label_key) for v in spec.builtin_views}
    labels |= {f"{SAVED_PREFIX}{v.id}": v.name for v in saved}
    state = view_key(spec)
    pending = st.session_state.pop(_pending_key(spec), None)
    if pending is not None:  # a view just saved or deleted (set after the bar had rendered)
        st.session_state[state] = pending
        _apply_saved(spec, actor)
    if st.session_state.get(state) not in labels:
        st.session_state[state] = "all" if "all" in labels else next(iter(labels))
    st.segmented_control(
        t("views.label"),
        list(labels),
        key=state,
        format_func=labels.get,
        required=True,
        on_change=_apply_saved,
        args=(spec, actor),
        label_visibility="collapsed",
    )
    chosen = st.session_state[state]
    try:
        with transaction() as session:
            return chosen, saved_views.resolve(session, actor=actor, spec=spec, key=chosen)
    except NotFound:
        return "all", ViewQuery()


def _pending_key(spec: EntitySpec) -> str:
    return f"{spec.name}.view_pending"


def _base(spec: EntitySpec) -> str:
    chosen = st.session_state.get(view_key(spec)) or "all"
    if not chosen.startswith(SAVED_PREFIX):
        return chosen
    return "all"


def save_view_popover(
    spec: EntitySpec, actor: Actor, *, filters: dict, search: str, sort: str
) -> None:
    """ "Save as view" (name → the current filters, search, sort and built-in view) and the list
    of the user's views with a delete button each."""
    with st.popover(t("views.save"), width="stretch"):
        st.caption(t("views.save_title"))
        with st.form(f"{spec.name}.view_form", border=False, clear_on_submit=True):
            name = st.text_input(
                t("views.name"),
                key=f"{spec.name}.view_name",
                placeholder=t("views.name_placeholder"),
            )
            if st.form_submit_button(t("views.save"), type="primary", key=f"{spec.name}.view_save"):
                _save(spec, actor, name, filters, search, sort)
        _manage(spec, actor)


def _save(spec: EntitySpec, actor: Actor, name: str, filters: dict, search: str, sort: str):
    try:
        with transaction() as session:
            view = saved_views.save_view(
                session, actor=actor, spec=spec, name=name, filters=filters, search=search,
                sort=sort, base=_base(spec),
            )  # fmt: skip
            key = f"{SAVED_PREFIX}{view.id}"
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state[_pending_key(spec)] = key
    st.toast(t("views.saved"))
    st.rerun()


def _manage(spec: EntitySpec, actor: Actor) -> None:
    with transaction() as session:
        saved = saved_views.list_saved(session, actor=actor, spec=spec)
    st.caption(t("views.my_views"))
    if not saved:
        st.caption(t("views.none_saved"))
    for view in saved:
        name_col, delete_col = st.columns([3, 1], vertical_alignment="center")
        name_col.text(view.name)
        if delete_col.button(t("views.delete"), key=f"{spec.name}.view_delete.{view.id}"):
            with transaction() as session:
                saved_views.delete_view(
                    session, actor=actor, spec=spec, key=f"{SAVED_PREFIX}{view.id}"
                )
            if st.session_state.get(view_key(spec)) == f"{SAVED_PREFIX}{view.id}":
                st.session_state[_pending_key(spec)] = "all"
            st.toast(t("views.deleted"))
            st.rerun()
