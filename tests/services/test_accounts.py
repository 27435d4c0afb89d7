"""Accounts (PLT-1): creating and editing users, passwords, lockout and session validity."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.errors import AccountLocked, CycleDetected, DomainError, NotAllowed, ValidationFailed
from core.models import ChangeLog, LoginAttempt, User
from core.services import accounts, login_guard
from tests.factories import PASSWORD

NOW = dt.datetime(2026, 11, 20, 9, 0, 0)


def admin(session, org):
    return org.actor(session, "admin")


def count_users(session):
    return session.scalar(select(func.count(User.id)))


def new_user(session, org, **overrides):
    fields = dict(username="zhangsan", password="Secret123", display_name="张三")
    fields.update(overrides)
    return accounts.create_user(session, actor=admin(session, org), **fields)


def test_admin_creates_user_with_pinyin_initials_and_roles(session, org):
    rep = org.users["sales1"].roles[0]
    user = new_user(session, org, role_ids=[rep.id], mobile="13800138000", email="zs@example.com")
    session.commit()
    assert user.name_initials == "zs"
    assert [r.code for r in user.roles] == ["sales_rep"]
    assert accounts.verify_password("Secret123", user.password_hash)
    log = session.scalars(select(ChangeLog).where(ChangeLog.record_id == user.id)).all()
    assert [(row.entity, row.action) for row in log] == [("user", "create")]


def test_username_is_stored_lower_case_and_must_be_unique(session, org):
    assert new_user(session, org, username="ZhangSan").username == "zhangsan"
    with pytest.raises(ValidationFailed) as err:
        new_user(session, org, username="ZHANGSAN")
    assert err.value.errors["username"][0] == "settings.users.error.username_taken"


@pytest.mark.parametrize(
    "field,value,key",
    [
        ("username", "ab", "settings.users.error.username"),
        ("username", "<script>x</script>", "settings.users.error.username"),
        ("username", "a'; DROP TABLE users;--", "settings.users.error.username"),
        ("display_name", "", "settings.users.error.required"),
        ("display_name", "长" * 51, "settings.users.error.too_long"),
        ("email", "not-an-email", "settings.users.error.email"),
        ("mobile", "12345678901", "settings.users.error.mobile"),
        ("mobile", "1380013800", "settings.users.error.mobile"),
        ("password", "short1", "auth.password.length"),
        ("password", "onlyletters", "auth.password.letters_and_digits"),
        ("password", "12345678", "auth.password.letters_and_digits"),
        ("password", "a1" * 33, "auth.password.length"),
    ],
)
def test_invalid_user_input_is_refused_and_nothing_is_saved(session, org, field, value, key):
    before = count_users(session)
    with pytest.raises(ValidationFailed) as err:
        new_user(session, org, **{field: value})
    assert err.value.errors[field][0] == key
    session.rollback()
    assert count_users(session) == before


def test_password_policy_accepts_letters_with_digits():
    assert accounts.password_problem("Demo2026") is None
    assert accounts.password_problem("abc12345") is None


def test_edit_user_changes_fields_and_writes_change_log(session, org):
    sales1 = org.users["sales1"]
    accounts.update_user(
        session,
        actor=admin(session, org),
        user_id=sales1.id,
        display_name="李雷",
        mobile="13912345678",
    )
    session.commit()
    assert sales1.name_initials == "ll"
    fields = session.scalars(
        select(ChangeLog.field).where(
            ChangeLog.record_id == sales1.id, ChangeLog.action == "update"
        )
    ).all()
    assert sorted(fields) == ["display_name", "mobile"]


def test_edit_with_bad_email_changes_nothing(session, org):
    sales1 = org.users["sales1"]
    with pytest.raises(ValidationFailed):
        accounts.update_user(
            session, actor=admin(session, org), user_id=sales1.id, display_name="新名字", email="x@"
        )
    session.rollback()
    assert session.get(User, sales1.id).display_name == "sales1"


def test_superior_cycle_is_refused(session, org):
    manager, sales1 = org.users["manager"], org.users["sales1"]
    with pytest.raises(CycleDetected):
        accounts.update_user(
            session, actor=admin(session, org), user_id=manager.id, superior_id=sales1.id
        )


def test_sales_rep_may_not_manage_users(session, org):
    with pytest.raises(NotAllowed):
        accounts.create_user(
            session,
            actor=org.actor(session, "sales1"),
            username="x1x",
            password="Secret123",
            display_name="X",
        )


def test_admin_cannot_disable_self_or_remove_the_last_super_admin(session, org):
    actor = admin(session, org)
    with pytest.raises(NotAllowed):
        accounts.set_active(session, actor=actor, user_id=actor.user_id, active=False)
    rep = org.users["sales1"].roles[0]
    with pytest.raises(NotAllowed):
        accounts.update_user(session, actor=actor, user_id=actor.user_id, role_ids=[rep.id])


def test_disabled_user_is_refused_at_login_and_session_ends(session, org):
    sales1 = org.users["sales1"]
    accounts.set_active(
        session, actor=admin(session, org), user_id=sales1.id, active=False, now=NOW
    )
    session.commit()
    with pytest.raises(DomainError) as err:
        login_guard.check_login_allowed(session, username="sales1", now=NOW)
    assert err.value.key == "auth.account_disabled"
    issued = NOW + dt.timedelta(hours=1)
    assert login_guard.session_refusal(sales1, issued_at=issued) == "auth.session.disabled"


def test_re_enabled_user_logs_in_but_old_cookies_stay_invalid(session, org):
    sales1, actor = org.users["sales1"], admin(session, org)
    accounts.set_active(session, actor=actor, user_id=sales1.id, active=False, now=NOW)
    accounts.set_active(session, actor=actor, user_id=sales1.id, active=True, now=NOW)
    login_guard.check_login_allowed(session, username="sales1", now=NOW)
    old_cookie = NOW - dt.timedelta(days=1)
    assert (
        login_guard.session_refusal(sales1, issued_at=old_cookie) == "auth.session.password_changed"
    )


def test_password_change_invalidates_cookies_issued_before_it(session, org):
    sales1 = org.users["sales1"]
    accounts.change_own_password(
        session,
        user_id=sales1.id,
        old_password=PASSWORD,
        new_password="NewPass2026",
        new_password_repeat="NewPass2026",
        now=NOW,
    )
    session.commit()
    expiry_days = 7
    issued_before = (
        (NOW - dt.timedelta(minutes=5) + dt.timedelta(days=7)).replace(tzinfo=dt.UTC).timestamp()
    )
    issued_after = (
        (NOW + dt.timedelta(minutes=5) + dt.timedelta(days=7)).replace(tzinfo=dt.UTC).timestamp()
    )
    before = login_guard.cookie_issued_at(issued_before, expiry_days)
    after = login_guard.cookie_issued_at(issued_after, expiry_days)
    assert login_guard.session_refusal(sales1, issued_at=before) == "auth.session.password_changed"
    assert login_guard.session_refusal(sales1, issued_at=after) is None


def test_change_password_requires_the_old_password(session, org):
    sales1 = org.users["sales1"]
    old_hash = sales1.password_hash
    with pytest.raises(ValidationFailed) as err:
        accounts.change_own_password(
            session,
            user_id=sales1.id,
            old_password="wrong",
            new_password="NewPass2026",
            new_password_repeat="NewPass2026",
        )
    assert err.value.errors["old_password"][0] == "auth.password.old_wrong"
    with pytest.raises(ValidationFailed) as err:
        accounts.change_own_password(
            session,
            user_id=sales1.id,
            old_password=PASSWORD,
            new_password="NewPass2026",
            new_password_repeat="NewPass2027",
        )
    assert "new_password_repeat" in err.value.errors
    assert sales1.password_hash == old_hash


def test_admin_reset_sets_password_and_ends_old_sessions(session, org):
    sales1 = org.users["sales1"]
    accounts.reset_password(
        session, actor=admin(session, org), user_id=sales1.id, new_password="Reset2026", now=NOW
    )
    assert accounts.verify_password("Reset2026", sales1.password_hash)
    assert sales1.password_changed_at == NOW
    gone = login_guard.session_refusal(sales1, issued_at=NOW - dt.timedelta(seconds=1))
    assert gone == "auth.session.password_changed"


def test_removed_user_session_is_refused():
    assert login_guard.session_refusal(None, issued_at=NOW) == "auth.session.user_gone"


def fail(session, times, start, step=dt.timedelta(seconds=30)):
    until = None
    for i in range(times):
        until = login_guard.record_failed_login(session, username="sales1", now=start + i * step)
    session.commit()
    return until


def test_five_failures_within_ten_minutes_lock_the_account_for_ten_minutes(session, org):
    assert fail(session, 4, NOW) is None
    login_guard.check_login_allowed(session, username="sales1", now=NOW + dt.timedelta(minutes=2))
    fifth = NOW + dt.timedelta(minutes=3)
    until = login_guard.record_failed_login(session, username="sales1", now=fifth)
    session.commit()
    assert until == fifth + dt.timedelta(minutes=10)
    with pytest.raises(AccountLocked) as err:
        login_guard.check_login_allowed(
            session, username="sales1", now=fifth + dt.timedelta(minutes=1)
        )
    assert err.value.params["minutes"] == 9


def test_lock_is_kept_in_the_store_and_expires_after_ten_minutes(session, org, db_url):
    fail(session, 5, NOW)
    from core import db as core_db

    core_db.dispose_engines()  # as after a restart: a new engine and session
    with core_db.session_factory(db_url)() as fresh:
        later = NOW + dt.timedelta(minutes=6)
        with pytest.raises(AccountLocked):
            login_guard.check_login_allowed(fresh, username="sales1", now=later)
        login_guard.check_login_allowed(
            fresh, username="sales1", now=NOW + dt.timedelta(minutes=13)
        )


def test_failures_spread_over_more_than_ten_minutes_do_not_lock(session, org):
    assert fail(session, 6, NOW, step=dt.timedelta(minutes=3)) is None


def test_a_successful_login_restarts_the_failure_count(session, org):
    fail(session, 4, NOW)
    login_guard.record_successful_login(
        session, username="sales1", now=NOW + dt.timedelta(minutes=2)
    )
    assert fail(session, 4, NOW + dt.timedelta(minutes=3)) is None
    attempts = session.scalar(select(func.count(LoginAttempt.id)))
    assert attempts == 9


def test_failures_while_locked_do_not_extend_the_lock(session, org):
    until = fail(session, 5, NOW)
    again = login_guard.record_failed_login(
        session, username="sales1", now=NOW + dt.timedelta(minutes=5)
    )
    assert again == until


def test_credentials_come_from_the_store(session, org):
    creds = login_guard.credentials(session)["usernames"]
    assert set(creds) == set(org.users)
    assert creds["sales1"]["password"].startswith("$2")


def test_first_admin_only_on_an_empty_store(session, org):
    with pytest.raises(NotAllowed):
        accounts.create_first_admin(
            session,
            username="root",
            display_name="Root",
            password="Secret123",
            password_repeat="Secret123",
        )


def test_first_admin_becomes_super_admin(session):
    user = accounts.create_first_admin(
        session,
        username="Root",
        display_name="管理员",
        password="Secret123",
        password_repeat="Secret123",
    )
    assert user.username == "root"
    assert [r.code for r in user.roles] == ["super_admin"]


def test_demo_data_is_detected_from_demo_users(session, org):
    assert not accounts.has_demo_data(session)
    org.users["sales1"].is_demo = True
    session.flush()
    assert accounts.has_demo_data(session)
