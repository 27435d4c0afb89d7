"""Names behind ids and codes (users, referenced records, option labels, choices) and the text of
a field value for the screen (locale formatted) or for a CSV cell (spreadsheet friendly)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.entities import EntitySpec, FieldSpec, Kind, choice_key, get_spec
from core.i18n import format_date, format_datetime, format_money, format_number, t
from core.models import OptionItem, User
from core.permissions import Actor, scope_clause
from core.services.record_query import not_deleted


def option_choices(session: Session, list_name: str) -> list[tuple[str, str]]:
    """Active (value, label) pairs of an option list, in the admin's order."""
    rows = session.execute(
        select(OptionItem.value, OptionItem.label)
        .where(OptionItem.list_name == list_name, OptionItem.is_active.is_(True))
        .order_by(OptionItem.sort_order, OptionItem.id)
    ).all()
    return [(v, label) for v, label in rows]


def user_choices(session: Session) -> list[tuple[int, str]]:
    """Active users as (id, display name), by name."""
    rows = session.execute(
        select(User.id, User.display_name)
        .where(User.is_active.is_(True))
        .order_by(User.display_name, User.id)
    ).all()
    return [(i, n) for i, n in rows]


def ref_choices(session: Session, actor: Actor, ref: str, limit: int = 1000):
    """Records of entity `ref` the actor may see, as (id, title), for a select box."""
    spec = get_spec(ref)
    if spec.ref_choices is not None:
        return spec.ref_choices(session, actor)
    model = spec.model
    title = getattr(model, spec.title_field)
    rows = session.execute(
        select(model.id, title)
        .where(scope_clause(actor, model, spec.view_action), not_deleted(model))
        .order_by(title, model.id)
        .limit(limit)
    ).all()
    return [(i, str(n)) for i, n in rows]


def _titles(session: Session, ref: str, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    spec = get_spec(ref)
    title = getattr(spec.model, spec.title_field)
    rows = session.execute(select(spec.model.id, title).where(spec.model.id.in_(sorted(ids))))
    return {i: str(n) for i, n in rows}


def parse_logged(f: FieldSpec, text: str | None) -> Any:
    """A change-log text back to the field's value type (see changelog.as_text)."""
    if text is None:
        return None
    match f.kind:
        case Kind.MONEY | Kind.DECIMAL:
            return Decimal(text)
        case Kind.INT | Kind.USER | Kind.REF | Kind.IMAGE:
            return int(text) if text.lstrip("-").isdigit() else text
        case Kind.BOOL:
            return text == "true"
        case Kind.DATE:
            return dt.date.fromisoformat(text)
        case Kind.DATETIME:
            return dt.datetime.fromisoformat(text)
    return text


@dataclass
class Lookups:
    users: dict[int, str] = field(default_factory=dict)
    refs: dict[str, dict[int, str]] = field(default_factory=dict)  # by ref entity name
    options: dict[str, dict[str, str]] = field(default_factory=dict)  # by list name

    @classmethod
    def load(cls, session: Session, fields: Iterable[FieldSpec], values: dict[str, set]):
        """Names for the given raw values of each field ({field name: values})."""
        found = cls()
        user_ids: set[int] = set()
        ref_ids: dict[str, set[int]] = {}
        for f in fields:
            ids = {v for v in values.get(f.name, ()) if isinstance(v, int)}
            if f.kind == Kind.USER:
                user_ids |= ids
            elif f.kind == Kind.REF:
                ref_ids.setdefault(f.ref, set()).update(ids)
            elif f.kind == Kind.OPTION and f.options not in found.options:
                items = session.execute(
                    select(OptionItem.value, OptionItem.label).where(
                        OptionItem.list_name == f.options
                    )
                )
                found.options[f.options] = {v: label for v, label in items}
        if user_ids:
            rows = session.execute(
                select(User.id, User.display_name).where(User.id.in_(sorted(user_ids)))
            )
            found.users = {i: n for i, n in rows}
        found.refs = {ref: _titles(session, ref, ids) for ref, ids in ref_ids.items()}
        return found

    @classmethod
    def for_rows(cls, session: Session, spec: EntitySpec, rows, fields=None) -> Lookups:
        fields = list(fields or spec.fields)
        values = {f.name: {getattr(r, f.name) for r in rows} for f in fields}
        return cls.load(session, fields, values)

    def _name(self, f: FieldSpec, value: Any) -> str:
        if f.kind == Kind.USER:
            return self.users.get(value, f"#{value}")
        if f.kind == Kind.REF:
            return self.refs.get(f.ref, {}).get(value, f"#{value}")
        if f.kind == Kind.OPTION:
            return self.options.get(f.options, {}).get(value, str(value))
        if f.kind == Kind.CHOICE:
            return t(choice_key(f, str(value)))
        return t("records.image_attached")

    def display(self, f: FieldSpec, value: Any) -> str:
        """The value as the screen shows it, formatted for the current locale."""
        if value is None or value == "":
            return ""
        match f.kind:
            case Kind.MONEY:
                return format_money(value)
            case Kind.DECIMAL:
                return format_number(value, digits=2)
            case Kind.INT:
                return format_number(value)
            case Kind.DATE:
                return format_date(value)
            case Kind.DATETIME:
                return format_datetime(value)
            case Kind.BOOL:
                return t("records.yes") if value else t("records.no")
            case Kind.USER | Kind.REF | Kind.OPTION | Kind.CHOICE | Kind.IMAGE:
                return self._name(f, value)
        return str(value)

    def cell(self, f: FieldSpec, value: Any) -> str:
        """The value as a CSV cell: plain numbers and ISO dates a spreadsheet can compute with."""
        if value is None:
            return ""
        match f.kind:
            case Kind.MONEY | Kind.DECIMAL:
                return format(value, "f")
            case Kind.INT:
                return str(value)
            case Kind.DATE:
                return value.isoformat()
            case Kind.DATETIME:
                return value.strftime("%Y-%m-%d %H:%M:%S")
        return self.display(f, value)
