"""The users screen (PLT-1): list and search, create, edit profile and roles, reset the password,
disable and re-enable. All rules live in core/services/accounts.py."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.db import transaction
from core.i18n import format_datetime, t
from core.models import Role, User
from core.permissions import Actor
from core.services import accounts, org, roles
from core.ui.admin_common import (
    department_choices,
    department_label,
    index_of,
    run_action,
    show_flash,
)

FIELDS = (
    "username",
    "display_name",
    "password",
    "password_repeat",
    "new_password",
    "new_password_repeat",
    "email",
    "mobile",
    "department_id",
    "position",
    "superior_id",
    "role_ids",
)


def _labels() -> dict[str, str]:
    return {f: t(f"settings.users.field.{f}") for f in FIELDS}


@dataclass
class _Data:
    users: list[User]
    shown: list[User]
    nodes: list[org.DepartmentNode]
    roles: list[Role]


def _load(actor: Actor, search: str) -> _Data:
    with transaction() as s:
        return _Data(
            users=accounts.list_users(s, actor=actor),
            shown=accounts.list_users(s, actor=actor, search=search),
            nodes=org.department_tree(s),
            roles=roles.list_roles(s),
        )


def _table(data: _Data) -> None:
    names = {u.id: u.display_name for u in data.users}
    deps = {n.id: n.name for n in data.nodes}
    status = {True: t("settings.users.active"), False: t("settings.users.disabled")}
    rows = [
        {
            t("settings.users.field.username"): u.username,
            t("settings.users.field.display_name"): u.display_name,
            t("settings.users.field.department_id"): deps.get(u.department_id, ""),
            t("settings.users.field.position"): u.position,
            t("settings.users.field.superior_id"): names.get(u.superior_id, ""),
            t("settings.users.field.role_ids"): "、".join(roles.role_label(r) for r in u.roles),
            t("settings.users.field.mobile"): u.mobile,
            t("settings.users.field.email"): u.email,
            t("settings.users.status"): status[u.is_active],
        }
        for u in data.shown
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    else:
        st.info(t("settings.users.empty"))


def _profile_inputs(prefix: str, data: _Data, user: User | None) -> dict:
    """Profile widgets (inside a form); returns the values keyed like the service's arguments."""
    labels = _labels()
    deps = department_choices(data.nodes)
    people = [None, *(u.id for u in data.users if u.is_active and (not user or u.id != user.id))]
    people_names = {u.id: f"{u.display_name}（{u.username}）" for u in data.users}
    role_ids = [r.id for r in data.roles]
    role_names = {r.id: roles.role_label(r) for r in data.roles}
    left, right = st.columns(2)
    values = {
        "display_name": left.text_input(
            labels["display_name"], user.display_name if user else "", key=f"{prefix}.display_name"
        ),
        "email": right.text_input(
            labels["email"], user.email if user else "", key=f"{prefix}.email"
        ),
        "mobile": left.text_input(
            labels["mobile"], user.mobile if user else "", key=f"{prefix}.mobile"
        ),
        "position": right.text_input(
            labels["position"], user.position if user else "", key=f"{prefix}.position"
        ),
        "department_id": left.selectbox(
            labels["department_id"],
            deps,
            index=index_of(deps, user.department_id if user else None),
            format_func=department_label(data.nodes),
            key=f"{prefix}.department_id",
        ),
        "superior_id": right.selectbox(
            labels["superior_id"],
            people,
            index=index_of(people, user.superior_id if user else None),
            format_func=lambda uid: people_names.get(uid, t("settings.common.none")),
            key=f"{prefix}.superior_id",
        ),
    }
    values["role_ids"] = st.multiselect(
        labels["role_ids"],
        role_ids,
        default=[r.id for r in user.roles] if user else [],
        format_func=role_names.get,
        key=f"{prefix}.role_ids",
    )
    return values


def _create_form(actor: Actor, data: _Data) -> None:
    labels = _labels()
    with st.expander(t("settings.users.create"), expanded=False):
        with st.form("users.create", border=False):
            left, right = st.columns(2)
            username = left.text_input(labels["username"], key="users.create.username")
            password = right.text_input(
                labels["password"], type="password", key="users.create.password"
            )
            left.caption(t("settings.users.username_hint"))
            repeat = right.text_input(
                labels["password_repeat"], type="password", key="users.create.password_repeat"
            )
            values = _profile_inputs("users.create", data, None)
            submitted = st.form_submit_button(t("settings.users.create_submit"), type="primary")
        if submitted:
            run_action(
                lambda s: accounts.create_user(
                    s,
                    actor=actor,
                    username=username,
                    password=password,
                    password_repeat=repeat,
                    **values,
                ),
                t("settings.users.created", username=username.strip().lower()),
                labels,
                clear="users.create.",
            )


def _save(action, message: str, clear: str | None = None) -> None:
    run_action(action, message, _labels(), clear)


def _edit_tabs(actor: Actor, data: _Data, user: User) -> None:
    labels, uid = _labels(), user.id
    profile, password, status = st.tabs(
        [
            t("settings.users.tab.profile"),
            t("settings.users.tab.password"),
            t("settings.users.tab.status"),
        ]
    )
    with profile, st.form(f"users.edit.{uid}", border=False):
        values = _profile_inputs(f"users.edit.{uid}", data, user)
        if st.form_submit_button(t("settings.common.save"), type="primary"):
            _save(
                lambda s: accounts.update_user(s, actor=actor, user_id=uid, **values),
                t("settings.users.saved", username=user.username),
            )
    with password, st.form(f"users.reset.{uid}", border=False):
        new = st.text_input(labels["new_password"], type="password", key=f"users.reset.{uid}.pw")
        st.caption(t("settings.users.reset_hint"))
        if st.form_submit_button(t("settings.users.reset_submit")):
            _save(
                lambda s: accounts.reset_password(s, actor=actor, user_id=uid, new_password=new),
                t("settings.users.password_reset", username=user.username),
                clear=f"users.reset.{uid}.",
            )
    with status:
        _status_panel(actor, user)


def _status_panel(actor: Actor, user: User) -> None:
    uid = user.id
    if user.locked_until and user.locked_until > accounts.utcnow():
        st.warning(t("settings.users.locked", until=format_datetime(user.locked_until)))
    if user.is_active:
        st.caption(t("settings.users.disable_hint"))
        if st.button(t("settings.users.disable"), key=f"users.disable.{uid}"):
            _save(
                lambda s: accounts.set_active(s, actor=actor, user_id=uid, active=False),
                t("settings.users.disabled_done", username=user.username),
            )
    else:
        st.info(t("settings.users.is_disabled"))
        if st.button(t("settings.users.enable"), key=f"users.enable.{uid}", type="primary"):
            _save(
                lambda s: accounts.set_active(s, actor=actor, user_id=uid, active=True),
                t("settings.users.enabled_done", username=user.username),
            )


def render(actor: Actor) -> None:
    show_flash()
    search = st.text_input(
        t("settings.users.search"),
        key="users.search",
        placeholder=t("settings.users.search_hint"),
    )
    data = _load(actor, search)
    _create_form(actor, data)
    _table(data)
    if not data.shown:
        return
    st.subheader(t("settings.users.manage"))
    by_id = {u.id: u for u in data.shown}
    chosen = st.selectbox(
        t("settings.users.choose"),
        list(by_id),
        format_func=lambda uid: f"{by_id[uid].display_name}（{by_id[uid].username}）",
        key="users.selected",
    )
    if chosen in by_id:
        _edit_tabs(actor, data, by_id[chosen])
