"""Address book (OFF-8): active colleagues by department, search by name / mobile / pinyin
initials, and per-user star favourites."""

import pytest
from sqlalchemy import select

from core.models import User
from core.services import address_book, records
from core.services.address_book import EMPLOYEE
from tests.factories import make_user


@pytest.fixture
def people(session, org):
    deps = org.departments
    # name_initials left empty on purpose: the address book fills them in.
    make_user(
        session,
        "zhangsan",
        ["sales_rep"],
        display_name="张三",
        mobile="13800138000",
        department_id=deps["sales_2"].id,
    )
    make_user(
        session,
        "lisi",
        ["sales_rep"],
        display_name="李四",
        mobile="13900139000",
        department_id=deps["south"].id,
    )
    make_user(
        session,
        "gone",
        ["sales_rep"],
        display_name="张离职",
        is_active=False,
        department_id=deps["sales"].id,
    )
    session.commit()
    address_book.fill_missing_initials(session)
    session.commit()
    return org


def listed(session, actor, **kwargs):
    search = kwargs.pop("search", "")
    where = address_book.where(session, actor=actor, **kwargs)
    page = records.list_visible(
        session, actor=actor, spec=EMPLOYEE, where=where, search=search, page_size=100
    )
    return [u.display_name for u in page.rows]


def test_everyone_sees_every_active_colleague_but_not_former_ones(session, people):
    for username in ("office", "sales1"):
        shown = listed(session, people.actor(session, username))
        assert "张三" in shown and "李四" in shown and "admin" in shown
        assert "张离职" not in shown


def test_department_filter_includes_sub_departments(session, people):
    actor = people.actor(session, "office")
    shown = listed(session, actor, department_id=people.departments["sales"].id)
    assert set(shown) == {"manager", "sales1", "sales2", "sales3", "张三"}


@pytest.mark.parametrize("text", ["zs", "ZS", "张三", "138001"])
def test_search_by_pinyin_initials_name_or_mobile_finds_the_colleague(session, people, text):
    assert listed(session, people.actor(session, "office"), search=text) == ["张三"]


def test_missing_initials_are_filled_without_touching_the_version(session, people):
    user = session.scalar(select(User).where(User.username == "zhangsan"))
    assert (user.name_initials, user.version) == ("zs", 1)


def test_stars_are_kept_per_user_and_filter_the_list(session, people):
    office = people.actor(session, "office")
    zhang = session.scalar(select(User.id).where(User.username == "zhangsan"))
    address_book.set_star(session, actor=office, user_id=zhang, starred=True)
    address_book.set_star(session, actor=office, user_id=zhang, starred=True)  # idempotent
    session.commit()
    assert listed(session, office, starred_only=True) == ["张三"]
    sales = people.actor(session, "sales1")
    assert listed(session, sales, starred_only=True) == []
    address_book.set_star(session, actor=office, user_id=zhang, starred=False)
    session.commit()
    assert address_book.starred_ids(session, actor=office) == set()
