"""A star toggle for a record's detail panel (saved views: the "starred" view lists them)."""

from __future__ import annotations

import streamlit as st

from core.db import transaction
from core.entities import EntitySpec
from core.errors import NotFound
from core.i18n import t
from core.permissions import Actor
from core.services import saved_views


def _toggle(spec: EntitySpec, actor: Actor, record_id: int) -> None:
    try:
        with transaction() as session:
            starred = saved_views.toggle_star(session, actor=actor, spec=spec, record_id=record_id)
    except NotFound:
        return
    st.toast(t("views.starred" if starred else "views.unstarred"))


def star_button(spec: EntitySpec, actor: Actor, record_id: int, *, key: str = "") -> None:
    """☆ 加星标 / ★ 取消星标 for one record the actor can see."""
    with transaction() as session:
        starred = bool(saved_views.starred_ids(session, actor=actor, spec=spec, ids=[record_id]))
    label = f"★ {t('views.unstar')}" if starred else f"☆ {t('views.star')}"
    st.button(
        label,
        key=key or f"{spec.name}.star",
        on_click=_toggle,
        args=(spec, actor, record_id),
        width="stretch",
    )
