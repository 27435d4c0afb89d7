"""Who a viewer may pick in report filters (CUS-1, BI-*): the departments and active employees
inside the viewer's scope for the report's record types — never anyone outside it.

API — `keys` are core/bi/scope.ACTIONS keys (the record types the page reports on):
- employees(mirror, *, actor, keys, department_id=None) -> id, name, department_id
- departments(mirror, *, actor, keys) -> id, name, depth   (tree order; depth counts only
  listed ancestors, so no department outside the scope is named)"""

from __future__ import annotations

import polars as pl

from core.bi.scope import ACTIONS, department_users
from core.permissions import Actor

EMPLOYEES_SQL = """
SELECT u.id, u.display_name AS name, u.department_id
FROM users u
WHERE u.is_active AND ($all OR u.id IN (SELECT unnest($owners)))
ORDER BY u.display_name, u.id"""

DEPARTMENTS_SQL = """
SELECT d.id, d.name, d.parent_id, d.sort_order
FROM departments d
WHERE $all OR d.id IN (
    SELECT u.department_id FROM users u WHERE u.is_active AND u.id IN (SELECT unnest($owners)))
ORDER BY d.sort_order, d.id"""


def reach(actor: Actor, keys: tuple[str, ...] | list[str]) -> frozenset[int] | None:
    """The users any of the record types reaches; None = everyone."""
    found: set[int] = set()
    for key in keys:
        owners = actor.owner_ids(ACTIONS[key])
        if owners is None:
            return None
        found |= owners
    return frozenset(found)


def _params(actor: Actor, keys) -> dict[str, object]:
    users = reach(actor, keys)
    return {"all": users is None, "owners": sorted(users or ())}


def employees(mirror, *, actor: Actor, keys, department_id: int | None = None) -> pl.DataFrame:
    frame = mirror.query(EMPLOYEES_SQL, **_params(actor, keys))
    if department_id is not None:
        inside = department_users(mirror, department_id)
        frame = frame.filter(pl.col("id").is_in(sorted(inside)))
    return frame


def _tree_order(rows: list[dict]) -> list[tuple[int, str, int]]:
    """Depth-first over the listed departments; a department whose parent is not listed is a
    root here."""
    listed = {r["id"] for r in rows}
    children: dict[int | None, list[dict]] = {}
    for r in rows:
        parent = r["parent_id"] if r["parent_id"] in listed else None
        children.setdefault(parent, []).append(r)
    out: list[tuple[int, str, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for r in children.get(parent, []):
            out.append((r["id"], r["name"], depth))
            walk(r["id"], depth + 1)

    walk(None, 0)
    return out


def departments(mirror, *, actor: Actor, keys) -> pl.DataFrame:
    frame = mirror.query(DEPARTMENTS_SQL, **_params(actor, keys))
    rows = _tree_order(frame.to_dicts())
    schema = {"id": pl.Int64, "name": pl.String, "depth": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")
