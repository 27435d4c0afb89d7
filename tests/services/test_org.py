"""Organisation (PLT-2): department tree edits, heads, placement of users, no cycles."""

import pytest
from sqlalchemy import select

from core.errors import CycleDetected, InvalidTransition, NotAllowed, ValidationFailed
from core.models import ChangeLog, Department
from core.services import org as org_service


def admin(session, org):
    return org.actor(session, "admin")


def test_tree_lists_parents_before_children_with_depth(session, org):
    nodes = org_service.department_tree(session)
    depth = {n.name: n.depth for n in nodes}
    assert depth == {"总经办": 0, "销售部": 1, "销售二部": 2, "华南销售部": 1, "行政部": 1}
    names = [n.name for n in nodes]
    assert names.index("销售部") < names.index("销售二部")
    sales = next(n for n in nodes if n.name == "销售部")
    assert sales.head_name == "manager" and sales.member_count == 3


def test_create_rename_and_move_a_department(session, org):
    actor, deps = admin(session, org), org.departments
    dep = org_service.create_department(
        session, actor=actor, name=" 华东销售部 ", parent_id=deps["hq"].id
    )
    org_service.update_department(
        session,
        actor=actor,
        department_id=dep.id,
        name="华东大区",
        parent_id=deps["sales"].id,
        head_id=org.users["sales3"].id,
    )
    session.commit()
    saved = session.get(Department, dep.id)
    assert (saved.name, saved.parent_id, saved.head_id) == (
        "华东大区",
        deps["sales"].id,
        org.users["sales3"].id,
    )
    fields = session.scalars(select(ChangeLog.field).where(ChangeLog.entity == "department")).all()
    assert {"name", "parent_id", "head_id"} <= set(fields)


def test_moving_a_department_under_its_own_descendant_is_refused(session, org):
    deps = org.departments
    with pytest.raises(CycleDetected):
        org_service.update_department(
            session,
            actor=admin(session, org),
            department_id=deps["sales"].id,
            name="销售部",
            parent_id=deps["sales_2"].id,
            head_id=None,
        )
    session.rollback()
    assert session.get(Department, deps["sales"].id).parent_id == deps["hq"].id


def test_department_cannot_be_its_own_parent(session, org):
    deps = org.departments
    with pytest.raises(CycleDetected):
        org_service.check_department_parent(
            session, department_id=deps["south"].id, parent_id=deps["south"].id
        )


def test_only_an_empty_department_can_be_deleted(session, org):
    actor, deps = admin(session, org), org.departments
    with pytest.raises(InvalidTransition):
        org_service.delete_department(session, actor=actor, department_id=deps["hq"].id)
    with pytest.raises(InvalidTransition):
        org_service.delete_department(session, actor=actor, department_id=deps["south"].id)
    empty = org_service.create_department(
        session, actor=actor, name="空部门", parent_id=deps["hq"].id
    )
    org_service.delete_department(session, actor=actor, department_id=empty.id)
    assert session.get(Department, empty.id) is None


def test_blank_department_name_is_refused(session, org):
    with pytest.raises(ValidationFailed):
        org_service.create_department(session, actor=admin(session, org), name="   ")


def test_place_user_sets_department_position_and_superior(session, org):
    sales3 = org.users["sales3"]
    org_service.place_user(
        session,
        actor=admin(session, org),
        user_id=sales3.id,
        department_id=org.departments["sales"].id,
        position="高级销售",
        superior_id=org.users["manager"].id,
    )
    session.commit()
    assert (sales3.department_id, sales3.position, sales3.superior_id) == (
        org.departments["sales"].id,
        "高级销售",
        org.users["manager"].id,
    )


def test_superior_chain_cycle_is_refused(session, org):
    users = org.users
    with pytest.raises(CycleDetected):
        org_service.place_user(
            session,
            actor=admin(session, org),
            user_id=users["manager"].id,
            department_id=None,
            position="",
            superior_id=users["sales2"].id,
        )
    with pytest.raises(CycleDetected):
        org_service.check_superior(
            session, user_id=users["sales1"].id, superior_id=users["sales1"].id
        )


def test_sales_rep_may_not_edit_the_organisation(session, org):
    with pytest.raises(NotAllowed):
        org_service.create_department(session, actor=org.actor(session, "sales1"), name="x")
