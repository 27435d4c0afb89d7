"""Address book parts (OFF-8): the department tree filter, the colleague list with a star
column, and a colleague's card with a star toggle."""

from __future__ import annotations

import streamlit as st

from core.db import transaction
from core.errors import NotFound
from core.i18n import t
from core.permissions import Actor
from core.services import address_book, records
from core.services.address_book import EMPLOYEE
from core.services.org import department_tree
from core.ui.record_detail import escape_markdown, record_detail
from core.ui.record_form import selected_key
from core.ui.record_list import record_list

FILTER = "employee.department_filter"
STARRED_ONLY = "employee.starred_only"
STAR = "★"
INDENT = "\u3000"  # an ideographic space per tree level


def _subtree_counts(nodes) -> dict[int, int]:
    parents = {n.id: n.parent_id for n in nodes}
    totals: dict[int, int] = {}
    for n in nodes:
        node: int | None = n.id
        while node is not None and node in parents:
            totals[node] = totals.get(node, 0) + n.member_count
            node = parents[node]
    return totals


def department_filter() -> int | None:
    """The department tree as a radio list ("all" first), with active members per subtree."""
    with transaction() as session:
        nodes = department_tree(session)
    counts = _subtree_counts(nodes)
    labels = {
        n.id: f"{INDENT * n.depth}{escape_markdown(n.name)}  ({counts.get(n.id, 0)})" for n in nodes
    }
    if st.session_state.get(FILTER) not in (None, *labels):
        st.session_state[FILTER] = None
    st.caption(t("address_book.departments"))
    return st.radio(
        t("address_book.departments"),
        [None, *labels],
        key=FILTER,
        format_func=lambda d: t("address_book.all_departments") if d is None else labels[d],
        label_visibility="collapsed",
    )


def _toggle_star(actor: Actor, user_id: int, starred: bool) -> None:
    with transaction() as session:
        address_book.set_star(session, actor=actor, user_id=user_id, starred=starred)


def colleague_card(actor: Actor, user_id: int, starred: set[int]) -> None:
    try:
        with transaction() as session:
            user = records.get_visible(session, actor=actor, spec=EMPLOYEE, record_id=user_id)
    except NotFound:
        st.session_state.pop(selected_key(EMPLOYEE), None)
        return
    is_starred = user.id in starred
    with st.container(border=True):
        record_detail(EMPLOYEE, actor, user, history=False)
        label = t("address_book.unstar") if is_starred else t("address_book.star")
        st.button(
            f"{STAR if is_starred else '☆'} {label}",
            key="employee.star",
            on_click=_toggle_star,
            args=(actor, user.id, not is_starred),
        )


def directory(actor: Actor, department_id: int | None) -> None:
    """Active colleagues (searchable by name, pinyin initials, mobile, email), starred first
    in the star column, and the selected colleague's card."""
    starred_only = st.toggle(t("address_book.starred_only"), key=STARRED_ONLY)
    with transaction() as session:
        address_book.fill_missing_initials(session)
        where = address_book.where(
            session, actor=actor, department_id=department_id, starred_only=starred_only
        )
        starred = address_book.starred_ids(session, actor=actor)

    def star_column(rows) -> dict[str, list[str]]:
        return {t("address_book.starred_column"): [STAR if r.id in starred else "" for r in rows]}

    selected = record_list(
        EMPLOYEE,
        actor,
        where=where,
        context=(department_id, starred_only) if department_id or starred_only else None,
        extra_columns=star_column,
        views=False,  # the address book stars colleagues its own way
        bulk=False,
    )
    if selected is not None:
        colleague_card(actor, selected, starred)
