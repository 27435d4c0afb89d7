"""Import of leads, customers, contacts and products from CSV/Excel (CUS-11).

`prepare` reads every row into clean values (the same validation as the form), resolves names
to ids, finds duplicates by the entity's natural key (chunked IN queries, never one per row) and
lists each bad row with its reason; `commit` writes everything in the caller's transaction with
bulk inserts — or nothing at all when any row is bad (all or nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from core.entities import EntitySpec
from core.errors import DomainError, ValidationFailed
from core.i18n import t
from core.io import import_write
from core.io.export import BOM, csv_line, neutralise
from core.io.import_rules import RULES, ImportRule, Resolver, RowError
from core.io.reader import Table
from core.io.templates import importable_fields
from core.models import Customer
from core.permissions import Actor, require
from core.services import pool_limits
from core.validation import Invalid, is_empty, validate

Progress = Callable[[float, str], None]


class DuplicateMode(StrEnum):
    SKIP = "skip"  # keep the existing record, ignore the row
    UPDATE = "update"  # fill the existing record with the row's non-empty cells
    CREATE = "create"  # create a new record anyway


class ImportRejected(DomainError):
    """Some rows are bad: nothing was written."""

    key = "import.error.rejected"


class NothingMapped(DomainError):
    key = "import.error.nothing_mapped"


class MissingColumns(DomainError):
    """Required fields no column is mapped to: every row would fail on them."""

    key = "import.error.missing_columns"


@dataclass
class ImportPlan:
    entity: str
    headers: list[str]
    total: int = 0
    inserts: list[tuple[int, dict]] = field(default_factory=list)  # (row, values)
    updates: list[tuple[int, int, dict]] = field(default_factory=list)  # (row, id, values)
    skipped: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    skipped: int


def _reason(spec: EntitySpec, errors: dict[str, tuple[str, dict]]) -> str:
    parts = []
    for name, (key, params) in errors.items():
        label = t(spec.field(name).label) if spec.has_field(name) else name
        parts.append(f"{label}：{t(key, **params)}")
    return "；".join(parts)


class _Rows:
    """Turns sheet rows into clean values, or errors, for one import."""

    def __init__(self, session, actor, spec, table: Table, mapping, default_owner) -> None:
        self.spec, self.actor, self.table = spec, actor, table
        self.mapping = {i: n for i, n in mapping.items() if n and i < len(table.headers)}
        if not self.mapping:
            raise NothingMapped()
        self.fields = [spec.field(n) for n in self.mapping.values()]
        self.resolver = Resolver(session, actor, spec, importable_fields(spec))
        for f in self.fields:
            if f.ref:
                column = next(i for i, n in self.mapping.items() if n == f.name)
                titles = {str(r[column]).strip() for r in table.rows if not is_empty(r[column])}
                self.resolver.load_refs(f, titles)
        self.options = self.resolver.option_values()
        self.defaults = self._defaults()
        self.columns = [(i, spec.field(n)) for i, n in self.mapping.items()]
        self.default_owner = default_owner
        self.owners = actor.owner_ids(spec.action("import")) if spec.owned else None

    def _defaults(self) -> dict[str, Any]:
        """The values of the editable fields no column fills, worked out once per file; a
        required one is a problem of the mapping, not of each row."""
        mapped = set(self.mapping.values())
        unmapped = [f for f in self.spec.fields if f.editable and f.name not in mapped]
        missing = [f for f in unmapped if f.required]
        if missing:
            raise MissingColumns(fields="、".join(t(f.label) for f in missing))
        return validate(self.spec, {f.name: None for f in unmapped}, creating=False)

    def clean(self, cells: list) -> tuple[dict[str, Any], set[str]] | dict[str, tuple]:
        """(values, names of the non-empty mapped fields), or {field: (key, params)} errors."""
        raw: dict[str, Any] = {}
        errors: dict[str, tuple[str, dict]] = {}
        for index, f in self.columns:
            try:
                raw[f.name] = self.resolver.convert(f, cells[index])
            except Invalid as problem:
                errors[f.name] = (problem.key, problem.params)
        owner = raw.pop("owner_id", None) if self.spec.owned else None
        try:
            # Only the mapped fields are checked per row (the same rules as the form).
            values = self.defaults | validate(self.spec, raw, creating=False, options=self.options)
        except ValidationFailed as exc:
            errors = exc.errors | errors
            values = {}
        if self.spec.owned:
            owner = owner or self.default_owner
            if self.owners is not None and owner not in self.owners and "owner_id" not in errors:
                errors["owner_id"] = ("import.error.owner_scope", {})
            values["owner_id"] = owner
        if errors:
            return errors
        return values, {n for n, v in raw.items() if v is not None}


def _owned_caps(session: Session, spec: EntitySpec, plan: ImportPlan, table: Table) -> None:
    """New customers that would take their owner past the cap on customers owned (CUS-5) are
    row errors: the first rows fill what room the owner has, the rest are refused."""
    if spec.model is not Customer:
        return
    owners = sorted({values["owner_id"] for _, values in plan.inserts})
    limits = pool_limits.owned_limits(session, owners)
    owned = pool_limits.owned_counts(session, [o for o in owners if limits[o]])
    # owner → (limit, customers still allowed)
    room = {o: (limits[o], limits[o] - owned.get(o, 0) if limits[o] else -1) for o in owners}
    fitting = []
    for number, values in plan.inserts:
        limit, left = room[values["owner_id"]]
        owner = values["owner_id"]
        if not limit:
            fitting.append((number, values))
        elif left > 0:
            room[owner] = (limit, left - 1)
            fitting.append((number, values))
        else:
            reason = t("pool.error.owned_limit", limit=limit)
            plan.errors.append(RowError(number, reason, list(table.rows[number - table.first_row])))
    plan.inserts = fitting
    plan.errors.sort(key=lambda e: e.row)


def prepare(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    table: Table,
    mapping: dict[int, str],
    mode: DuplicateMode = DuplicateMode.SKIP,
    default_owner: int | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Check every row of `table` (mapping: column index → field name) and plan the import.
    Needs `<entity>.import`. Rows: blank ones are ignored; a bad value, an unknown user or
    referenced record (by name, within the importer's view scope), an owner outside the
    importer's import scope, a duplicate within the file, a duplicate that cannot be updated
    (out of edit scope, or several matches), or a new customer past its owner's cap on
    customers owned is an error with its reason."""
    rule: ImportRule = RULES[entity]
    spec = rule.spec
    require(actor, spec.action("import"))
    report = progress or (lambda fraction, message: None)
    rows = _Rows(session, actor, spec, table, mapping, default_owner or actor.user_id)
    plan = ImportPlan(entity=entity, headers=list(table.headers))
    cleaned: list[tuple[int, dict, set[str]]] = []
    for index, cells in enumerate(table.rows):
        if index % 2000 == 0:
            report(0.6 * index / max(1, len(table.rows)), t("import.progress.checking"))
        if all(is_empty(c) for c in cells):
            continue
        plan.total += 1
        result = rows.clean(cells)
        number = table.row_number(index)
        if isinstance(result, dict):
            plan.errors.append(RowError(number, _reason(spec, result), list(cells)))
        else:
            cleaned.append((number, *result))
    report(0.6, t("import.progress.duplicates"))
    import_write.plan_duplicates(session, actor, rule, spec, cleaned, mode, plan, table)
    _owned_caps(session, spec, plan, table)
    report(1.0, t("import.progress.checked"))
    return plan


def errors_csv(plan: ImportPlan) -> bytes:
    """The bad rows as a CSV (UTF-8 with BOM): row number, the row's cells, and the reason."""
    header = [t("import.errors.row"), *plan.headers, t("import.errors.reason")]
    lines = [BOM + csv_line(header)]
    for e in plan.errors:
        cells = ["" if c is None else neutralise(str(c)) for c in e.cells]
        lines.append(csv_line([str(e.row), *cells, neutralise(e.reason)]))
    return "".join(lines).encode("utf-8")


def commit(
    session: Session, *, actor: Actor, plan: ImportPlan, progress: Progress | None = None
) -> ImportResult:
    """Write the plan in the caller's transaction: refused (ImportRejected, nothing written)
    when any row is bad, or with PoolLimitReached when an owner's cap on customers owned was
    reached since `prepare`. Inserts and updates are bulk statements; every record gets an
    "import" change-log row (updates one per changed field); owner defaults to the importer,
    created_by is the importer."""
    spec = RULES[plan.entity].spec
    require(actor, spec.action("import"))
    if plan.errors:
        raise ImportRejected(count=len(plan.errors))
    report = progress or (lambda fraction, message: None)
    created = import_write.insert_rows(session, actor, spec, plan.inserts, report)
    if spec.model is Customer:  # someone may have gained customers since the check
        owners = {values["owner_id"] for _, values in plan.inserts}
        pool_limits.check_owned_after_gains(session, user_ids=owners)
    updated = import_write.update_rows(session, actor, spec, plan.updates, report)
    report(1.0, t("import.progress.done"))
    return ImportResult(created=created, updated=updated, skipped=len(plan.skipped))
