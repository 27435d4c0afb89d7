"""The generic detail view (DESIGN.md §6): the record's fields formatted for the locale, its image,
and its change history (CUS-12) with who changed what. User text is shown as plain text."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

import streamlit as st

from core.db import transaction
from core.entities import EntitySpec, FieldSpec, Kind
from core.errors import DomainError, NotFound
from core.i18n import format_datetime, has_key, t
from core.permissions import Actor
from core.services import attachments, changelog, record_files, records
from core.services.lookups import Lookups, parse_logged
from core.ui.context import show_error
from core.ui.files import files_panel
from core.ui.record_form import flash_key, form_is_open, open_form, selected_key
from core.ui.stars import star_button

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# An extra tab of a detail view: (label, render function). Render functions run inside the tab.
Tab = tuple[str, Callable[[], None]]


def escape_markdown(text: str) -> str:
    """User text for an element that parses markdown (headings): every special char escaped."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _history_rows(spec: EntitySpec, entries) -> dict[str, list[str]]:
    fields = {f.name: f for f in spec.fields}
    values: dict[str, set] = {}
    for e in entries:
        f = fields.get(e.field)
        if f is not None:
            values.setdefault(f.name, set()).update(
                parse_logged(f, v) for v in (e.old_value, e.new_value)
            )
    with transaction() as session:
        lookups = Lookups.load(session, [fields[n] for n in values], values)

    def shown(f: FieldSpec | None, text: str | None) -> str:
        if f is None:
            return text or ""
        return lookups.display(f, parse_logged(f, text)) or "—"

    rows: dict[str, list[str]] = {
        t("records.history.when"): [],
        t("records.history.who"): [],
        t("records.history.action"): [],
        t("records.history.field"): [],
        t("records.history.old"): [],
        t("records.history.new"): [],
    }
    for e in entries:
        f = fields.get(e.field)
        cells = [
            format_datetime(e.changed_at),
            e.actor_name,
            t(f"records.action.{e.action}"),
            t(f.label) if f else _other_field_label(spec, e.field),
            shown(f, e.old_value) if e.field else "",
            shown(f, e.new_value) if e.field else "",
        ]
        for column, cell in zip(rows, cells, strict=True):
            rows[column].append(cell)
    return rows


def _other_field_label(spec: EntitySpec, name: str) -> str:
    """A logged field the spec does not show (e.g. team members): "<i18n>.<name>" if it exists."""
    key = f"{spec.i18n}.{name}"
    return t(key) if name and has_key(key) else name


def _history(spec: EntitySpec, record_id: int) -> None:
    with transaction() as session:
        entries = changelog.history(session, entity=spec.name, record_id=record_id)
    if entries:
        st.dataframe(
            _history_rows(spec, entries),
            hide_index=True,
            width="stretch",
            key=f"{spec.name}.history",
        )
    else:
        st.caption(t("records.history.empty"))


def _field_grid(spec: EntitySpec, record, lookups: Lookups) -> None:
    shown = [f for f in spec.fields if f.kind != Kind.IMAGE]
    columns = st.columns(3)
    for i, f in enumerate(f for f in shown if f.kind != Kind.TEXTAREA):
        with columns[i % 3]:
            st.caption(t(f.label))
            st.text(lookups.display(f, getattr(record, f.name)) or "—")
    for f in (f for f in shown if f.kind == Kind.TEXTAREA):
        st.caption(t(f.label))
        st.text(getattr(record, f.name) or "—")


def _fields_and_images(spec: EntitySpec, record, lookups: Lookups, images) -> None:
    if not images:
        _field_grid(spec, record, lookups)
        return
    image_col, fields_col = st.columns([1, 3])
    for image in images:
        image_col.image(image.data, width="stretch")
    with fields_col:
        _field_grid(spec, record, lookups)


def record_detail(
    spec: EntitySpec,
    actor: Actor,
    record,
    *,
    history: bool = True,
    tabs: Sequence[Tab] = (),
    lazy: bool = False,
    heading: bool = True,
) -> None:
    """Show one record the caller already fetched with records.get_visible: its fields, the
    caller's extra `tabs` (e.g. contacts, follow-ups), then its change history. `lazy` renders
    only the open tab (a detail with many tabs stays fast); the choice is kept per entity."""
    with transaction() as session:
        lookups = Lookups.for_rows(session, spec, [record])
        images = [
            attachments.get(session, attachment_id=getattr(record, f.name))
            for f in spec.fields
            if f.kind == Kind.IMAGE and getattr(record, f.name)
        ]
    if heading:
        title = getattr(record, spec.title_field, "")
        st.subheader(escape_markdown(str(title)))
    panes: list[Tab] = [
        (t("records.tab_fields"), lambda: _fields_and_images(spec, record, lookups, images))
    ]
    panes += list(tabs)
    if history:
        panes.append((t("records.tab_history"), lambda: _history(spec, record.id)))
    if len(panes) == 1:
        panes[0][1]()
        return
    options = {"key": f"{spec.name}.tabs", "on_change": "rerun"} if lazy else {}
    for container, (_label, render) in zip(
        st.tabs([p[0] for p in panes], **options), panes, strict=True
    ):
        if lazy and not container.open:
            continue
        with container:
            render()


def files_tab(
    key: str,
    actor: Actor,
    spec: EntitySpec,
    record_id: int,
    *,
    attach: Callable[..., object] | None = None,
    remove: Callable[..., object] | None = None,
) -> None:
    """A record's 附件 tab: its files listed and downloaded in the actor's view scope.
    `attach(session, upload=)` and `remove(session, attachment_id=)` are the entity service's
    own checked calls for this record; None where the actor may only look."""

    def listing(session):
        return record_files.listing(session, actor=actor, spec=spec, record_id=record_id)

    def fetch(session, attachment_id):
        return record_files.download(
            session, actor=actor, spec=spec, record_id=record_id, attachment_id=attachment_id
        )

    def add(session, upload):
        attach(session, upload=upload)

    def drop(session, attachment_id):
        remove(session, attachment_id=attachment_id)

    files_panel(
        key,
        listing=listing,
        fetch=fetch,
        attach=add if attach else None,
        remove=drop if remove else None,
    )


def _confirm_key(spec: EntitySpec) -> str:
    return f"{spec.name}.confirm_delete"


def delete_and_close(spec: EntitySpec, delete: Callable[..., object]) -> None:
    """Run `delete(session)` (the entity service's delete, bound to the record) in one
    transaction. Done: the record's panel closes and the list says "deleted"; refused: the
    error shows and the panel stays."""
    try:
        with transaction() as session:
            delete(session)
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state.pop(_confirm_key(spec), None)
    st.session_state.pop(selected_key(spec), None)
    st.session_state[flash_key(spec)] = "records.deleted"
    st.rerun()


def _actions(spec: EntitySpec, actor: Actor, record) -> None:
    edit_col, delete_col, star_col, close_col, _ = st.columns([1, 1, 1.2, 1, 3])
    if actor.can(spec.action("edit")) and not form_is_open(spec):
        edit_col.button(
            t("records.edit"),
            key=f"{spec.name}.edit",
            on_click=open_form,
            args=(spec, record),
            width="stretch",
        )
    can_delete = actor.can(spec.action("delete"))
    if can_delete and delete_col.button(
        t("records.delete"), key=f"{spec.name}.delete", width="stretch"
    ):
        st.session_state[_confirm_key(spec)] = record.id
    with star_col:
        star_button(spec, actor, record.id)
    if close_col.button(t("records.close"), key=f"{spec.name}.close", width="stretch"):
        st.session_state.pop(selected_key(spec), None)
        st.rerun()
    if st.session_state.get(_confirm_key(spec)) == record.id:
        name = str(getattr(record, spec.title_field, ""))
        st.warning(t("records.confirm_delete", name=escape_markdown(name)))
        yes_col, no_col, _ = st.columns([1, 1, 5])
        if yes_col.button(t("records.confirm"), key=f"{spec.name}.confirm", type="primary"):
            version = getattr(record, "version", None)
            delete = partial(
                records.soft_delete,
                actor=actor,
                spec=spec,
                record_id=record.id,
                expected_version=version,
            )
            delete_and_close(spec, delete)
        if no_col.button(t("records.cancel"), key=f"{spec.name}.keep"):
            st.session_state.pop(_confirm_key(spec), None)
            st.rerun()


def record_panel(
    spec: EntitySpec,
    actor: Actor,
    record_id: int,
    *,
    tabs: Callable[[object], Sequence[Tab]] | None = None,
) -> None:
    """The selected record in a bordered panel: detail, history, and edit / delete / close buttons
    as the actor's actions allow. A record gone or out of scope just closes the panel.
    `tabs(record)` gives extra detail tabs (e.g. a follow-up timeline)."""
    try:
        with transaction() as session:
            record = records.get_visible(session, actor=actor, spec=spec, record_id=record_id)
    except NotFound:
        st.session_state.pop(selected_key(spec), None)
        return
    with st.container(border=True):
        record_detail(spec, actor, record, tabs=tabs(record) if tabs else ())
        _actions(spec, actor, record)
