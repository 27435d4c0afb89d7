"""Entity metadata (DESIGN.md §6): `EntitySpec` / `FieldSpec` drive the generic list, form, detail,
validation and export. Each business service module registers the spec of its noun."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String, Text, inspect
from sqlalchemy.orm import Session


class Kind(StrEnum):
    """What a field holds; decides its widget, its validation and how it is shown."""

    TEXT = "text"
    TEXTAREA = "textarea"
    EMAIL = "email"
    MOBILE = "mobile"  # Chinese mobile number, 11 digits
    PHONE = "phone"  # landline or any phone number
    URL = "url"
    INT = "int"
    MONEY = "money"  # Decimal yuan, 2 places
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    OPTION = "option"  # a value of an admin-edited OptionItem list (FieldSpec.options)
    CHOICE = "choice"  # a fixed enum (FieldSpec.choices), labels from i18n
    USER = "user"  # a users.id
    REF = "ref"  # the id of a record of another registered entity (FieldSpec.ref)
    IMAGE = "image"  # an attachments.id holding a png/jpg/webp image


TEXT_KINDS = frozenset({Kind.TEXT, Kind.TEXTAREA, Kind.EMAIL, Kind.MOBILE, Kind.PHONE, Kind.URL})
NUMBER_KINDS = frozenset({Kind.INT, Kind.MONEY, Kind.DECIMAL})
TIME_KINDS = frozenset({Kind.DATE, Kind.DATETIME})
ID_KINDS = frozenset({Kind.USER, Kind.REF, Kind.IMAGE})
RANGE_KINDS = NUMBER_KINDS | TIME_KINDS
SET_KINDS = frozenset({Kind.OPTION, Kind.CHOICE, Kind.USER, Kind.REF})


@dataclass(frozen=True)
class FieldSpec:
    """One column of an entity as the UI sees it. Unset values are derived from the model."""

    name: str
    kind: Kind | None = None  # None: derived from the column type
    label: str = ""  # i18n key; default "<entity i18n prefix>.<name>"
    required: bool = False
    max_length: int | None = None  # default: the String column's length
    min_value: Any = None
    max_value: Any = None
    options: str = ""  # OptionItem.list_name for Kind.OPTION
    choices: tuple[str, ...] = ()  # values for Kind.CHOICE; label key "<label>.<value>"
    ref: str = ""  # registered entity name for Kind.REF
    unique: bool = False  # refused with a per-field error when another row has the value
    in_list: bool = True  # shown as a column by default (the column chooser offers all)
    in_form: bool = True
    filterable: bool = False
    sortable: bool = True
    readonly: bool = False  # shown, never written from input
    default: Any = None  # initial form value / value for an empty optional field
    nullable: bool = True  # derived from the column
    help: str = ""  # i18n key of a help text under the widget

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def editable(self) -> bool:
        return self.in_form and not self.readonly


@dataclass(frozen=True)
class ViewSpec:
    """A built-in view of a list (saved views): whose records, starred only, and column values.

    `owner`: "" (anyone in scope), "me", or "subordinates" (the actor's subordinates);
    `equals`: (model column, value) pairs every row of the view matches, e.g. converted leads."""

    name: str
    label: str = ""  # i18n key; default "views.builtin.<name>"
    owner: str = ""
    starred: bool = False
    equals: tuple[tuple[str, Any], ...] = ()

    @property
    def label_key(self) -> str:
        return self.label or f"views.builtin.{self.name}"


ALL_VIEW = ViewSpec("all")
MINE_VIEW = ViewSpec("mine", owner="me")
SUBORDINATES_VIEW = ViewSpec("subordinates", owner="subordinates")
STARRED_VIEW = ViewSpec("starred", starred=True)


def standard_views(*, owned: bool) -> tuple[ViewSpec, ...]:
    """all / mine / my subordinates' / starred for owned records; all / starred otherwise."""
    if owned:
        return (ALL_VIEW, MINE_VIEW, SUBORDINATES_VIEW, STARRED_VIEW)
    return (ALL_VIEW, STARRED_VIEW)


@dataclass(frozen=True)
class EntitySpec:
    """An entity for the generic components. Build it with `define(...)` so fields are resolved."""

    name: str  # "product": widget keys, change log entity, registry name
    model: type
    i18n: str  # i18n prefix: "<i18n>.title" names the entity, "<i18n>.<field>" its fields
    fields: tuple[FieldSpec, ...]
    actions: str  # action prefix: "crm.product" → crm.product.view / create / edit / delete
    default_sort: str = "-updated_at"  # "field" ascending, "-field" descending
    search_fields: tuple[str, ...] = ()
    search_hint: str = "records.search_hint"  # i18n key of the search box placeholder
    owned: bool = False  # rows have an owner (负责人) that the data scope filters on
    title_field: str = "name"  # how a record is named in references, history and headings
    restore_action: str = "crm.recycle.restore"
    # Choices for Kind.REF fields pointing at this entity, e.g. an indented category tree.
    ref_choices: Callable[[Session, Any], list[tuple[int, str]]] | None = None
    # Built-in list views; empty: standard_views(owned=...). Add e.g. converted leads here.
    views: tuple[ViewSpec, ...] = ()

    def action(self, verb: str) -> str:
        return f"{self.actions}.{verb}"

    @property
    def builtin_views(self) -> tuple[ViewSpec, ...]:
        return self.views or standard_views(owned=self.owned)

    @property
    def view_action(self) -> str:
        return self.action("view")

    @property
    def title_key(self) -> str:
        return f"{self.i18n}.title"

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name}")

    def has_field(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)

    def list_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.in_list]

    def form_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.in_form]

    def filter_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.filterable]

    def column_choices(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.kind not in (Kind.IMAGE, Kind.TEXTAREA)]


def choice_key(f: FieldSpec, value: str) -> str:
    """The i18n key of a Kind.CHOICE value: "<field label>_choices.<value>"."""
    return f"{f.label}_choices.{value}"


def audit_fields(*, owner: bool = False) -> tuple[FieldSpec, ...]:
    """Read-only bookkeeping columns every business table has, with shared labels."""
    common = (
        FieldSpec(
            "created_by_id",
            Kind.USER,
            label="records.field.created_by_id",
            readonly=True,
            in_list=False,
            in_form=False,
        ),
        FieldSpec(
            "created_at",
            Kind.DATETIME,
            label="records.field.created_at",
            readonly=True,
            in_list=False,
            in_form=False,
        ),
        FieldSpec(
            "updated_at",
            Kind.DATETIME,
            label="records.field.updated_at",
            readonly=True,
            in_form=False,
        ),
    )
    if owner:
        owner_field = FieldSpec(
            "owner_id", Kind.USER, label="records.field.owner_id", filterable=True, readonly=True
        )
        return (owner_field, *common)
    return common


_KIND_BY_TYPE: list[tuple[type, Kind]] = [
    (Boolean, Kind.BOOL),
    (DateTime, Kind.DATETIME),
    (Date, Kind.DATE),
    (Numeric, Kind.DECIMAL),
    (Integer, Kind.INT),
    (Text, Kind.TEXTAREA),
    (String, Kind.TEXT),
]


def _column_kind(column) -> Kind:
    for sql_type, kind in _KIND_BY_TYPE:
        if isinstance(column.type, sql_type):
            return kind
    return Kind.TEXT


def _scalar_default(column) -> Any:
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return default.arg
    return None


def _resolve(model: type, i18n: str, spec_field: FieldSpec) -> FieldSpec:
    """Fill kind, label, max_length, nullable and default from the model's column."""
    columns = inspect(model).columns
    column = columns.get(spec_field.name)
    changes: dict[str, Any] = {}
    if not spec_field.label:
        changes["label"] = f"{i18n}.{spec_field.name}"
    if column is not None:
        if spec_field.kind is None:
            changes["kind"] = _column_kind(column)
        length = getattr(column.type, "length", None)
        if spec_field.max_length is None and isinstance(column.type, String) and length:
            changes["max_length"] = length
        changes["nullable"] = bool(column.nullable)
        if spec_field.default is None:
            changes["default"] = _scalar_default(column)
    elif spec_field.kind is None:
        changes["kind"] = Kind.TEXT
    return dataclasses.replace(spec_field, **changes)


def define(name: str, model: type, *, i18n: str | None = None, fields, **options) -> EntitySpec:
    """Build an EntitySpec with every field resolved against `model`, and register it."""
    prefix = i18n or name
    resolved = tuple(_resolve(model, prefix, f) for f in fields)
    options.setdefault("owned", hasattr(model, "owner_id"))
    return register(EntitySpec(name=name, model=model, i18n=prefix, fields=resolved, **options))


_registry: dict[str, EntitySpec] = {}


def register(spec: EntitySpec) -> EntitySpec:
    """Register `spec` by name; registering the same name for another model is a bug."""
    existing = _registry.get(spec.name)
    if existing is not None and existing.model is not spec.model:
        raise ValueError(f"entity {spec.name!r} is already registered for {existing.model}")
    _registry[spec.name] = spec
    return spec


def get_spec(name: str) -> EntitySpec:
    return _registry[name]


def all_specs() -> Iterator[EntitySpec]:
    return iter(list(_registry.values()))


__all__ = [
    "EntitySpec",
    "FieldSpec",
    "Kind",
    "ViewSpec",
    "audit_fields",
    "choice_key",
    "define",
    "get_spec",
    "register",
    "standard_views",
]
