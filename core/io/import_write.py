"""The set-based half of import (CUS-11): duplicates by natural key through chunked IN queries,
and bulk INSERT … RETURNING / executemany UPDATE with their change-log rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from core import match_keys
from core.entities import EntitySpec
from core.i18n import t
from core.io.import_rules import ImportRule, RowError, chunked
from core.models import ChangeLog
from core.permissions import Actor
from core.services.changelog import as_text
from core.services.record_query import not_deleted, visible_select

if TYPE_CHECKING:
    from core.io.importer import DuplicateMode, ImportPlan
    from core.io.reader import Table

BATCH = 1000
Key = tuple[int, tuple]  # (index of the key in rule.keys, the key's values)


def _keys(rule: ImportRule, values: dict) -> list[Key]:
    found = []
    for index, names in enumerate(rule.keys):
        parts = tuple(values.get(n) for n in names)
        if parts[0] not in (None, ""):
            found.append((index, tuple("" if p is None else p for p in parts)))
    return found


def _existing(session: Session, rule: ImportRule, spec: EntitySpec, cleaned) -> dict:
    """{key: [(id, deleted)]} of stored records sharing a natural key with a row of the file."""
    model = spec.model
    found: dict[Key, list[tuple[int, bool]]] = {}
    for index, names in enumerate(rule.keys):
        firsts = {values[names[0]] for _, values, _ in cleaned if values.get(names[0])}
        columns = [getattr(model, n) for n in names]
        for batch in chunked(sorted(firsts, key=str)):
            query = select(model.id, model.deleted_at, *columns).where(columns[0].in_(batch))
            if not rule.unique:
                query = query.where(not_deleted(model))
            for rid, deleted_at, *parts in session.execute(query):
                key = (index, tuple("" if p is None else p for p in parts))
                found.setdefault(key, []).append((rid, deleted_at is not None))
    return found


def _editable(session: Session, actor: Actor, spec: EntitySpec, ids: set[int]) -> set[int]:
    editable: set[int] = set()
    query = visible_select(actor, spec, actions=(spec.action("edit"),))
    for batch in chunked(sorted(ids)):
        rows = session.scalars(
            query.where(spec.model.id.in_(batch)).with_only_columns(spec.model.id)
        )
        editable.update(rows)
    return editable


def plan_duplicates(
    session: Session,
    actor: Actor,
    rule: ImportRule,
    spec: EntitySpec,
    cleaned: list[tuple[int, dict, set]],
    mode: DuplicateMode,
    plan: ImportPlan,
    table: Table,
) -> None:
    """Sort clean rows into inserts, updates, skips and errors by their duplicates."""
    allow_repeats = mode == "create" and not rule.unique
    existing = _existing(session, rule, spec, cleaned)
    seen: dict[Key, int] = {}
    pending: list[tuple[int, int, dict]] = []

    def fail(number: int, key: str, **params) -> None:
        cells = table.rows[number - table.first_row]
        plan.errors.append(RowError(number, t(key, **params), list(cells)))

    for number, values, present in cleaned:
        keys = _keys(rule, values)
        earlier = next((seen[k] for k in keys if k in seen), None)
        if earlier is not None and not allow_repeats:
            fail(number, "import.error.repeated", row=earlier)
            continue
        for k in keys:
            seen.setdefault(k, number)
        matches = sorted({m for k in keys for m in existing.get(k, [])})
        if not matches:
            plan.inserts.append((number, values))
        elif mode == "skip":
            plan.skipped.append(number)
        elif mode == "create":
            if rule.unique:
                fail(number, "import.error.exists_unique")
            else:
                plan.inserts.append((number, values))
        elif len({rid for rid, _ in matches}) > 1:
            fail(number, "import.error.several_matches")
        elif matches[0][1]:
            fail(number, "import.error.exists_deleted")
        else:
            changes = {n: values[n] for n in present if n in values and n != "owner_id"}
            pending.append((number, matches[0][0], changes))
    editable = _editable(session, actor, spec, {rid for _, rid, _ in pending})
    for number, rid, changes in pending:
        if rid in editable:
            plan.updates.append((number, rid, changes))
        else:
            fail(number, "import.error.not_editable")
    plan.errors.sort(key=lambda e: e.row)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def insert_rows(
    session: Session,
    actor: Actor,
    spec: EntitySpec,
    inserts: list[tuple[int, dict]],
    report: Callable[[float, str], None],
) -> int:
    """INSERT … RETURNING id per batch, then one "import" change-log row per record."""
    model, table = spec.model, spec.model.__tablename__
    base: dict = {"created_by_id": actor.user_id, "version": 1}
    if hasattr(model, "owned_since"):
        base["owned_since"] = _now()  # customers: the owner holds them from now (pool rules)
    done = 0
    for batch in chunked(inserts, BATCH):
        params = [values | base | match_keys.keys_for(table, values) for _, values in batch]
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)
        ids = session.scalars(statement, params).all()
        logs = [
            {"entity": spec.name, "record_id": i, "action": "import", "actor_id": actor.user_id}
            for i in ids
        ]
        session.execute(insert(ChangeLog), logs)
        done += len(ids)
        report(done / max(1, len(inserts)) * 0.9, t("import.progress.writing", done=done))
    return done


def update_rows(
    session: Session,
    actor: Actor,
    spec: EntitySpec,
    updates: list[tuple[int, int, dict]],
    report: Callable[[float, str], None],
) -> int:
    """Executemany UPDATEs grouped by the set of changed fields (version bumped), and an
    "import" change-log row per changed field with old and new value."""
    table = spec.model.__table__
    for batch in chunked(updates, BATCH):
        ids = [rid for _, rid, _ in batch]
        current = {r.id: r for r in session.execute(select(table).where(table.c.id.in_(ids)))}
        groups: dict[tuple[str, ...], list[dict]] = {}
        logs = []
        for _, rid, values in batch:
            old = current[rid]
            changes = {k: v for k, v in values.items() if getattr(old, k) != v}
            if not changes:
                continue
            keyed = changes | match_keys.keys_for(table.name, changes)  # 查重 keys, not logged
            groups.setdefault(tuple(sorted(keyed)), []).append(
                {"b_id": rid, **{f"b_{k}": v for k, v in keyed.items()}}
            )
            logs += [
                {
                    "entity": spec.name,
                    "record_id": rid,
                    "action": "import",
                    "field": k,
                    "old_value": as_text(getattr(old, k)),
                    "new_value": as_text(v),
                    "actor_id": actor.user_id,
                }
                for k, v in changes.items()
            ]
        for names, params in groups.items():
            statement = (
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values({n: bindparam(f"b_{n}") for n in names} | {"version": table.c.version + 1})
            )
            session.execute(statement, params)
        if logs:
            session.execute(insert(ChangeLog), logs)
    report(0.95, t("import.progress.writing", done=len(updates)))
    return len(updates)
