"""AppTest helpers shared by every page test: a fresh app run logged in as a user.

    at = app_as("manager")                            # app.py, logged in, first page
    at = open_page("sales1", "pages/crm/leads.py")    # then switched to a page

Login state is injected (DESIGN.md §8); the real login form is tested separately. Use the
`org_store` fixture (tests/pages/conftest.py) so the store holds the demo organisation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30


def fresh_app() -> AppTest:
    """app.py with cleared Streamlit caches (they survive across AppTest runs in one process)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def app_as(username: str | None, *, locale: str | None = None) -> AppTest:
    """Run app.py once, logged in as `username` (None: logged out, the login page)."""
    at = fresh_app()
    if username:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
    if locale:
        at.session_state["_chosen_locale"] = locale
    return at.run()


def open_page(username: str, page: str) -> AppTest:
    """Log in as `username` and open `page` (a path like "pages/settings/users.py")."""
    at = app_as(username)
    assert not at.exception, at.exception
    return at.switch_page(str(ROOT / page)).run()


def texts(at: AppTest) -> str:
    """Every visible text of the run, joined, for `in` checks."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "error",
        "warning",
        "info",
        "success",
    ):
        parts += [str(getattr(el, "value", "")) for el in getattr(at, kind)]
    parts += [str(el.label) for el in at.button]
    return "\n".join(parts)


def sidebar_texts(at: AppTest) -> str:
    parts = [str(getattr(el, "value", "")) for el in at.sidebar.markdown]
    parts += [str(getattr(el, "value", "")) for el in at.sidebar.caption]
    parts += [str(el.label) for el in at.sidebar.button] + [
        str(el.label) for el in at.sidebar.selectbox
    ]
    return "\n".join(parts)
