"""Who a report covers: the viewer's data scope per record type (DESIGN.md §3), narrowed by the
employee/department filter — a filter never reaches anyone outside the scope.

Reports write `($<key>_all OR owner_id IN (SELECT unnest($<key>_owners)))` and get both
parameters from `scope_params`."""

from __future__ import annotations

from dataclasses import dataclass

from core.permissions import Actor

# Report scope key → the action whose data scope applies (a contract figure uses the contract
# view scope, a customer figure the customer one…).
ACTIONS: dict[str, str] = {
    "customer": "crm.customer.view",
    "contact": "crm.contact.view",
    "lead": "crm.lead.view",
    "opportunity": "crm.opportunity.view",
    "contract": "crm.contract.view",
    "receivable": "crm.receivable.view",
    "followup": "crm.followup.view",
    "pool": "crm.customer.view",
    "trip": "office.approval.view",
    "visit": "office.checkin.view",
    "target": "bi.view",
}

DEPARTMENT_USERS = """
WITH RECURSIVE tree(id) AS (
    SELECT CAST($department_id AS BIGINT)
    UNION
    SELECT d.id FROM departments d JOIN tree ON d.parent_id = tree.id
)
SELECT u.id FROM users u WHERE u.department_id IN (SELECT id FROM tree)"""


@dataclass(frozen=True)
class Who:
    """The employee/department filter of a report; empty = everyone in the viewer's scope."""

    department_id: int | None = None
    user_ids: tuple[int, ...] = ()


EVERYONE = Who()


def department_users(mirror, department_id: int) -> set[int]:
    """Users of the department and all its sub-departments."""
    frame = mirror.query(DEPARTMENT_USERS, department_id=department_id)
    return set(frame["id"].to_list())


def narrowed(mirror, who: Who) -> set[int] | None:
    """The users the filter names, None when it names nobody in particular."""
    chosen: set[int] | None = None
    if who.department_id is not None:
        chosen = department_users(mirror, who.department_id)
    if who.user_ids:
        named = set(who.user_ids)
        chosen = named if chosen is None else chosen & named
    return chosen


def owners(mirror, actor: Actor, key: str, who: Who = EVERYONE) -> list[int] | None:
    """Owner ids the figure may include; None = everyone (the viewer sees all, no filter)."""
    scope = actor.owner_ids(ACTIONS[key])
    chosen = narrowed(mirror, who)
    if chosen is None:
        return None if scope is None else sorted(scope)
    return sorted(chosen if scope is None else chosen & scope)


def scope_params(mirror, actor: Actor, who: Who, *keys: str) -> dict[str, object]:
    """`<key>_all` and `<key>_owners` for each scope key the report's SQL uses."""
    chosen = narrowed(mirror, who)
    params: dict[str, object] = {}
    for key in keys:
        scope = actor.owner_ids(ACTIONS[key])
        if chosen is not None:
            scope = frozenset(chosen) if scope is None else scope & chosen
        params[f"{key}_all"] = scope is None
        params[f"{key}_owners"] = sorted(scope or ())
    return params
