"""Login rules (PLT-1): lockout after repeated failures, and whether a session may go on.

Kept in the store so a restart changes nothing; core/auth.py hooks these into the login flow."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import AccountLocked, DomainError
from core.models import LoginAttempt, User
from core.services.accounts import get_by_username

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=10)
LOCK_DURATION = dt.timedelta(minutes=10)


def credentials(session: Session) -> dict:
    """streamlit-authenticator's credentials, built from the store on each run (never YAML)."""
    rows = session.execute(select(User.username, User.display_name, User.email, User.password_hash))
    return {
        "usernames": {
            u.lower(): {
                "email": email or "",
                "first_name": name,
                "last_name": "",
                "password": pw,
                "roles": [],
                "failed_login_attempts": 0,
            }
            for u, name, email, pw in rows
        }
    }


def lock_until(session: Session, *, username: str, now: dt.datetime) -> dt.datetime | None:
    """When the account's lock ends, if it is locked at `now`."""
    user = get_by_username(session, username)
    if user is None or user.locked_until is None or user.locked_until <= now:
        return None
    return user.locked_until


def check_login_allowed(session: Session, *, username: str, now: dt.datetime) -> None:
    """Raise AccountLocked (with minutes left) or the disabled-account error; else return."""
    until = lock_until(session, username=username, now=now)
    if until is not None:
        minutes = max(1, -(-int((until - now).total_seconds()) // 60))
        raise AccountLocked(minutes=minutes)
    user = get_by_username(session, username)
    if user is not None and not user.is_active:
        raise DomainError("auth.account_disabled")


def record_failed_login(session: Session, *, username: str, now: dt.datetime) -> dt.datetime | None:
    """Count a wrong password. The 5th failure within 10 minutes (since the last success or
    lock) locks the account for 10 minutes; returns the lock's end when the account is locked."""
    user = get_by_username(session, username)
    if user is None:
        return None
    session.add(LoginAttempt(username=user.username, attempted_at=now, succeeded=False))
    session.flush()
    if user.locked_until is not None and user.locked_until > now:
        return user.locked_until  # already locked: failures do not extend the lock
    since = now - FAILURE_WINDOW
    if user.locked_until is not None:
        since = max(since, user.locked_until - LOCK_DURATION)
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == user.username, LoginAttempt.succeeded.is_(True)
        )
    )
    failures = session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.username == user.username,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at > max(since, last_success or since),
        )
    )
    if failures >= MAX_FAILURES:
        user.locked_until = now + LOCK_DURATION
        session.flush()
        return user.locked_until
    return None


def record_successful_login(session: Session, *, username: str, now: dt.datetime) -> None:
    user = get_by_username(session, username)
    if user is not None:
        session.add(LoginAttempt(username=user.username, attempted_at=now, succeeded=True))
        session.flush()


def cookie_issued_at(exp_date: float, expiry_days: float) -> dt.datetime:
    """The authenticator's cookie holds only its expiry; issued = expiry − lifetime (naive UTC)."""
    expires = dt.datetime.fromtimestamp(exp_date, dt.UTC).replace(tzinfo=None)
    return expires - dt.timedelta(days=expiry_days)


def session_refusal(user: User | None, *, issued_at: dt.datetime) -> str | None:
    """Why a logged-in session must end now (an i18n key), or None when it may go on: the user
    was removed or disabled, or the login/cookie predates the last password change."""
    if user is None:
        return "auth.session.user_gone"
    if not user.is_active:
        return "auth.session.disabled"
    if user.password_changed_at is not None and issued_at < user.password_changed_at:
        return "auth.session.password_changed"
    return None
