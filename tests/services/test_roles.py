"""Roles (PLT-3): scope and action edits, custom roles, protected system roles."""

import pytest

from core.errors import InvalidTransition, NotAllowed, ValidationFailed
from core.models import DataScope, Role
from core.permissions import ACTIONS, load_actor
from core.services import accounts
from core.services import roles as role_service


def admin(session, org):
    return org.actor(session, "admin")


def role(session, code):
    return next(r for r in role_service.list_roles(session) if r.code == code)


def test_widening_a_role_scope_widens_what_its_users_reach(session, org):
    rep = role(session, "sales_rep")
    assert org.actor(session, "sales1").owner_ids("crm.customer.view") == {org.users["sales1"].id}
    role_service.update_role(
        session,
        actor=admin(session, org),
        role_id=rep.id,
        name=role_service.role_label(rep),
        data_scope="department",
        actions=role_service.granted_actions(rep),
    )
    session.commit()
    reach = load_actor(session, org.users["sales1"].id).owner_ids("crm.customer.view")
    sales_dep = {org.users[n].id for n in ("manager", "sales1", "sales2")}
    assert reach == sales_dep
    assert session.get(Role, rep.id).data_scope == DataScope.DEPARTMENT


def test_removing_an_action_takes_it_away_from_the_role_users(session, org):
    rep = role(session, "sales_rep")
    kept = [a for a in role_service.granted_actions(rep) if a != "bi.view"]
    role_service.update_role(
        session,
        actor=admin(session, org),
        role_id=rep.id,
        name="销售",
        data_scope="self",
        actions=kept,
    )
    session.commit()
    actor = load_actor(session, org.users["sales1"].id)
    assert not actor.can("bi.view") and actor.can("crm.customer.view")
    assert role_service.role_label(session.get(Role, rep.id)) == "销售"


def test_unknown_scope_or_action_is_refused_and_nothing_changes(session, org):
    rep = role(session, "sales_rep")
    for scope, actions in [("everyone", []), ("self", ["crm.customer.fly"])]:
        with pytest.raises(ValidationFailed):
            role_service.update_role(
                session,
                actor=admin(session, org),
                role_id=rep.id,
                name="x",
                data_scope=scope,
                actions=actions,
            )
    session.rollback()
    assert session.get(Role, rep.id).data_scope == DataScope.SELF


def test_super_admin_role_keeps_every_action(session, org):
    sa = role(session, "super_admin")
    with pytest.raises(NotAllowed):
        role_service.update_role(
            session,
            actor=admin(session, org),
            role_id=sa.id,
            name="管理员",
            data_scope="self",
            actions=[],
        )
    role_service.update_role(
        session,
        actor=admin(session, org),
        role_id=sa.id,
        name="总管理员",
        data_scope="all",
        actions=list(ACTIONS),
    )
    assert session.get(Role, sa.id).name == "总管理员"


def test_custom_role_is_created_assigned_and_only_deleted_when_unused(session, org):
    actor = admin(session, org)
    clerk = role_service.create_role(
        session,
        actor=actor,
        name="财务",
        data_scope="all",
        actions=["crm.receivable.view", "bi.view"],
    )
    accounts.update_user(session, actor=actor, user_id=org.users["office"].id, role_ids=[clerk.id])
    session.commit()
    assert load_actor(session, org.users["office"].id).owner_ids("crm.receivable.view") is None
    with pytest.raises(InvalidTransition):
        role_service.delete_role(session, actor=actor, role_id=clerk.id)
    accounts.update_user(session, actor=actor, user_id=org.users["office"].id, role_ids=[])
    role_service.delete_role(session, actor=actor, role_id=clerk.id)
    assert session.get(Role, clerk.id) is None


def test_system_roles_cannot_be_deleted(session, org):
    with pytest.raises(NotAllowed):
        role_service.delete_role(
            session, actor=admin(session, org), role_id=role(session, "office_staff").id
        )


def test_role_names_are_unique_as_shown(session, org):
    with pytest.raises(ValidationFailed):
        role_service.create_role(
            session, actor=admin(session, org), name="销售代表", data_scope="self", actions=[]
        )


def test_actions_are_grouped_by_module():
    groups = role_service.action_modules()
    assert list(groups)[:4] == ["crm", "office", "bi", "settings"]
    assert sum(len(v) for v in groups.values()) == len(ACTIONS)


def test_sales_manager_may_not_edit_roles(session, org):
    with pytest.raises(NotAllowed):
        role_service.create_role(
            session, actor=org.actor(session, "manager"), name="x", data_scope="self", actions=[]
        )
