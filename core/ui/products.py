"""Product page parts (CUS-9): the category tree filter with product counts, and the category
management panel (create, rename, move, delete when empty)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy.sql import ColumnElement

from core.db import transaction
from core.errors import DomainError
from core.i18n import t
from core.permissions import Actor
from core.services import products
from core.ui.context import show_error
from core.ui.record_detail import escape_markdown

FILTER = "product.category_filter"
INDENT = "\u3000"  # an ideographic space per tree level


def _tree_labels(tree, counts: dict[int, int]) -> dict[int, str]:
    labels = {}
    for category, depth in tree:
        name = escape_markdown(category.name)  # radio labels parse markdown
        labels[category.id] = f"{INDENT * depth}{name}  ({counts.get(category.id, 0)})"
    return labels


def category_filter(actor: Actor) -> tuple[int | None, list[ColumnElement[bool]]]:
    """The tree as a radio list ("all" first); returns the chosen category and the list clause
    for its products including sub-categories."""
    with transaction() as session:
        tree = products.category_tree(session)
        counts = products.subtree_product_counts(session)
        labels = _tree_labels(tree, counts)
        if st.session_state.get(FILTER) not in (None, *labels):
            st.session_state[FILTER] = None  # the chosen category was deleted meanwhile
        st.caption(t("product.categories"))
        chosen = st.radio(
            t("product.categories"),
            [None, *labels],
            key=FILTER,
            format_func=lambda c: t("product.all_categories") if c is None else labels[c],
            label_visibility="collapsed",
        )
        return chosen, products.in_category(session, chosen)


def _run(action: Callable, message: str, **kwargs) -> None:
    try:
        with transaction() as session:
            action(session, **kwargs)
    except DomainError as exc:
        show_error(exc)
        return
    st.toast(t(message))
    st.rerun()


def _parent_choices(exclude: int | None = None) -> dict[int | None, str]:
    with transaction() as session:
        paths = products.category_paths(session)
        below = products.subtree_ids(session, exclude) if exclude else set()
    return {None: t("product.category.top_level")} | {i: p for i, p in paths if i not in below}


def _new_category(actor: Actor) -> None:
    parents = _parent_choices()
    with st.form("product.category.new_form", clear_on_submit=True, border=False):
        name = st.text_input(t("product.category.name"), key="product.category.new_name")
        parent = st.selectbox(
            t("product.category.parent_id"),
            list(parents),
            format_func=parents.get,
            key="product.category.new_parent",
        )
        if st.form_submit_button(t("product.category.new"), key="product.category.create"):
            _run(
                products.create_category,
                "product.category.created",
                actor=actor,
                name=name,
                parent_id=parent,
            )


def _edit_category(actor: Actor, category_id: int, current_name: str) -> None:
    parents = _parent_choices(exclude=category_id)
    if st.session_state.get("product.category.rename_for") != category_id:
        # Start the rename box from the chosen category's name (before the widget renders).
        st.session_state["product.category.rename_for"] = category_id
        st.session_state["product.category.rename_to"] = current_name
    st.divider()
    name = st.text_input(t("product.category.rename"), key="product.category.rename_to")
    if st.button(t("product.category.rename"), key="product.category.rename"):
        _run(
            products.rename_category,
            "records.saved",
            actor=actor,
            category_id=category_id,
            name=name,
        )
    parent = st.selectbox(
        t("product.category.move"),
        list(parents),
        format_func=parents.get,
        key="product.category.move_to",
    )
    if st.button(t("product.category.move"), key="product.category.move"):
        _run(
            products.move_category,
            "records.saved",
            actor=actor,
            category_id=category_id,
            parent_id=parent,
        )
    if actor.can("crm.product.delete") and st.button(
        t("product.category.delete"), key="product.category.delete"
    ):
        _run(products.delete_category, "records.deleted", actor=actor, category_id=category_id)


def category_manager(actor: Actor, category_id: int | None) -> None:
    """Create categories; rename, move or delete the chosen one (by the actor's product rights)."""
    if not (actor.can("crm.product.create") or actor.can("crm.product.edit")):
        return
    with st.expander(t("product.manage_categories")):
        if actor.can("crm.product.create"):
            _new_category(actor)
        if category_id is not None and actor.can("crm.product.edit"):
            with transaction() as session:
                names = {c.id: c.name for c, _ in products.category_tree(session)}
            _edit_category(actor, category_id, names.get(category_id, ""))
