"""The organisation screen (PLT-2): the department tree shown indented, department edits, and
each user's department, position and superior. Rules live in core/services/org.py."""

from __future__ import annotations

import streamlit as st

from core.db import transaction
from core.i18n import t
from core.models import User
from core.permissions import Actor
from core.services import org
from core.ui.admin_common import (
    INDENT,
    department_choices,
    department_label,
    index_of,
    run_action,
    show_flash,
)


def _labels() -> dict[str, str]:
    return {
        "name": t("settings.org.field.name"),
        "parent_id": t("settings.org.field.parent"),
        "head_id": t("settings.org.field.head"),
        "department_id": t("settings.users.field.department_id"),
        "position": t("settings.users.field.position"),
        "superior_id": t("settings.users.field.superior_id"),
    }


def _run(action, message: str, clear: str | None = None) -> None:
    run_action(action, message, _labels(), clear)


def _tree(nodes: list[org.DepartmentNode]) -> None:
    if not nodes:
        st.info(t("settings.org.empty"))
        return
    rows = [
        {
            t("settings.org.field.name"): f"{INDENT * n.depth}{'└ ' if n.depth else ''}{n.name}",
            t("settings.org.field.head"): n.head_name,
            t("settings.org.members"): n.member_count,
        }
        for n in nodes
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def _create(actor: Actor, nodes: list[org.DepartmentNode]) -> None:
    parents = department_choices(nodes)
    with st.form("org.create", border=True):
        st.markdown(f"**{t('settings.org.create')}**")
        name = st.text_input(t("settings.org.field.name"), key="org.create.name", max_chars=100)
        parent = st.selectbox(
            t("settings.org.field.parent"),
            parents,
            index=1 if len(parents) > 1 else 0,
            format_func=department_label(nodes),
            key="org.create.parent",
        )
        if st.form_submit_button(t("settings.org.create_submit"), type="primary"):
            _run(
                lambda s: org.create_department(s, actor=actor, name=name, parent_id=parent),
                t("settings.org.created", name=name.strip()),
                clear="org.create.",
            )


def _edit(actor: Actor, nodes: list[org.DepartmentNode], people: list[User]) -> None:
    if not nodes:
        return
    by_id = {n.id: n for n in nodes}
    label = department_label(nodes)
    dep_id = st.selectbox(
        t("settings.org.choose"), list(by_id), format_func=label, key="org.selected"
    )
    node = by_id[dep_id]
    parents = department_choices(nodes)
    heads = [None, *(u.id for u in people if u.is_active)]
    names = {u.id: f"{u.display_name}（{u.username}）" for u in people}
    with st.form(f"org.edit.{dep_id}", border=True):
        name = st.text_input(t("settings.org.field.name"), node.name, key=f"org.edit.{dep_id}.name")
        parent = st.selectbox(
            t("settings.org.field.parent"),
            parents,
            index=index_of(parents, node.parent_id),
            format_func=label,
            key=f"org.edit.{dep_id}.parent",
        )
        head = st.selectbox(
            t("settings.org.field.head"),
            heads,
            index=index_of(heads, node.head_id),
            format_func=lambda uid: names.get(uid, t("settings.common.none")),
            key=f"org.edit.{dep_id}.head",
        )
        save, delete = st.columns(2)
        if save.form_submit_button(t("settings.common.save"), type="primary"):
            _run(
                lambda s: org.update_department(
                    s, actor=actor, department_id=dep_id, name=name, parent_id=parent, head_id=head
                ),
                t("settings.org.saved", name=name.strip()),
            )
        if delete.form_submit_button(t("settings.org.delete")):
            _run(
                lambda s: org.delete_department(s, actor=actor, department_id=dep_id),
                t("settings.org.deleted", name=node.name),
            )


def _placement(actor: Actor, nodes: list[org.DepartmentNode], people: list[User]) -> None:
    st.subheader(t("settings.org.placement"))
    by_id = {u.id: u for u in people if u.is_active}
    if not by_id:
        return
    names = {u.id: f"{u.display_name}（{u.username}）" for u in people}
    uid = st.selectbox(
        t("settings.org.choose_user"), list(by_id), format_func=names.get, key="org.user"
    )
    user = by_id[uid]
    deps = department_choices(nodes)
    superiors = [None, *(i for i in by_id if i != uid)]
    with st.form(f"org.place.{uid}", border=True):
        left, mid, right = st.columns(3)
        dep = left.selectbox(
            t("settings.users.field.department_id"),
            deps,
            index=index_of(deps, user.department_id),
            format_func=department_label(nodes),
            key=f"org.place.{uid}.department",
        )
        position = mid.text_input(
            t("settings.users.field.position"), user.position, key=f"org.place.{uid}.position"
        )
        superior = right.selectbox(
            t("settings.users.field.superior_id"),
            superiors,
            index=index_of(superiors, user.superior_id),
            format_func=lambda i: names.get(i, t("settings.common.none")),
            key=f"org.place.{uid}.superior",
        )
        if st.form_submit_button(t("settings.common.save"), type="primary"):
            _run(
                lambda s: org.place_user(
                    s,
                    actor=actor,
                    user_id=uid,
                    department_id=dep,
                    position=position,
                    superior_id=superior,
                ),
                t("settings.users.saved", username=user.username),
            )


def render(actor: Actor) -> None:
    show_flash()
    with transaction() as s:
        nodes = org.department_tree(s)
        people = org.colleagues(s)
    tree_col, edit_col = st.columns([3, 2], gap="large")
    with tree_col:
        st.subheader(t("settings.org.tree"))
        _tree(nodes)
    with edit_col:
        st.subheader(t("settings.org.edit"))
        _edit(actor, nodes, people)
        _create(actor, nodes)
    _placement(actor, nodes, people)
