"""The 团队成员 tab of a customer (CUS-3): members with read or read-write access; the owner's
side adds, changes and removes them."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.db import transaction
from core.errors import DomainError
from core.i18n import t
from core.models import TeamAccess
from core.permissions import Actor
from core.services import customer_team
from core.services.lookups import user_choices
from core.ui.context import show_error

KEY = "customer.team"


def _access_label(access: str) -> str:
    return t(f"customer.team.access_{access}")


def _run(action: Callable, message: str, **kwargs) -> None:
    try:
        with transaction() as session:
            action(session, **kwargs)
    except DomainError as exc:
        show_error(exc)
        return
    st.toast(t(message))
    st.rerun()


def _add(actor: Actor, customer_id: int, owner_id: int | None) -> None:
    with transaction() as session:
        users = {u: n for u, n in user_choices(session) if u != owner_id}
    user_col, access_col, add_col = st.columns([3, 2, 1], vertical_alignment="bottom")
    user_id = user_col.selectbox(
        t("customer.team.user"),
        list(users),
        index=None,
        format_func=users.get,
        placeholder=t("records.choose"),
        key=f"{KEY}.user",
    )
    access = access_col.segmented_control(
        t("customer.team.access"),
        list(TeamAccess),
        default=TeamAccess.READ,
        format_func=_access_label,
        key=f"{KEY}.access",
    )
    if add_col.button(t("customer.team.add"), key=f"{KEY}.add", disabled=user_id is None):
        _run(
            customer_team.set_team_member,
            "customer.team.saved",
            actor=actor,
            customer_id=customer_id,
            user_id=user_id,
            access=access or TeamAccess.READ,
        )


def team_panel(actor: Actor, customer, *, manage: bool) -> None:
    """Members and their access; `manage` (the owner's side) shows add / remove."""
    st.caption(t("customer.team.intro"))
    with transaction() as session:
        members = customer_team.team(session, actor=actor, customer_id=customer.id)
    if manage:
        _add(actor, customer.id, customer.owner_id)
    if not members:
        st.caption(t("customer.team.empty"))
    for member in members:
        name_col, access_col, drop_col = st.columns([3, 2, 1], vertical_alignment="center")
        name_col.text(member.name)
        access_col.text(_access_label(member.access))
        if manage and drop_col.button(
            t("customer.team.remove"), key=f"{KEY}.remove.{member.user_id}", type="tertiary"
        ):
            _run(
                customer_team.remove_team_member,
                "customer.team.removed",
                actor=actor,
                customer_id=customer.id,
                user_id=member.user_id,
            )
