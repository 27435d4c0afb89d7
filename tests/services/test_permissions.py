"""Data scope resolution (PLT-2, PLT-3) on the miniature demo organisation."""

from core.models import DataScope
from core.permissions import load_actor


def names(org, ids):
    by_id = {u.id: n for n, u in org.users.items()}
    return {by_id[i] for i in ids}


def test_sales_rep_reaches_only_own_records(session, org):
    actor = org.actor(session, "sales1")
    assert names(org, actor.owner_ids("crm.customer.view")) == {"sales1"}


def test_manager_reaches_department_tree_and_reports(session, org):
    actor = org.actor(session, "manager")
    assert names(org, actor.owner_ids("crm.customer.view")) == {
        "manager",
        "sales1",
        "sales2",
        "sales3",
    }


def test_admin_reaches_everyone(session, org):
    assert org.actor(session, "admin").owner_ids("crm.customer.view") is None


def test_office_staff_has_no_crm_customer_access(session, org):
    actor = org.actor(session, "office")
    assert not actor.can("crm.customer.view")
    assert actor.owner_ids("crm.customer.view") == frozenset()


def test_widest_scope_of_several_roles_wins(session, org):
    from core.seed import seed_roles

    roles = seed_roles(session)
    user = org.users["sales1"]
    user.roles = [roles["sales_rep"], roles["sales_manager"]]
    session.commit()
    actor = load_actor(session, user.id)
    assert actor.grants["crm.customer.view"] == DataScope.DEPARTMENT_TREE
