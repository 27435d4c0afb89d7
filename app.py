"""Lianluo CRM entry point: prepare the store, log in, then the navigation the actor may open."""

from __future__ import annotations

import contextlib
import threading

import streamlit as st

from core.auth import CHOSEN_LOCALE, first_admin_form, login_gate
from core.config import get_settings
from core.db import transaction, upgrade_schema
from core.demo import StoreNotEmpty, seed_demo
from core.i18n import set_locale, t
from core.jobs import maybe_run_due_jobs
from core.models import User
from core.permissions import load_actor
from core.seed import seed_reference_data
from core.services import accounts
from core.services.roles import role_label
from core.ui.context import set_current_actor
from core.ui.navigation import build_navigation
from core.ui.shell import render_sidebar


@st.cache_resource(show_spinner=False)
def _prepare_store(url: str) -> threading.Lock:
    """Once per process and store: newest schema, reference data; the lock guards demo seeding."""
    upgrade_schema(url)
    with transaction(url) as s:
        seed_reference_data(s)
    return threading.Lock()


def _seed_demo(url: str, lock: threading.Lock) -> None:
    """First start of a demo install: generate demo data with a progress bar (PLT-6)."""
    with lock:  # two sessions arriving at once generate it once
        with transaction(url) as s:
            if accounts.has_users(s):
                return
        note = st.info(t("auth.demo.generating"))
        bar = st.progress(0.0)

        def progress(fraction: float, label: str) -> None:
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=label)

        # Another app instance on the same store may have got there first.
        with contextlib.suppress(StoreNotEmpty):
            seed_demo(url=url, scale=get_settings().demo_scale, progress=progress)
        bar.empty()
        note.empty()


def _store_ready() -> bool:
    """True when users exist; otherwise seed demo data or ask for the first administrator."""
    settings = get_settings()
    lock = _prepare_store(settings.database_url)
    with transaction() as s:
        if accounts.has_users(s):
            return True
    if settings.demo_data:
        _seed_demo(settings.database_url, lock)
        return True
    first_admin_form()
    return False


def _logged_out() -> None:
    """The navigation's only page while logged out (login_gate has rendered the login page)."""


def _logged_out_navigation() -> None:
    """Replace the previous user's sidebar navigation: the login page has none."""
    page = st.Page(_logged_out, title=t("auth.login.title"), url_path="login", default=True)
    st.navigation([page], position="hidden").run()


def _resolve(user_id: int):
    with transaction() as s:
        actor = load_actor(s, user_id)
        user = s.get(User, user_id)
        return actor, user.locale, list(user.roles)


def main() -> None:
    set_locale(st.session_state.get(CHOSEN_LOCALE) or get_settings().default_locale)
    st.set_page_config(page_title=t("app.name"), layout="wide", initial_sidebar_state="expanded")
    user_id = login_gate() if _store_ready() else None
    if user_id is None:
        set_current_actor(None)
        _logged_out_navigation()
        return
    actor, locale, roles = _resolve(user_id)
    set_locale(locale or st.session_state.get(CHOSEN_LOCALE) or get_settings().default_locale)
    set_current_actor(actor)
    maybe_run_due_jobs(get_settings().database_url)  # pool recall etc., throttled, DB-locked
    navigation = build_navigation(actor)
    render_sidebar(actor, [role_label(r) for r in roles])
    navigation.run()


main()
