"""My account (PLT-1): the user's own profile and the change-password form."""

from __future__ import annotations

import streamlit as st

from core.auth import renew_session
from core.db import transaction
from core.errors import DomainError
from core.i18n import t
from core.models import Department, User
from core.permissions import Actor
from core.services import accounts
from core.services.roles import role_label
from core.ui.admin_common import clear_inputs, flash, show_domain_error, show_flash

PREFIX = "account.password."


def _profile(actor: Actor) -> None:
    with transaction() as s:
        user = s.get(User, actor.user_id)
        dep = s.get(Department, user.department_id) if user.department_id else None
        superior = s.get(User, user.superior_id) if user.superior_id else None
        rows = {
            "username": user.username,
            "display_name": user.display_name,
            "department_id": dep.name if dep else "—",
            "position": user.position or "—",
            "superior_id": superior.display_name if superior else "—",
            "role_ids": "、".join(role_label(r) for r in user.roles) or "—",
            "mobile": user.mobile or "—",
            "email": user.email or "—",
        }
    with st.container(border=True):
        st.subheader(t("settings.account.profile"))
        cols = st.columns(4)
        for i, (field, value) in enumerate(rows.items()):
            cols[i % 4].caption(t(f"settings.users.field.{field}"))
            cols[i % 4].text(value)


def _password_form(actor: Actor) -> None:
    labels = {
        "old_password": t("settings.account.old_password"),
        "new_password": t("settings.users.field.new_password"),
        "new_password_repeat": t("settings.users.field.new_password_repeat"),
    }
    with st.columns([3, 2])[0], st.container(border=True):
        st.subheader(t("settings.account.change_password"))
        st.caption(t("settings.account.password_hint"))
        with st.form("account.password", border=False):
            old = st.text_input(labels["old_password"], type="password", key=f"{PREFIX}old")
            new = st.text_input(labels["new_password"], type="password", key=f"{PREFIX}new")
            repeat = st.text_input(
                labels["new_password_repeat"], type="password", key=f"{PREFIX}repeat"
            )
            submitted = st.form_submit_button(t("settings.account.submit"), type="primary")
    if not submitted:
        return
    now = accounts.utcnow()
    try:
        with transaction() as s:
            accounts.change_own_password(
                s,
                user_id=actor.user_id,
                old_password=old,
                new_password=new,
                new_password_repeat=repeat,
                now=now,
            )
    except DomainError as exc:
        show_domain_error(exc, labels)
        return
    renew_session(actor.username, now)
    clear_inputs(PREFIX)
    flash(t("settings.account.changed"))
    st.rerun()


def render(actor: Actor) -> None:
    show_flash()
    _profile(actor)
    _password_form(actor)
