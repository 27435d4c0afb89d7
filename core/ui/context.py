"""Accessors for per-rerun state (the actor) and the standard page preamble.

Login state contract (streamlit-authenticator's own keys): the user is logged in when
`st.session_state["authentication_status"] is True` and `st.session_state["username"]` names an
active user. app.py resolves the Actor once per rerun and stores it with `set_current_actor`;
AppTest injects those two keys to log in without the form."""

from __future__ import annotations

import streamlit as st

from core.errors import DomainError, ValidationFailed
from core.i18n import t
from core.permissions import Actor

_ACTOR_KEY = "_actor"


def set_current_actor(actor: Actor | None) -> None:
    st.session_state[_ACTOR_KEY] = actor


def current_actor() -> Actor | None:
    return st.session_state.get(_ACTOR_KEY)


def page_setup(action: str, title_key: str | None = None) -> Actor:
    """Every page starts here: the actor must be logged in and hold `action` (URL access too)."""
    actor = current_actor()
    if actor is None:
        st.stop()
    if action and not actor.can(action):
        st.error(t("error.not_allowed"))
        st.stop()
    if title_key:
        st.title(t(title_key))
    return actor


def show_error(exc: DomainError) -> None:
    """A domain error as a translated message (field errors are shown by the form)."""
    if isinstance(exc, ValidationFailed):
        st.error(t(exc.key))
        for _field, (key, params) in exc.errors.items():
            st.caption(t(key, **params))
    else:
        st.error(t(exc.key, **exc.params))
