"""Login, the app shell and the settings pages in AppTest (PLT-1, PLT-2, PLT-3, PLT-5)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import db as core_db
from core.models import AppSetting, Department, Role, User
from tests.factories import PASSWORD
from tests.pages.harness import app_as, fresh_app, open_page, sidebar_texts, texts

pytestmark = pytest.mark.usefixtures("org_store")


def login(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def stored(query):
    with core_db.transaction() as s:
        return s.scalars(query).all()


def test_wrong_password_shows_the_translated_error():
    at = login(app_as(None), "sales1", "wrong-password1")
    assert not at.exception
    assert "用户名或密码不正确" in " ".join(e.value for e in at.error)
    assert not at.session_state["authentication_status"]


def test_right_password_logs_in_and_shows_the_app_in_the_same_run():
    at = login(app_as(None), "manager", PASSWORD)
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert "退出登录" in sidebar_texts(at)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password():
    at = app_as(None)
    for _ in range(5):
        at = login(at, "sales2", "wrong-password1")
    assert "锁定" in " ".join(e.value for e in at.error)
    at = login(fresh_app().run(), "sales2", PASSWORD)  # a new session: the lock is in the store
    assert not at.session_state["authentication_status"]
    assert "分钟后重试" in " ".join(e.value for e in at.error)


def test_disabled_user_cannot_log_in():
    with core_db.transaction() as s:
        s.scalar(select(User).where(User.username == "office")).is_active = False
    at = login(app_as(None), "office", PASSWORD)
    assert not at.session_state["authentication_status"]
    assert "已被停用" in " ".join(e.value for e in at.error)


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "sales2", "office"])
def test_every_demo_role_renders_the_app_without_exception(username):
    at = app_as(username)
    assert not at.exception, at.exception
    assert username in sidebar_texts(at)


@pytest.mark.parametrize(
    "page",
    [
        "pages/settings/users.py",
        "pages/settings/organisation.py",
        "pages/settings/roles.py",
        "pages/settings/account.py",
    ],
)
def test_admin_opens_every_settings_page(page):
    at = open_page("admin", page)
    assert not at.exception, at.exception
    assert "您没有执行此操作的权限" not in texts(at)


def test_sales_rep_opening_the_users_page_by_url_is_not_allowed():
    at = open_page("sales1", "pages/settings/users.py")
    assert not at.exception
    assert "您没有执行此操作的权限。" in [e.value for e in at.error]
    assert not at.dataframe


def test_admin_creates_a_user_through_the_users_page():
    at = open_page("admin", "pages/settings/users.py")
    at.text_input(key="users.create.username").input("Wangwu")
    at.text_input(key="users.create.password").input("Start2026")
    at.text_input(key="users.create.password_repeat").input("Start2026")
    at.text_input(key="users.create.display_name").input("王五")
    at.text_input(key="users.create.mobile").input("13700000000")
    rep = stored(select(Role).where(Role.code == "sales_rep"))[0]
    at.multiselect(key="users.create.role_ids").select(rep.id)
    next(b for b in at.button if b.label == "创建员工").click()
    at.run()
    assert not at.exception, at.exception
    user = stored(select(User).where(User.username == "wangwu"))[0]
    assert (user.display_name, user.name_initials, user.mobile) == ("王五", "ww", "13700000000")
    assert [r.code for r in user.roles] == ["sales_rep"]
    assert "员工 wangwu 已创建。" in [s.value for s in at.success]


def test_invalid_user_input_shows_field_errors_and_saves_nothing():
    at = open_page("admin", "pages/settings/users.py")
    at.text_input(key="users.create.username").input("<b>x</b>")
    at.text_input(key="users.create.password").input("short")
    at.text_input(key="users.create.display_name").input("某人")
    at.text_input(key="users.create.mobile").input("123")
    next(b for b in at.button if b.label == "创建员工").click()
    at.run()
    message = " ".join(e.value for e in at.error)
    assert "手机号" in message and "用户名" in message
    assert at.text_input(key="users.create.display_name").value == "某人"  # input kept
    assert len(stored(select(User))) == 7


def test_admin_disables_a_user_and_that_users_session_ends_at_the_next_interaction():
    sales2 = app_as("sales2")
    assert sales2.session_state["authentication_status"] is True
    at = open_page("admin", "pages/settings/users.py")
    target = stored(select(User).where(User.username == "sales2"))[0]
    at.selectbox(key="users.selected").select(target.id).run()
    at.button(key=f"users.disable.{target.id}").click().run()
    assert not at.exception, at.exception
    assert stored(select(User.is_active).where(User.id == target.id)) == [False]
    sales2.run()
    assert not sales2.session_state["authentication_status"]
    assert "您的账号已被停用" in " ".join(w.value for w in sales2.warning)


def test_user_changes_own_password_and_stays_logged_in():
    at = open_page("sales1", "pages/settings/account.py")
    at.text_input(key="account.password.old").input(PASSWORD)
    at.text_input(key="account.password.new").input("Changed2026")
    at.text_input(key="account.password.repeat").input("Changed2026")
    next(b for b in at.button if b.label == "修改密码").click()
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["authentication_status"] is True
    assert "密码已修改。" in [s.value for s in at.success]


def test_admin_creates_a_department_on_the_organisation_page():
    at = open_page("admin", "pages/settings/organisation.py")
    at.text_input(key="org.create.name").input("华东销售部")
    next(b for b in at.button if b.label == "创建部门").click()
    at.run()
    assert not at.exception, at.exception
    assert stored(select(Department.name).where(Department.name == "华东销售部"))


def test_admin_widens_a_role_scope_on_the_roles_page():
    rep = stored(select(Role).where(Role.code == "sales_rep"))[0]
    at = open_page("admin", "pages/settings/roles.py")
    at.selectbox(key="roles.selected").select(rep.id).run()
    at.selectbox(key=f"roles.edit.{rep.id}.scope").select("department")
    next(b for b in at.button if b.label == "保存").click()
    at.run()
    assert not at.exception, at.exception
    assert stored(select(Role.data_scope).where(Role.id == rep.id)) == ["department"]


def test_language_switch_changes_the_sidebar_to_english_and_is_remembered():
    at = app_as("manager")
    assert "退出登录" in sidebar_texts(at)
    at.selectbox(key="shell.locale").select("en").run()
    assert not at.exception, at.exception
    assert "Log out" in sidebar_texts(at) and "Sales manager" in sidebar_texts(at)
    assert stored(select(User.locale).where(User.username == "manager")) == ["en"]
    again = app_as("manager")  # a new session of the same user
    assert "Log out" in sidebar_texts(again)


def test_language_chosen_before_login_translates_the_login_page():
    at = app_as(None)
    at.selectbox(key="auth.locale").select("en").run()
    assert "Log in" in texts(at)


def test_login_page_lists_demo_accounts_only_while_the_store_holds_demo_data():
    assert "演示账号" not in texts(app_as(None))
    with core_db.transaction() as s:
        s.add(AppSetting(key="demo_data", value="S"))
    at = app_as(None)
    assert "演示账号" in texts(at)
    assert "Demo@2026" in texts(at)


def test_empty_production_store_asks_for_the_first_administrator(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    at = app_as(None)
    assert "创建首个管理员账号" in texts(at)
    at.text_input(key="auth.first_admin.username").input("Boss")
    at.text_input(key="auth.first_admin.name").input("老板")
    at.text_input(key="auth.first_admin.password").input("Boss2026x")
    at.text_input(key="auth.first_admin.repeat").input("Boss2026x")
    next(b for b in at.button if b.label == "创建管理员").click()
    at.run()
    assert not at.exception, at.exception
    assert "管理员账号已创建，请登录。" in [s.value for s in at.success]
    at.button(key="auth.first_admin.continue").click().run()
    at = login(at, "boss", "Boss2026x")
    assert at.session_state["authentication_status"] is True
    assert "超级管理员" in sidebar_texts(at)
