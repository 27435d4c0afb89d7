"""The roles screen (PLT-3): each role's name, data scope and granted actions grouped by module;
custom roles are created and deleted here. Rules live in core/services/roles.py."""

from __future__ import annotations

import streamlit as st

from core.db import transaction
from core.i18n import has_key, t
from core.models import Role
from core.permissions import SCOPE_ORDER, Actor
from core.services import roles
from core.ui.admin_common import index_of, run_action, show_flash

SCOPES = [s.value for s in SCOPE_ORDER]


def action_label(action: str) -> str:
    """ "crm.lead.view" → "线索 · 查看"; two-part actions have their own names."""
    parts = action.split(".")
    if len(parts) == 3:
        entity, verb = parts[1], parts[2]
        return f"{t(f'settings.roles.entity.{entity}')} · {t(f'settings.roles.verb.{verb}')}"
    key = f"settings.roles.single.{parts[0]}_{parts[1]}"
    return t(key) if has_key(key) else action


def _labels() -> dict[str, str]:
    return {
        "name": t("settings.roles.field.name"),
        "data_scope": t("settings.roles.field.scope"),
        "actions": t("settings.roles.field.actions"),
    }


def _run(action, message: str, clear: str | None = None) -> None:
    run_action(action, message, _labels(), clear)


def _table(all_roles: list[Role], usage: dict[int, int]) -> None:
    kind = {True: t("settings.roles.system"), False: t("settings.roles.custom")}
    rows = [
        {
            t("settings.roles.field.name"): roles.role_label(r),
            t("settings.roles.field.scope"): t(f"scope.{r.data_scope}"),
            t("settings.roles.action_count"): len(roles.granted_actions(r)),
            t("settings.roles.user_count"): usage.get(r.id, 0),
            t("settings.roles.kind"): kind[r.is_system],
        }
        for r in all_roles
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def _inputs(prefix: str, role: Role | None) -> tuple[str, str, list[str]]:
    """Name, scope and one multiselect per module; returns (name, scope, actions)."""
    locked = role is not None and role.code == roles.LOCKED_ROLE
    name = st.text_input(
        t("settings.roles.field.name"),
        roles.role_label(role) if role else "",
        key=f"{prefix}.name",
        max_chars=100,
    )
    scope = st.selectbox(
        t("settings.roles.field.scope"),
        SCOPES,
        index=index_of(SCOPES, str(role.data_scope) if role else "self"),
        format_func=lambda s: t(f"scope.{s}"),
        key=f"{prefix}.scope",
        disabled=locked,
        help=t("settings.roles.scope_help"),
    )
    if locked:
        st.info(t("settings.roles.locked_hint"))
    granted = set(roles.granted_actions(role)) if role else set()
    actions: list[str] = []
    st.markdown(f"**{t('settings.roles.field.actions')}**")
    for module, module_actions in roles.action_modules().items():
        actions += st.multiselect(
            t(f"settings.roles.module.{module}"),
            module_actions,
            default=[a for a in module_actions if a in granted],
            format_func=action_label,
            key=f"{prefix}.actions.{module}",
            disabled=locked,
            placeholder=t("settings.roles.none_granted"),
        )
    return name, scope, actions


def _edit(actor: Actor, all_roles: list[Role], usage: dict[int, int]) -> None:
    by_id = {r.id: r for r in all_roles}
    rid = st.selectbox(
        t("settings.roles.choose"),
        list(by_id),
        format_func=lambda i: roles.role_label(by_id[i]),
        key="roles.selected",
    )
    role = by_id[rid]
    with st.form(f"roles.edit.{rid}", border=True):
        name, scope, actions = _inputs(f"roles.edit.{rid}", role)
        save, delete = st.columns(2)
        if save.form_submit_button(t("settings.common.save"), type="primary"):
            _run(
                lambda s: roles.update_role(
                    s, actor=actor, role_id=rid, name=name, data_scope=scope, actions=actions
                ),
                t("settings.roles.saved", name=name.strip()),
            )
        if not role.is_system and delete.form_submit_button(t("settings.roles.delete")):
            _run(
                lambda s: roles.delete_role(s, actor=actor, role_id=rid),
                t("settings.roles.deleted", name=role.name),
            )


def _create(actor: Actor) -> None:
    with st.expander(t("settings.roles.create")), st.form("roles.create", border=False):
        name, scope, actions = _inputs("roles.create", None)
        if st.form_submit_button(t("settings.roles.create_submit"), type="primary"):
            _run(
                lambda s: roles.create_role(
                    s, actor=actor, name=name, data_scope=scope, actions=actions
                ),
                t("settings.roles.created", name=name.strip()),
                clear="roles.create.",
            )


def render(actor: Actor) -> None:
    show_flash()
    with transaction() as s:
        all_roles = roles.list_roles(s)
        usage = roles.usage(s)
    st.caption(t("settings.roles.intro"))
    _table(all_roles, usage)
    _create(actor)
    st.subheader(t("settings.roles.edit"))
    _edit(actor, all_roles, usage)
