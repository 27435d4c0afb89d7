"""The app shell around every page: the sidebar's user card, language switch and logout."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from core.auth import request_logout
from core.db import transaction
from core.i18n import LANGUAGE_NAMES, LOCALES, get_locale, set_locale, t
from core.permissions import Actor
from core.services import accounts
from core.ui.search import sidebar_search_box

LOCALE_KEY = "shell.locale"


# Widgets whose browser side holds the label it shows (select boxes, radios, multiselects …).
_LABELLED = ("string_value", "string_array_value")


def _restate_choices() -> None:
    """The browser keeps a select box's choice as the label it shows. After a language switch
    that label is in the old language, matches no option, and Streamlit would hand the page
    the stale label ("上月" on an English page). Setting each such widget's value again (in
    the switch's callback, before the page runs) makes Streamlit send the new label instead.

    Streamlit has no public list of a session's widgets; this reads its session state's key
    → widget mapping (Streamlit is pinned; tests/browser/test_language_switch.py guards it)."""
    from streamlit.runtime.state import get_session_state

    state = get_session_state()._state
    metadata = state._new_widget_state.widget_metadata
    for key, widget_id in list(state._key_id_mapper._key_id_mapping.items()):
        meta = metadata.get(widget_id)
        if key == LOCALE_KEY or meta is None or meta.value_type not in _LABELLED:
            continue
        value = st.session_state.get(key)
        if isinstance(value, Mapping):  # data editors and table selections: not settable
            continue
        st.session_state[key] = value


def _save_locale(user_id: int) -> None:
    """Remembered per user (PLT-5): the next run reads it back from the store."""
    locale = st.session_state[LOCALE_KEY]
    with transaction() as s:
        accounts.set_locale(s, user_id=user_id, locale=locale)
    set_locale(locale)
    _restate_choices()


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
