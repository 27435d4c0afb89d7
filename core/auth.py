"""Login gate (PLT-1): streamlit-authenticator 0.4.2 over users from the store, the lockout rules
of core/services/login_guard.py, and a re-check of the session on every rerun.

`login_gate()` returns the logged-in user's id, or renders the login page and returns None."""

from __future__ import annotations

import datetime as dt

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from core.config import get_settings
from core.db import transaction
from core.errors import DomainError
from core.i18n import LANGUAGE_NAMES, LOCALES, get_locale, t
from core.services import accounts, login_guard
from core.ui.context import show_error

ISSUED_KEY = "_auth_issued_at"  # when this session's login (form or cookie) was issued
ISSUED_FOR = "_auth_issued_for"
LOGOUT_REQUESTED = "_auth_logout_requested"
NOTICE_KEY = "_auth_notice"  # why the last session ended, shown on the login page
CHOSEN_LOCALE = "_chosen_locale"  # language picked before login
RENEW_COOKIE = "_auth_renew_cookie"
DEMO_ACCOUNTS = [
    ("admin", "role.super_admin"),
    ("manager", "role.sales_manager"),
    ("sales1", "role.sales_rep"),
    ("sales2", "role.sales_rep"),
    ("office", "role.office_staff"),
]
DEMO_PASSWORD = "Demo@2026"
_AUTH_STATE = ("name", "username", "authentication_status", "email", "roles")


def _now() -> dt.datetime:
    return accounts.utcnow()


def _authenticator(creds: dict) -> stauth.Authenticate:
    s = get_settings()
    return stauth.Authenticate(
        creds,
        cookie_name=s.cookie_name,
        cookie_key=s.cookie_key,
        cookie_expiry_days=s.cookie_expiry_days,
        auto_hash=False,  # hashes come from the store; never let it write YAML
        api_key=None,  # otherwise it talks to an outside service
        login_sleep_time=s.login_sleep_time,
    )


def renew_session(username: str, issued_at: dt.datetime) -> None:
    """After changing one's own password: this session goes on and gets a fresh cookie, while
    sessions elsewhere (older cookies) end at their next interaction."""
    st.session_state[ISSUED_KEY] = issued_at
    st.session_state[ISSUED_FOR] = username
    st.session_state[RENEW_COOKIE] = True


def request_logout() -> None:
    """Button callback: the next run logs out (so the cookie deletion reaches the browser)."""
    st.session_state[LOGOUT_REQUESTED] = True


def _forget_session(auth: stauth.Authenticate, notice: str | None = None) -> None:
    """Log this session out. Only an explicit logout deletes the browser's cookie: a refused
    session may share the browser with a newer cookie (a password changed in another tab)."""
    if notice:
        auth.authentication_controller.logout()  # clears its keys; this session ignores cookies
    else:
        auth.logout(location="unrendered")  # also deletes the cookie in the browser
    for key in (ISSUED_KEY, ISSUED_FOR):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _reset_auth_state() -> None:
    for key in _AUTH_STATE:
        st.session_state[key] = None


def _on_login(info: dict) -> None:
    """Called by the authenticator after the password matched: apply lock and disable rules."""
    username, now = info["username"], _now()
    with transaction() as s:
        login_guard.check_login_allowed(s, username=username, now=now)  # raises when refused
        login_guard.record_successful_login(s, username=username, now=now)
    st.session_state[ISSUED_KEY] = now
    st.session_state[ISSUED_FOR] = username
    st.session_state.pop(NOTICE_KEY, None)


def _write_cookie(auth: stauth.Authenticate, username: str) -> None:
    """The authenticator's own cookie, written outside the cleared login area."""
    s = get_settings()
    if not s.cookie_expiry_days:
        return
    expires = dt.datetime.now() + dt.timedelta(days=s.cookie_expiry_days)
    token = jwt.encode(
        {"username": username, "exp_date": expires.timestamp()}, s.cookie_key, algorithm="HS256"
    )
    cookies = auth.cookie_controller.cookie_model.cookie_manager
    cookies.set(s.cookie_name, token, key="auth.set_cookie", expires_at=expires)


def _record_failures(creds: dict) -> str | None:
    """The authenticator counts a wrong password in our credentials dict: persist it."""
    tried = [u for u, c in creds["usernames"].items() if c.get("failed_login_attempts")]
    if not tried:
        return None
    st.session_state.pop(NOTICE_KEY, None)
    now = _now()
    with transaction() as s:
        until = login_guard.record_failed_login(s, username=tried[0], now=now)
    if until is None:
        return t("auth.login.wrong_credentials")
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return t("auth.account_locked", minutes=minutes)


def _login_form(auth: stauth.Authenticate, creds: dict) -> None:
    fields = {
        "Form name": t("auth.login.title"),
        "Username": t("auth.login.username"),
        "Password": t("auth.login.password"),
        "Login": t("auth.login.submit"),
    }
    error = None
    try:
        try:
            auth.login(location="main", fields=fields, key="auth.login", callback=_on_login)
        except LoginError:  # a cookie for a user who no longer exists: drop it, show the form
            _forget_session(auth)
            _reset_auth_state()
            error = t("auth.session.user_gone")
            auth.login(location="main", fields=fields, key="auth.login", callback=_on_login)
    except DomainError as exc:
        _reset_auth_state()
        error = t(exc.key, **exc.params)
    error = error or _record_failures(creds)
    if st.session_state.get("authentication_status") is False:
        error = error or t("auth.login.wrong_credentials")
        st.session_state["authentication_status"] = None  # show the error once, on this attempt
    if error:
        st.error(error)


def _choose_locale() -> None:
    st.session_state[CHOSEN_LOCALE] = st.session_state["auth.locale"]


def _header() -> None:
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    left.title(t("app.name"))
    left.caption(t("app.tagline"))
    right.selectbox(
        t("auth.language"),
        LOCALES,
        index=LOCALES.index(get_locale()),
        format_func=LANGUAGE_NAMES.get,
        key="auth.locale",
        on_change=_choose_locale,
    )


def _demo_card() -> None:
    with st.container(border=True):
        st.markdown(f"**{t('auth.demo.title')}**")
        st.caption(t("auth.demo.intro", password=DEMO_PASSWORD))
        rows = [
            {t("auth.demo.username"): u, t("auth.demo.role"): t(role)} for u, role in DEMO_ACCOUNTS
        ]
        st.dataframe(rows, hide_index=True, width="stretch")


def _login_page(auth: stauth.Authenticate, creds: dict, demo: bool) -> None:
    area = st.empty()
    with area.container():
        _header()
        notice = st.session_state.get(NOTICE_KEY)  # kept until the next login attempt
        if notice:
            st.warning(t(notice))
        form_col, demo_col = st.columns([3, 2], gap="large")
        with form_col:
            _login_form(auth, creds)
        if demo:
            with demo_col:
                _demo_card()
    if st.session_state.get("authentication_status"):
        fresh = st.session_state.get(ISSUED_FOR) == st.session_state.get("username")
        area.empty()  # the app renders in this same run: no rerun, so the cookie gets written
        if fresh:
            _write_cookie(auth, st.session_state["username"])


def _issued_at(auth: stauth.Authenticate, username: str) -> dt.datetime:
    """When this session's login was issued: at the form login, or the cookie's issue time."""
    if st.session_state.get(ISSUED_FOR) != username:
        token = auth.cookie_controller.cookie_model.token
        if isinstance(token, dict) and token.get("username") == username:
            issued = login_guard.cookie_issued_at(
                token["exp_date"], get_settings().cookie_expiry_days
            )
        else:
            issued = _now()  # login state set by the test harness (no form, no cookie)
        st.session_state[ISSUED_KEY] = issued
        st.session_state[ISSUED_FOR] = username
    return st.session_state[ISSUED_KEY]


def _checked_user_id(auth: stauth.Authenticate) -> int | None:
    """Re-check on every run that the user may still be logged in; log out with a reason if not."""
    username = st.session_state.get("username")
    issued = _issued_at(auth, username)
    with transaction() as s:
        user = accounts.get_by_username(s, username)
        reason = login_guard.session_refusal(user, issued_at=issued)
        user_id = user.id if user else None
    if reason:
        _forget_session(auth, reason)
        return None
    return user_id


def login_gate() -> int | None:
    """The logged-in user's id, or None after rendering the login page."""
    with transaction() as s:
        creds = login_guard.credentials(s)
        demo = accounts.has_demo_data(s)
    auth = _authenticator(creds)
    if st.session_state.pop(LOGOUT_REQUESTED, False) and st.session_state.get(
        "authentication_status"
    ):
        _forget_session(auth)
    if not st.session_state.get("authentication_status"):
        _login_page(auth, creds, demo)
    if not st.session_state.get("authentication_status"):
        return None
    user_id = _checked_user_id(auth)
    if user_id is None:
        _login_page(auth, creds, demo)
    elif st.session_state.pop(RENEW_COOKIE, False):
        _write_cookie(auth, st.session_state["username"])
    return user_id


def first_admin_form() -> None:
    """On an empty production store: create the first administrator (a super admin)."""
    st.title(t("app.name"))
    st.subheader(t("auth.first_admin.title"))
    st.caption(t("auth.first_admin.intro"))
    with st.form("auth.first_admin", border=True):
        username = st.text_input(t("auth.first_admin.username"), key="auth.first_admin.username")
        name = st.text_input(t("auth.first_admin.display_name"), key="auth.first_admin.name")
        password = st.text_input(
            t("auth.first_admin.password"), type="password", key="auth.first_admin.password"
        )
        repeat = st.text_input(
            t("auth.first_admin.password_repeat"), type="password", key="auth.first_admin.repeat"
        )
        submitted = st.form_submit_button(t("auth.first_admin.submit"), type="primary")
    if submitted:
        try:
            with transaction() as s:
                accounts.create_first_admin(
                    s,
                    username=username,
                    display_name=name,
                    password=password,
                    password_repeat=repeat,
                )
        except DomainError as exc:
            show_error(exc)
            return
        st.success(t("auth.first_admin.created"))
        st.button(t("auth.first_admin.continue"), key="auth.first_admin.continue")
