"""The app shell around every page: the sidebar's user card, language switch and logout."""

from __future__ import annotations

import streamlit as st

from core.auth import request_logout
from core.db import transaction
from core.i18n import LANGUAGE_NAMES, LOCALES, get_locale, set_locale, t
from core.permissions import Actor
from core.services import accounts
from core.ui.search import sidebar_search_box

LOCALE_KEY = "shell.locale"


def _save_locale(user_id: int) -> None:
    """Remembered per user (PLT-5): the next run reads it back from the store."""
    locale = st.session_state[LOCALE_KEY]
    with transaction() as s:
        accounts.set_locale(s, user_id=user_id, locale=locale)
    set_locale(locale)


def render_sidebar(actor: Actor, role_names: list[str]) -> None:
    with st.sidebar, st.container(border=True):
        st.markdown(f"**{t('app.name')}**")
        st.caption(t("shell.signed_in_as"))
        st.text(actor.display_name)
        st.caption(" · ".join([actor.username, *role_names]))
    with st.sidebar:
        sidebar_search_box(actor)
        st.selectbox(
            t("shell.language"),
            LOCALES,
            index=LOCALES.index(get_locale()),
            format_func=LANGUAGE_NAMES.get,
            key=LOCALE_KEY,
            on_change=_save_locale,
            args=(actor.user_id,),
        )
        st.button(t("auth.logout"), key="shell.logout", on_click=request_logout, width="stretch")
