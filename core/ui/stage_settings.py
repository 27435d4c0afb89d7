"""Settings for opportunity stage groups (CUS-6): pick a group, rename it, make it the default,
deactivate it; edit its stages in place (name, win probability, order), add and delete unused
ones; create a new group."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.db import transaction
from core.errors import DomainError
from core.i18n import t
from core.permissions import Actor
from core.services import stages
from core.ui.context import show_error
from core.ui.record_detail import escape_markdown

CHOSEN = "stage.settings_group"


def _run(action: Callable, message: str, **kwargs) -> bool:
    try:
        with transaction() as session:
            action(session, **kwargs)
    except DomainError as exc:
        show_error(exc)
        return False
    st.session_state["stage.flash"] = message
    st.rerun()
    return True


def group_picker() -> int | None:
    """The groups as a radio list (default and inactive ones marked); returns the chosen id."""
    with transaction() as session:
        groups = stages.list_groups(session)
    if flash := st.session_state.pop("stage.flash", None):
        st.toast(t(flash))
    labels = {}
    for g in groups:
        tags = [t("stage.group.default_tag")] if g.is_default else []
        tags += [] if g.is_active else [t("stage.group.inactive_tag")]
        name = escape_markdown(g.name)
        joined = t("stage.group.tag_separator").join(tags)
        labels[g.id] = t("stage.group.tagged", name=name, tags=joined) if tags else name
    if st.session_state.get(CHOSEN) not in labels:
        st.session_state[CHOSEN] = next(iter(labels), None)
    st.caption(t("stage.group.title"))
    return st.radio(
        t("stage.group.title"),
        list(labels),
        format_func=labels.get,
        key=CHOSEN,
        label_visibility="collapsed",
    )


def new_group_form(actor: Actor) -> None:
    with st.expander(t("stage.group.new")), st.form("stage.new_group", border=False):
        name = st.text_input(t("stage.group.name"), key="stage.new_group_name")
        first = st.text_input(t("stage.first_stage"), key="stage.new_group_stage")
        probability = st.number_input(
            t("stage.win_probability"), 0, 100, 10, key="stage.new_group_probability"
        )
        if st.form_submit_button(t("stage.group.create"), type="primary", key="stage.create_group"):
            _run(
                stages.create_group,
                "stage.group.created",
                actor=actor,
                name=name,
                stages=[(first, probability)],
            )


def _group_actions(actor: Actor, group) -> None:
    with st.container(horizontal=True, vertical_alignment="bottom"):
        name = st.text_input(
            t("stage.group.name"), value=group.name, key=f"stage.group_name.{group.id}"
        )
        if st.button(t("stage.group.rename"), key="stage.group_rename"):
            _run(stages.rename_group, "records.saved", actor=actor, group_id=group.id, name=name)
        may_default = not group.is_default and group.is_active
        if may_default and st.button(t("stage.group.make_default"), key="stage.group_default"):
            _run(stages.set_default_group, "records.saved", actor=actor, group_id=group.id)
        label = "stage.group.deactivate" if group.is_active else "stage.group.activate"
        if st.button(t(label), key="stage.group_active", disabled=group.is_default):
            _run(
                stages.set_group_active,
                "records.saved",
                actor=actor,
                group_id=group.id,
                active=not group.is_active,
            )


def _stage_row(actor: Actor, stage, used: int, last: bool) -> None:
    cells = st.columns([0.5, 3, 1.5, 0.8, 0.5, 0.5, 0.8], vertical_alignment="bottom")
    cells[0].markdown(f"**{stage.position}**")
    name = cells[1].text_input(
        t("stage.name"),
        value=stage.name,
        key=f"stage.name.{stage.id}",
        label_visibility="collapsed",
    )
    probability = cells[2].number_input(
        t("stage.win_probability"),
        min_value=0,
        max_value=100,
        value=stage.win_probability,
        key=f"stage.probability.{stage.id}",
        label_visibility="collapsed",
    )
    if cells[3].button(t("records.save"), key=f"stage.save.{stage.id}"):
        _run(
            stages.update_stage,
            "records.saved",
            actor=actor,
            stage_id=stage.id,
            name=name,
            win_probability=probability,
        )
    for cell, offset, label, disabled in (
        (cells[4], -1, "↑", stage.position == 1),
        (cells[5], 1, "↓", last),
    ):
        if cell.button(label, key=f"stage.move.{stage.id}.{offset}", disabled=disabled):
            _run(stages.move_stage, "records.saved", actor=actor, stage_id=stage.id, offset=offset)
    help_text = t("stage.in_use", n=used) if used else None
    if cells[6].button(
        t("records.delete"), key=f"stage.delete.{stage.id}", disabled=bool(used), help=help_text
    ):
        _run(stages.delete_stage, "records.deleted", actor=actor, stage_id=stage.id)


def _add_stage(actor: Actor, group_id: int) -> None:
    with st.form(f"stage.add.{group_id}", clear_on_submit=True, border=False):
        cells = st.columns([0.5, 3, 1.5, 2.6], vertical_alignment="bottom")
        name = cells[1].text_input(t("stage.new_name"), key="stage.add_name")
        probability = cells[2].number_input(
            t("stage.win_probability"), 0, 100, 50, key="stage.add_probability"
        )
        if cells[3].form_submit_button(t("stage.add"), type="primary", key="stage.add_submit"):
            _run(
                stages.add_stage,
                "records.saved",
                actor=actor,
                group_id=group_id,
                name=name,
                win_probability=probability,
            )


def group_editor(actor: Actor, group_id: int) -> None:
    """The chosen group's actions and its stages."""
    with transaction() as session:
        group = stages.get_group(session, group_id=group_id)
        ordered = stages.stages_of(session, group_id=group_id)
        counts = stages.opportunity_counts(session)
    st.subheader(escape_markdown(group.name))
    _group_actions(actor, group)
    st.caption(t("stage.table_hint"))
    head = st.columns([0.5, 3, 1.5, 2.6])
    for cell, key in zip(
        head, ("stage.position", "stage.name", "stage.win_probability"), strict=False
    ):
        cell.caption(t(key))
    for stage in ordered:
        _stage_row(actor, stage, counts.get(stage.id, 0), stage is ordered[-1])
    _add_stage(actor, group.id)
