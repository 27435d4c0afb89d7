"""The generic create/edit form (DESIGN.md §6): widgets by field kind, per-field translated errors,
the user's input kept on any error, one transaction per save, edit conflicts and double submits.

Open it from a button callback with `open_form(spec, record)`; render it with `record_form`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from core.db import transaction
from core.entities import EntitySpec, FieldSpec, Kind
from core.errors import DomainError, EditConflict, ValidationFailed
from core.i18n import t
from core.permissions import Actor
from core.services import records
from core.ui.context import show_error
from core.ui.fields import Choices, form_key, form_widget, initial_widget_value
from core.ui.submit_guard import already_saved, mark_saved, new_token

# on_save(session, actor=, spec=, values=, record_id=, expected_version=) -> saved record
SaveHook = Callable[..., Any]
# aside(values, record_id) renders under the fields (e.g. possible duplicates of what was typed)
# and returns extra values for on_save (keys the spec does not have; validation ignores them).
Aside = Callable[[dict[str, Any], int | None], dict[str, Any]]
WIDE_KINDS = (Kind.TEXTAREA, Kind.IMAGE)


def _state_key(spec: EntitySpec) -> str:
    return f"{spec.name}.form_state"


def selected_key(spec: EntitySpec) -> str:
    """Session key of the record the list has selected (the page shows its detail)."""
    return f"{spec.name}.selected"


def flash_key(spec: EntitySpec) -> str:
    return f"{spec.name}.flash"


def new_form_state(record, current: dict[str, Any]) -> dict[str, Any]:
    """What an open form keeps between reruns: a fresh token (so it saves at most once), the
    record and version it edits, the values it started from, and the last save's errors."""
    return {
        "token": new_token(),
        "record_id": getattr(record, "id", None),
        "version": getattr(record, "version", None),
        "current": current,
        "errors": {},
        "conflict": False,
    }


def open_form(spec: EntitySpec, record=None) -> None:
    """Open the form for a new record (None) or for `record`, starting from its stored values.
    Safe in a button callback; a fresh token makes this form instance save at most once."""
    current = {f.name: getattr(record, f.name, None) for f in spec.fields} if record else {}
    st.session_state[_state_key(spec)] = new_form_state(record, current)
    for f in spec.fields:
        if f.editable:
            value = current.get(f.name) if record else f.default
            if f.kind != Kind.IMAGE:
                st.session_state[form_key(spec, f)] = initial_widget_value(f, value)
            st.session_state.pop(f"{form_key(spec, f)}.remove", None)


def close_form(spec: EntitySpec) -> None:
    st.session_state.pop(_state_key(spec), None)


def form_is_open(spec: EntitySpec) -> bool:
    return _state_key(spec) in st.session_state


def _generic_save(session: Session, *, actor, spec, values, record_id, expected_version):
    if record_id is None:
        return records.create(session, actor=actor, spec=spec, values=values)
    return records.update(
        session,
        actor=actor,
        spec=spec,
        record_id=record_id,
        values=values,
        expected_version=expected_version,
    )


def _reload(spec: EntitySpec, actor: Actor, record_id: int) -> None:
    """Discard the user's input and start again from the record as it is now."""
    with transaction() as session:
        fresh = records.get_visible(session, actor=actor, spec=spec, record_id=record_id)
    open_form(spec, fresh)


def field_rows(fields: list[FieldSpec]) -> list[list[FieldSpec]]:
    """Two short fields per row; long text and images take a whole row."""
    rows: list[list[FieldSpec]] = []
    for f in fields:
        if f.kind in WIDE_KINDS or not rows or len(rows[-1]) == 2 or rows[-1][0].kind in WIDE_KINDS:
            rows.append([f])
        else:
            rows[-1].append(f)
    return rows


def _widgets(spec: EntitySpec, actor: Actor, state: dict) -> dict[str, Any]:
    fields = [f for f in spec.fields if f.editable]
    with transaction() as session:
        choices = Choices.load(session, actor, spec, fields)
    values: dict[str, Any] = {}
    for row in field_rows(fields):
        columns = st.columns(2 if row[0].kind not in WIDE_KINDS else 1)
        for column, f in zip(columns, row, strict=False):
            with column:
                values[f.name] = form_widget(spec, f, choices, state["current"].get(f.name))
                field_error(state, f.name)
    return {k: v for k, v in values.items() if v is not ...}


def field_error(state: dict, name: str) -> None:
    """The last save's error for `name`, translated, under its widget."""
    if name in state["errors"]:
        key, params = state["errors"][name]
        st.caption(f":red[{t(key, **params)}]")


def submit_form(
    spec: EntitySpec, state: dict, save: Callable[..., Any], close: Callable[[EntitySpec], None]
) -> None:
    """Call `save(session, record_id=, expected_version=)` in one transaction, once per form
    token; then close the form, select the saved record and rerun. Validation errors and edit
    conflicts rerun the open form with the input as typed; other domain errors are shown."""
    if already_saved(st.session_state, state["token"]):
        close(spec)  # a second click of a form that already saved
        st.rerun()
    try:
        with transaction() as session:
            record = save(session, record_id=state["record_id"], expected_version=state["version"])
            saved_id = record.id
        mark_saved(st.session_state, state["token"])
    except ValidationFailed as exc:
        state.update(errors=exc.errors, conflict=False)
        st.rerun()
    except EditConflict:
        state.update(errors={}, conflict=True)
        st.rerun()
    except DomainError as exc:
        show_error(exc)
        return
    close(spec)
    st.session_state[selected_key(spec)] = saved_id
    st.session_state[flash_key(spec)] = "records.saved"
    st.rerun()


def form_heading(spec: EntitySpec, state: dict, on_reload=None, reload_args=()) -> None:
    """New/edit title, the edit-conflict warning (with a reload button when `on_reload` is
    given) and the summary of validation errors."""
    title = "records.new_title" if state["record_id"] is None else "records.edit_title"
    st.subheader(t(title, entity=t(spec.title_key)))
    if state["conflict"]:
        st.warning(t("error.edit_conflict"))
        if on_reload is not None:
            st.button(
                t("records.reload_latest"),
                key=f"{spec.name}.reload",
                on_click=on_reload,
                args=reload_args,
            )
    if state["errors"]:
        st.error(t("error.validation_failed"))


def form_buttons(spec: EntitySpec, live: bool) -> tuple[bool, bool]:
    """Save and cancel; inside an st.form (`live` False) they submit it."""
    save_col, cancel_col, _ = st.columns([1, 1, 4])
    save = save_col.button if live else save_col.form_submit_button
    cancel = cancel_col.button if live else cancel_col.form_submit_button
    return (
        save(t("records.save"), type="primary", key=f"{spec.name}.save", width="stretch"),
        cancel(t("records.cancel"), key=f"{spec.name}.cancel", width="stretch"),
    )


def record_form(
    spec: EntitySpec,
    actor: Actor,
    record=None,
    *,
    on_save: SaveHook | None = None,
    live: bool = False,
    aside: Aside | None = None,
) -> None:
    """Render the open form (opening it for `record` first if it is not open). Saving commits in
    one transaction, selects the saved record and reruns; on error the input stays as typed.
    `live`: no st.form, so each field commits when the user leaves it and `aside` sees it."""
    if not form_is_open(spec):
        open_form(spec, record)
    state = st.session_state[_state_key(spec)]
    with st.container(border=True):
        form_heading(spec, state, _reload, (spec, actor, state["record_id"]))
        body = (
            st.container()
            if live
            else st.form(key=f"{spec.name}.form", enter_to_submit=False, border=False)
        )
        with body:
            values = _widgets(spec, actor, state)
            if aside is not None:
                values |= aside(values, state["record_id"]) or {}
            save, cancel = form_buttons(spec, live)
    if cancel:
        close_form(spec)
        st.rerun()
    if save:
        hook = partial(on_save or _generic_save, actor=actor, spec=spec, values=values)
        submit_form(spec, state, hook, close_form)
