"""Accounts (PLT-1): users, passwords, login lockout and session validity.

The login UI (core/auth.py) only calls these rules; every one of them is tested here."""

from __future__ import annotations

import datetime as dt
import re

import bcrypt
from pypinyin import Style, lazy_pinyin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotAllowed, NotFound, ValidationFailed
from core.models import AppSetting, Department, Role, User
from core.permissions import Actor, require
from core.services import changelog

USERNAME_RE = re.compile(r"^[a-z0-9._-]{3,30}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Text lengths follow the columns of core/models/org.py.
MAX_LEN = {"display_name": 50, "email": 200, "position": 50}
PROFILE_FIELDS = ("display_name", "email", "mobile", "department_id", "position", "superior_id")


def utcnow() -> dt.datetime:
    """Naive UTC, like the database clock that fills the timestamp columns."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ----------------------------------------------------------------------------- passwords


def password_problem(password: str) -> tuple[str, dict] | None:
    """The one password policy: 8–64 characters with letters and digits (bcrypt reads 72 bytes)."""
    if not 8 <= len(password) <= 64 or len(password.encode()) > 72:
        return ("auth.password.length", {"min": 8, "max": 64})
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return ("auth.password.letters_and_digits", {})
    return None


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:  # malformed hash or a password over bcrypt's 72 bytes
        return False


def _new_password_errors(password: str, repeat: str, field: str = "password") -> dict:
    # The login form strips surrounding spaces, so a stored password must not keep them.
    problem = password_problem(password.strip())
    if problem:
        return {field: problem}
    if password != repeat:
        return {f"{field}_repeat": ("auth.password.mismatch", {})}
    return {}


def name_initials(display_name: str) -> str:
    """Pinyin initials for search in the address book: 张三 → "zs", "Li Lei" → "ll"."""
    parts = lazy_pinyin(display_name, style=Style.FIRST_LETTER, errors="ignore")
    letters = "".join(p[0] for chunk in parts for p in chunk.split() if p)
    return "".join(c for c in letters.lower() if c.isalnum())[:50]


# ----------------------------------------------------------------------------- validation


def _profile_errors(session: Session, values: dict, user_id: int | None) -> dict:
    errors: dict[str, tuple[str, dict]] = {}
    name = (values.get("display_name") or "").strip()
    if not name:
        errors["display_name"] = ("settings.users.error.required", {})
    for field, limit in MAX_LEN.items():
        if len(values.get(field) or "") > limit:
            errors[field] = ("settings.users.error.too_long", {"max": limit})
    email = values.get("email") or ""
    if email and "email" not in errors and not EMAIL_RE.match(email):
        errors["email"] = ("settings.users.error.email", {})
    mobile = values.get("mobile") or ""
    if mobile and not MOBILE_RE.match(mobile):
        errors["mobile"] = ("settings.users.error.mobile", {})
    dep = values.get("department_id")
    if dep is not None and session.get(Department, dep) is None:
        errors["department_id"] = ("settings.users.error.unknown", {})
    sup = values.get("superior_id")
    if sup is not None and (sup == user_id or session.get(User, sup) is None):
        errors["superior_id"] = ("settings.users.error.superior", {})
    return errors


def _username_errors(session: Session, username: str) -> dict:
    if not USERNAME_RE.match(username):
        return {"username": ("settings.users.error.username", {})}
    if session.scalar(select(User.id).where(func.lower(User.username) == username)):
        return {"username": ("settings.users.error.username_taken", {})}
    return {}


def _roles(session: Session, role_ids) -> list[Role]:
    roles = list(session.scalars(select(Role).where(Role.id.in_(list(role_ids)))))
    if len(roles) != len(set(role_ids)):
        raise ValidationFailed({"role_ids": ("settings.users.error.unknown", {})})
    return roles


def _clean(values: dict) -> dict:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


# ----------------------------------------------------------------------------- change log


def _log(session: Session, actor_id: int | None, user_id: int, action: str, changes=None) -> None:
    """One ChangeLog row per changed field, or one row for an action without fields (CUS-12)."""
    for field, (old, new) in (changes or {"": (None, None)}).items():
        changelog.log(
            session,
            actor_id=actor_id,
            entity="user",
            record_id=user_id,
            action=action,
            field=field,
            old=old,
            new=new,
        )


def _role_codes(roles) -> str:
    return ",".join(sorted(r.code for r in roles))


# ----------------------------------------------------------------------------- users


def get_by_username(session: Session, username: str | None) -> User | None:
    if not username:
        return None
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(entity="user", id=user_id)
    return user


def has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def has_demo_data(session: Session) -> bool:
    """True while the store holds generated demo data (the login page then lists demo accounts)."""
    if session.get(AppSetting, "demo_data") is not None:
        return True
    return session.scalar(select(User.id).where(User.is_demo.is_(True)).limit(1)) is not None


def list_users(session: Session, *, actor: Actor, search: str = "") -> list[User]:
    """Every user (admins manage colleagues of all departments), optionally filtered."""
    require(actor, "settings.users")
    query = select(User).order_by(User.is_active.desc(), User.username)
    if search.strip():
        like = f"%{search.strip().lower()}%"
        query = query.where(
            func.lower(User.username).like(like)
            | User.display_name.like(like)
            | User.name_initials.like(like)
            | User.mobile.like(like)
        )
    return list(session.scalars(query))


def create_user(
    session: Session,
    *,
    actor: Actor | None,
    username: str,
    password: str,
    password_repeat: str | None = None,
    role_ids=(),
    now: dt.datetime | None = None,
    **profile,
) -> User:
    """Create an active user. Username: 3–30 of a-z 0-9 . _ - (stored lower-case), unique;
    profile checked like `update_user`; password by `password_problem`. Nothing is saved on error."""
    if actor is not None:
        require(actor, "settings.users")
    username = username.strip().lower()
    values = _clean({k: profile.get(k) for k in PROFILE_FIELDS if k in profile})
    values.setdefault("display_name", "")
    repeat = password if password_repeat is None else password_repeat
    errors = _username_errors(session, username) | _profile_errors(session, values, None)
    errors |= _new_password_errors(password, repeat)
    if errors:
        raise ValidationFailed(errors)
    roles = _roles(session, role_ids)
    user = User(
        username=username,
        password_hash=hash_password(password.strip()),
        name_initials=name_initials(values["display_name"]),
        password_changed_at=now or utcnow(),
        **{k: (v if v is not None or k.endswith("_id") else "") for k, v in values.items()},
    )
    user.roles = roles
    session.add(user)
    session.flush()
    _log(session, actor.user_id if actor else None, user.id, "create")
    return user


def create_first_admin(
    session: Session, *, username: str, display_name: str, password: str, password_repeat: str
) -> User:
    """On an empty production store, the first account: a super admin. Refused once users exist."""
    if has_users(session):
        raise NotAllowed("auth.first_admin.exists")
    from core.seed import seed_roles

    role = seed_roles(session)["super_admin"]
    return create_user(
        session,
        actor=None,
        username=username,
        password=password,
        password_repeat=password_repeat,
        display_name=display_name,
        role_ids=[role.id],
    )


def update_user(session: Session, *, actor: Actor, user_id: int, role_ids=None, **profile) -> User:
    """Edit profile fields (display name, email, mobile, department, position, superior) and,
    when given, the roles. The superior chain must not become a cycle; the last active super
    admin keeps that role. Every changed field is written to the change log."""
    from core.services.org import check_superior

    require(actor, "settings.users")
    user = _get(session, user_id)
    values = _clean({k: profile[k] for k in PROFILE_FIELDS if k in profile})
    merged = {k: getattr(user, k) for k in PROFILE_FIELDS} | values
    errors = _profile_errors(session, merged, user.id)
    if errors:
        raise ValidationFailed(errors)
    check_superior(session, user_id=user.id, superior_id=merged["superior_id"])
    changes = {k: (getattr(user, k), v) for k, v in values.items() if getattr(user, k) != v}
    if role_ids is not None:
        roles = _roles(session, role_ids)
        if _role_codes(roles) != _role_codes(user.roles):
            if "super_admin" not in {r.code for r in roles}:
                _keep_a_super_admin(session, leaving=user)
            changes["roles"] = (_role_codes(user.roles), _role_codes(roles))
            user.roles = roles
    for key, value in values.items():
        setattr(user, key, value)
    user.name_initials = name_initials(user.display_name)
    session.flush()
    if changes:
        _log(session, actor.user_id, user.id, "update", changes)
    return user


def _keep_a_super_admin(session: Session, *, leaving: User) -> None:
    if leaving.is_active and any(r.code == "super_admin" for r in leaving.roles):
        others = session.scalar(
            select(func.count(User.id))
            .where(User.id != leaving.id, User.is_active.is_(True))
            .where(User.roles.any(Role.code == "super_admin"))
        )
        if not others:
            raise NotAllowed("settings.users.error.last_admin")


def set_active(
    session: Session, *, actor: Actor, user_id: int, active: bool, now: dt.datetime | None = None
) -> User:
    """Disable or re-enable a user. Disabling ends the user's sessions at their next interaction
    and old cookies stay invalid after re-enabling. Admins cannot disable themselves."""
    require(actor, "settings.users")
    user = _get(session, user_id)
    if user.is_active == active:
        return user
    if not active:
        if user.id == actor.user_id:
            raise NotAllowed("settings.users.error.disable_self")
        _keep_a_super_admin(session, leaving=user)
        user.password_changed_at = now or utcnow()
    user.is_active = active
    session.flush()
    _log(session, actor.user_id, user.id, "enable" if active else "disable")
    return user


def reset_password(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    new_password: str,
    now: dt.datetime | None = None,
) -> User:
    """An admin sets a new password; the user's other sessions end and any lock is lifted."""
    require(actor, "settings.users")
    user = _get(session, user_id)
    errors = _new_password_errors(new_password, new_password, "new_password")
    if errors:
        raise ValidationFailed(errors)
    _set_password(user, new_password, now)
    user.locked_until = None
    session.flush()
    _log(session, actor.user_id, user.id, "password_reset")
    return user


def change_own_password(
    session: Session,
    *,
    user_id: int,
    old_password: str,
    new_password: str,
    new_password_repeat: str,
    now: dt.datetime | None = None,
) -> User:
    """A user changes their own password: the old one is required; sessions elsewhere end."""
    user = _get(session, user_id)
    if not verify_password(old_password.strip(), user.password_hash):
        raise ValidationFailed({"old_password": ("auth.password.old_wrong", {})})
    errors = _new_password_errors(new_password, new_password_repeat, "new_password")
    if errors:
        raise ValidationFailed(errors)
    _set_password(user, new_password, now)
    session.flush()
    _log(session, user.id, user.id, "password_change")
    return user


def _set_password(user: User, password: str, now: dt.datetime | None) -> None:
    user.password_hash = hash_password(password.strip())
    user.password_changed_at = now or utcnow()


def set_locale(session: Session, *, user_id: int, locale: str) -> None:
    """Remember the user's language (PLT-5)."""
    _get(session, user_id).locale = locale
    session.flush()
