"""The bulk bar over a list with ticked rows: transfer, put into the pool (customers), delete,
star / unstar and export of the selected rows — each offered only with the actor's right, each
all or nothing with a translated summary afterwards."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import streamlit as st

from core.db import transaction
from core.entities import EntitySpec
from core.errors import DomainError
from core.i18n import t
from core.permissions import Actor
from core.services import bulk
from core.services.lookups import user_choices
from core.ui.context import show_error
from core.ui.export_menu import export_menu

BAR_HEIGHT = 74  # px: a row of buttons inside a bordered bar


def checked_key(spec: EntitySpec) -> str:
    """Session key of the ids ticked in the list (the rows bulk actions apply to)."""
    return f"{spec.name}.checked"


def clear_checked(spec: EntitySpec) -> None:
    st.session_state[checked_key(spec)] = []
    # A new table key drops the dataframe's own selection too.
    st.session_state[f"{spec.name}.table_generation"] = table_generation(spec) + 1


def table_generation(spec: EntitySpec) -> int:
    return int(st.session_state.get(f"{spec.name}.table_generation", 0))


def _run(list_spec: EntitySpec, action: Callable, /, **kwargs) -> None:
    try:
        with transaction() as session:
            result = action(session, **kwargs)
    except DomainError as exc:
        show_error(exc)
        return
    clear_checked(list_spec)
    st.session_state[_flash_key(list_spec)] = (result.summary_key, result.count)
    st.rerun()


def _flash_key(spec: EntitySpec) -> str:
    return f"{spec.name}.bulk_flash"


def show_flash(spec: EntitySpec) -> None:
    """The summary of the bulk action that just ran (kept across its rerun)."""
    flash = st.session_state.pop(_flash_key(spec), None)
    if flash:
        st.success(t(flash[0], n=flash[1]))


def _transfer(spec: EntitySpec, actor: Actor, ids: list[int]) -> None:
    with transaction() as session:
        users = dict(user_choices(session))
    with st.popover(t("bulk.transfer"), width="stretch"):
        to_user = st.selectbox(
            t("bulk.transfer_to"), list(users), index=None, format_func=users.get,
            key=f"{spec.name}.bulk.to_user", placeholder=t("records.choose"),
        )  # fmt: skip
        cascade = False
        if spec.name == "customer":
            cascade = st.checkbox(t("bulk.cascade"), key=f"{spec.name}.bulk.cascade")
        if st.button(
            t("bulk.confirm"), key=f"{spec.name}.bulk.transfer", type="primary",
            disabled=to_user is None,
        ):  # fmt: skip
            _run(spec, bulk.transfer, actor=actor, spec=spec, ids=ids, to_user_id=to_user,
                 cascade=cascade)  # fmt: skip


def _to_pool(spec: EntitySpec, actor: Actor, ids: list[int]) -> None:
    with st.popover(t("bulk.to_pool"), width="stretch"):
        reason = st.text_input(t("bulk.reason"), key=f"{spec.name}.bulk.reason", max_chars=200)
        if st.button(t("bulk.confirm"), key=f"{spec.name}.bulk.pool", type="primary"):
            _run(spec, bulk.to_pool, actor=actor, spec=spec, ids=ids, reason=reason)


def _delete(spec: EntitySpec, actor: Actor, ids: list[int]) -> None:
    with st.popover(t("bulk.delete"), width="stretch"):
        st.warning(t("bulk.confirm_delete", n=len(ids)))
        if st.button(t("bulk.confirm"), key=f"{spec.name}.bulk.delete", type="primary"):
            _run(spec, bulk.delete, actor=actor, spec=spec, ids=ids)


def _export(spec: EntitySpec, actor: Actor, ids: list[int], columns: list[str]) -> None:
    export_menu(
        spec,
        actor,
        query={"where": (bulk.selected_clause(spec, ids),)},
        columns=columns,
        key=f"{spec.name}.bulk.export",
        csv_label="bulk.export_csv",
        xlsx_label="bulk.export_xlsx",
    )


def _can_pool(spec: EntitySpec, actor: Actor) -> bool:
    return (
        spec.name == "customer"
        and actor.can(spec.action("edit"))
        and importlib.util.find_spec("core.services.pools") is not None
    )


# extra(ids) -> renderers of a page's own actions on the ticked rows (e.g. the pool's claim),
# shown first in the bar; each renders one control inside its cell.
ExtraActions = Callable[[list[int]], list[Callable[[], None]]]


def bulk_bar(
    spec: EntitySpec,
    actor: Actor,
    ids: list[int],
    columns: list[str],
    extra: ExtraActions | None = None,
) -> None:
    """Render the actions for the ticked rows `ids`; with none ticked, a hint in a bar of the
    same height, so ticking the first row does not move the table under the pointer."""
    if not ids:
        with st.container(border=True, height=BAR_HEIGHT, vertical_alignment="center"):
            st.caption(t("bulk.hint"))
        return
    actions: list[Callable[[], None]] = list(extra(ids)) if extra else []
    if spec.owned and actor.can(spec.action("transfer")):
        actions.append(lambda: _transfer(spec, actor, ids))
    if _can_pool(spec, actor):
        actions.append(lambda: _to_pool(spec, actor, ids))
    if actor.can(spec.action("delete")):
        actions.append(lambda: _delete(spec, actor, ids))
    star_key, unstar_key = f"{spec.name}.bulk.star", f"{spec.name}.bulk.unstar"
    actions.append(lambda: st.button(t("views.star"), key=star_key, width="stretch"))
    actions.append(lambda: st.button(t("views.unstar"), key=unstar_key, width="stretch"))
    if actor.can(spec.action("export")):
        actions.append(lambda: _export(spec, actor, ids, columns))
    with st.container(border=True, height=BAR_HEIGHT, vertical_alignment="center"):
        cells = st.columns([1.4, *([1.2] * len(actions)), 1.2], vertical_alignment="center")
        cells[0].markdown(f"**{t('bulk.selected', n=len(ids))}**")
        for cell, render in zip(cells[1:], actions, strict=False):
            with cell:
                render()
        cells[-1].button(
            t("bulk.clear"), key=f"{spec.name}.bulk.clear", on_click=clear_checked, args=(spec,),
            type="tertiary",
        )  # fmt: skip
    if st.session_state.get(star_key) or st.session_state.get(unstar_key):
        starred = bool(st.session_state.get(star_key))
        _run(spec, bulk.star, actor=actor, spec=spec, ids=ids, starred=starred)
