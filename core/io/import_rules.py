"""What import needs to know beyond the spec (CUS-11): which entities import, their natural keys
for duplicate handling, and how a cell's text becomes a field value — users by username or
name, referenced records by title within the importer's view scope, options by value or label,
dates in the usual Chinese spreadsheet formats."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.entities import EntitySpec, FieldSpec, Kind, choice_key, get_spec
from core.i18n import LOCALES, t, to_utc
from core.models import OptionItem, User
from core.permissions import Actor, scope_clause
from core.services.record_query import not_deleted
from core.validation import Invalid

CHUNK = 500  # values per IN (…) query


@dataclass(frozen=True)
class RowError:
    row: int  # the row number in the sheet (the header is row 1)
    reason: str
    cells: list


@dataclass(frozen=True)
class ImportRule:
    """`keys`: natural keys; a row matching an existing record on any one is a duplicate.
    `unique`: the store refuses a second record with the key (deleted ones included)."""

    entity: str
    module: str  # the service module that registers the entity's spec
    keys: tuple[tuple[str, ...], ...]
    unique: bool = False

    @property
    def spec(self) -> EntitySpec:
        importlib.import_module(self.module)
        return get_spec(self.entity)


RULES: dict[str, ImportRule] = {
    r.entity: r
    for r in (
        ImportRule("customer", "core.services.customers", (("name",), ("phone",))),
        ImportRule("contact", "core.services.contacts", (("name", "mobile", "customer_id"),)),
        ImportRule("lead", "core.services.leads", (("name", "mobile"),)),
        ImportRule("product", "core.services.products", (("code",),), unique=True),
    )
}


def available_rules(actor: Actor) -> list[ImportRule]:
    """Entities whose service exists and whose import action the actor holds."""
    found = []
    for rule in RULES.values():
        try:
            spec = rule.spec
        except (ModuleNotFoundError, KeyError):
            continue
        if actor.can(spec.action("import")):
            found.append(rule)
    return found


def chunked(values: Iterable, size: int = CHUNK):
    batch = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Resolver:
    """Text → value for one import: users, options, choices and references, loaded once."""

    def __init__(self, session: Session, actor: Actor, spec: EntitySpec, fields) -> None:
        self.session, self.actor, self.spec = session, actor, spec
        self.users: dict[str, list[int]] = {}
        for uid, username, name in session.execute(
            select(User.id, User.username, User.display_name).where(User.is_active.is_(True))
        ):
            for text in {username.lower(), name}:
                self.users.setdefault(text, []).append(uid)
        self.options: dict[str, dict[str, str]] = {}
        self.refs: dict[str, dict[str, list[int]]] = {}
        for f in fields:
            if f.kind == Kind.OPTION and f.options not in self.options:
                self.options[f.options] = self._option_index(f.options)

    def _option_index(self, list_name: str) -> dict[str, str]:
        rows = self.session.execute(
            select(OptionItem.value, OptionItem.label).where(
                OptionItem.list_name == list_name, OptionItem.is_active.is_(True)
            )
        )
        index: dict[str, str] = {}
        for value, label in rows:
            index.setdefault(label, value)
            index[value] = value
        return index

    def option_values(self) -> dict[str, set[str]]:
        return {name: set(index.values()) for name, index in self.options.items()}

    def load_refs(self, f: FieldSpec, titles: set[str]) -> None:
        """Index the referenced records named in the file (visible to the importer)."""
        spec = get_spec(f.ref)
        index: dict[str, list[int]] = self.refs.setdefault(f.ref, {})
        if spec.ref_choices is not None:
            for rid, label in spec.ref_choices(self.session, self.actor):
                for text in {label, label.rsplit(" / ", 1)[-1]}:
                    index.setdefault(text, []).append(rid)
            return
        model = spec.model
        title = getattr(model, spec.title_field)
        for batch in chunked(sorted(titles)):
            rows = self.session.execute(
                select(model.id, title).where(
                    scope_clause(self.actor, model, spec.view_action),
                    not_deleted(model),
                    title.in_(batch),
                )
            )
            for rid, text in rows:
                index.setdefault(str(text), []).append(rid)

    def _one(self, found: list[int] | None, missing: str) -> int:
        if not found:
            raise Invalid(missing)
        if len(set(found)) > 1:
            raise Invalid("import.error.ambiguous")
        return found[0]

    def user(self, text: str) -> int:
        return self._one(self.users.get(text.lower()) or self.users.get(text), "import.error.user")

    def convert(self, f: FieldSpec, cell: Any) -> Any:
        """A cell → the raw value validation expects; Invalid when a name matches nothing."""
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return None
        if isinstance(cell, dt.date) and f.kind in (Kind.DATE, Kind.DATETIME):
            return _when(f, cell)
        text = str(cell).strip()
        match f.kind:
            case Kind.USER:
                return self.user(text)
            case Kind.REF:
                return self._one(self.refs.get(f.ref, {}).get(text), "import.error.ref")
            case Kind.OPTION:
                return self.options.get(f.options, {}).get(text, text)
            case Kind.CHOICE:
                return _choice(f, text)
            case Kind.DATE | Kind.DATETIME:
                return _when(f, parse_when(text))
        return cell if isinstance(cell, str) else text


def _choice(f: FieldSpec, text: str) -> str:
    for value in f.choices:
        if text == value or text in {t(choice_key(f, value), locale=loc) for loc in LOCALES}:
            return value
    return text


_DATE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def _when(f: FieldSpec, value: Any) -> Any:
    """Times in a file are business-local, as users type them; stored as UTC."""
    if f.kind != Kind.DATETIME or not isinstance(value, dt.date):
        return value
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return to_utc(value)


def parse_when(text: str) -> Any:
    """ "2026-1-5", "2026/01/05", "2026年1月5日", with an optional "10:30[:00]" → date/datetime;
    anything else is returned for validation to refuse."""
    m = _DATE.match(text.strip())
    if not m:
        return text
    year, month, day, hour, minute, second = m.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day))
        return dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
        )
    except ValueError:
        return text
