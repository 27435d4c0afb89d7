"""Option list settings parts: the list chooser, the items table with usage counts, adding a
value, and renaming / reordering / switching off / deleting the chosen value."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.db import transaction
from core.errors import DomainError, ValidationFailed
from core.i18n import format_number, t
from core.models import OptionItem
from core.permissions import Actor
from core.services import options
from core.ui.context import show_error
from core.ui.record_detail import escape_markdown

LIST = "options.list_name"
ITEM = "options.item_id"
FLASH = "options.flash"


def _error(exc: DomainError) -> None:
    if isinstance(exc, ValidationFailed):
        for key, params in exc.errors.values():
            st.error(t(key, **params))
    else:
        show_error(exc)


def _run(action: Callable, flash: tuple[str, dict], **kwargs) -> bool:
    """One change in one transaction; on success remember the message and rerun."""
    try:
        with transaction() as session:
            action(session, **kwargs)
    except DomainError as exc:
        _error(exc)
        return False
    st.session_state[FLASH] = flash
    st.rerun()


def list_chooser() -> str:
    """The option lists as a radio column; returns the chosen list's name."""
    st.caption(t("options.choose_list"))
    return st.radio(
        t("options.choose_list"),
        options.LISTS,
        format_func=lambda name: t(f"options.list.{name}"),
        key=LIST,
        label_visibility="collapsed",
    )


def items_table(actor: Actor, list_name: str) -> dict[int, OptionItem]:
    """The list's items in order with status and usage; returns them by id."""
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.toast(t(flash[0], **flash[1]))
    with transaction() as session:
        found = options.items(session, actor=actor, list_name=list_name)
    if not found:
        st.info(t("options.empty"))
        return {}
    data = {
        t("options.label"): [i.label for i in found],
        t("options.status"): [
            t("options.active" if i.is_active else "options.inactive") for i in found
        ],
    }
    used = _usage(list_name)
    if used is not None:
        data[t("options.usage")] = [format_number(used.get(i.value, 0)) for i in found]
    usage = {t("options.usage"): st.column_config.TextColumn(alignment="right")}
    st.dataframe(
        data,
        hide_index=True,
        width="stretch",
        column_config=usage,
        key=f"options.table.{list_name}",
    )
    return {i.id: i for i in found}


def _usage(list_name: str) -> dict[str, int] | None:
    """Usage counts once asked for (they scan the records), kept for this list meanwhile."""
    key = f"options.usage.{list_name}"
    if st.button(t("options.count_usage"), key=f"options.count.{list_name}", type="tertiary"):
        with transaction() as session:
            st.session_state[key] = options.usage_counts(session, list_name=list_name)
    return st.session_state.get(key)


def add_form(actor: Actor, list_name: str) -> None:
    with st.form(f"options.add.{list_name}", clear_on_submit=True, border=False):
        name_col, button_col = st.columns([4, 1], vertical_alignment="bottom")
        label = name_col.text_input(
            t("options.new_label"), max_chars=50, key=f"options.new.{list_name}"
        )
        if button_col.form_submit_button(t("options.add"), type="primary", width="stretch"):
            shown = escape_markdown(" ".join(label.split()))
            _run(
                options.add_item,
                ("options.added", {"label": shown}),
                actor=actor,
                list_name=list_name,
                label=label,
            )


def _chosen(found: dict[int, OptionItem]) -> OptionItem | None:
    if st.session_state.get(ITEM) not in found:
        st.session_state[ITEM] = next(iter(found), None)
    item_id = st.selectbox(
        t("options.choose_item"),
        list(found),
        format_func=lambda i: found[i].label,
        key=ITEM,
    )
    return found.get(item_id)


def _rename(actor: Actor, item: OptionItem) -> None:
    if st.session_state.get("options.rename_for") != item.id:
        # Start the box from the chosen value's name (before the widget renders).
        st.session_state["options.rename_for"] = item.id
        st.session_state["options.rename_to"] = item.label
    name_col, button_col = st.columns([4, 1], vertical_alignment="bottom")
    new = name_col.text_input(t("options.rename"), max_chars=50, key="options.rename_to")
    if button_col.button(t("options.rename"), key="options.rename", width="stretch"):
        _run(options.rename_item, ("options.renamed", {}), actor=actor, item_id=item.id, label=new)


def item_editor(actor: Actor, found: dict[int, OptionItem]) -> None:
    """Rename, move, switch off / on or delete the chosen value."""
    if not found:
        return
    with st.container(border=True):
        st.caption(t("options.edit"))
        item = _chosen(found)
        if item is None:
            return
        _rename(actor, item)
        up, down, switch, delete, _ = st.columns([1, 1, 1, 1, 2])
        saved = ("options.renamed", {})
        if up.button(t("options.up"), key="options.up", width="stretch"):
            _run(options.move_item, saved, actor=actor, item_id=item.id, offset=-1)
        if down.button(t("options.down"), key="options.down", width="stretch"):
            _run(options.move_item, saved, actor=actor, item_id=item.id, offset=1)
        label = t("options.deactivate" if item.is_active else "options.activate")
        if switch.button(label, key="options.switch", width="stretch"):
            active = not item.is_active
            _run(options.set_active, saved, actor=actor, item_id=item.id, active=active)
        if delete.button(t("options.delete"), key="options.delete", width="stretch"):
            _run(options.delete_item, ("options.deleted", {}), actor=actor, item_id=item.id)
