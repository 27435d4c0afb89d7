"""Widgets by field kind for the generic form and filters; keys are "{entity}.{field}" (form) and
"{entity}.filter.{field}" (filters). Choices are loaded once per run by `Choices`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from core.entities import EntitySpec, FieldSpec, Kind, choice_key
from core.i18n import t, to_local, to_utc
from core.permissions import Actor
from core.services.lookups import option_choices, ref_choices, user_choices
from core.validation import IMAGE_MAX_BYTES, Upload

IMAGE_TYPES = ["png", "jpg", "jpeg", "webp"]


@dataclass
class Choices:
    """Select-box choices of every option/choice/user/ref field of a spec: {field: {value: label}}."""

    by_field: dict[str, dict[Any, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, actor: Actor, spec: EntitySpec, fields) -> Choices:
        found = cls()
        users = None
        for f in fields:
            if f.kind == Kind.OPTION:
                found.by_field[f.name] = dict(option_choices(session, f.options))
            elif f.kind == Kind.CHOICE:
                found.by_field[f.name] = {v: t(choice_key(f, v)) for v in f.choices}
            elif f.kind == Kind.USER:
                users = users if users is not None else dict(user_choices(session))
                found.by_field[f.name] = users
            elif f.kind == Kind.REF:
                found.by_field[f.name] = dict(ref_choices(session, actor, f.ref))
        return found

    def options(self, f: FieldSpec, keep: Any = None) -> list:
        """The values to offer; `keep` (a record's current value) stays selectable."""
        values = list(self.by_field.get(f.name, {}))
        if keep is not None and keep not in values:
            values.append(keep)
        return values

    def label(self, f: FieldSpec, value: Any) -> str:
        if value is None:
            return ""
        return self.by_field.get(f.name, {}).get(value, str(value))


def form_key(spec: EntitySpec, f: FieldSpec) -> str:
    return f"{spec.name}.{f.name}"


def initial_widget_value(f: FieldSpec, value: Any) -> Any:
    """What a form widget starts with for a stored value (money is typed as text)."""
    if f.kind in (Kind.MONEY, Kind.DECIMAL):
        return "" if value is None else format(value, "f")
    if f.kind in (Kind.INT,):
        return value
    if f.kind == Kind.BOOL:
        return bool(value)
    if f.kind == Kind.IMAGE:
        return None
    if f.kind == Kind.DATETIME:
        return to_local(value) if value is not None else None  # typed in business time
    if f.is_text:
        return value or ""
    return value


def _required(label: str, f: FieldSpec) -> str:
    return f"{label} *" if f.required else label


def form_widget(
    spec: EntitySpec, f: FieldSpec, choices: Choices, current: Any = None, *, key: str = ""
) -> Any:
    """Render the input of one field inside a form and return its raw value. `key` replaces the
    default widget key (a second form of the same entity on one page, e.g. lead conversion)."""
    key = key or form_key(spec, f)
    label = _required(t(f.label), f)
    help_text = t(f.help) if f.help else None
    disabled = f.readonly
    match f.kind:
        case Kind.TEXTAREA:
            return st.text_area(label, key=key, max_chars=f.max_length, help=help_text)
        case Kind.INT:
            return st.number_input(
                label, key=key, value=None, step=1, help=help_text, disabled=disabled
            )
        case Kind.MONEY | Kind.DECIMAL:
            return st.text_input(label, key=key, placeholder="0.00", help=help_text)
        case Kind.DATE:
            return st.date_input(label, key=key, value=None, help=help_text, disabled=disabled)
        case Kind.DATETIME:
            typed = st.datetime_input(label, key=key, value=None, help=help_text, disabled=disabled)
            return to_utc(typed) if typed is not None else None
        case Kind.BOOL:
            return st.toggle(label, key=key, help=help_text, disabled=disabled)
        case Kind.OPTION | Kind.CHOICE | Kind.USER | Kind.REF:
            return st.selectbox(
                label,
                choices.options(f, keep=current),
                key=key,
                index=None,
                format_func=lambda v, f=f: choices.label(f, v),
                placeholder=t("records.choose"),
                help=help_text,
                disabled=disabled,
            )
        case Kind.IMAGE:
            return _image_widget(key, label, help_text, current)
    return st.text_input(label, key=key, max_chars=f.max_length, help=help_text, disabled=disabled)


def _image_widget(key: str, label: str, help_text: str | None, current: Any):
    """A new upload (Upload), None to remove the current image, or ... to keep it."""
    uploaded = st.file_uploader(
        label,
        type=IMAGE_TYPES,
        key=key,
        help=help_text,
        max_upload_size=IMAGE_MAX_BYTES // (1024 * 1024),
    )
    remove = False
    if current is not None:
        remove = st.checkbox(t("records.image_remove"), key=f"{key}.remove")
    if uploaded is not None:
        return Upload(uploaded.name, uploaded.type or "", uploaded.getvalue())
    return None if remove else ...


def _utc_day_range(low: dt.date, high: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Whole local days [low, high] as stored (UTC) instants: timestamps are kept in UTC."""
    start = to_utc(dt.datetime.combine(low, dt.time()))
    end = to_utc(dt.datetime.combine(high + dt.timedelta(days=1), dt.time()))
    return (start, end - dt.timedelta(microseconds=1))


def filter_widget(spec: EntitySpec, f: FieldSpec, choices: Choices) -> Any:
    """Render one filter and return its value in the shape record_query.field_clause takes."""
    key = f"{spec.name}.filter.{f.name}"
    label = t(f.label)
    match f.kind:
        case Kind.INT | Kind.MONEY | Kind.DECIMAL:
            low_col, high_col = st.columns(2)
            low = low_col.number_input(f"{label} ≥", key=f"{key}.min", value=None)
            high = high_col.number_input(f"{label} ≤", key=f"{key}.max", value=None)
            if f.kind == Kind.INT:
                return (low, high)
            # Money columns compare exactly with Decimal bounds.
            return tuple(None if v is None else Decimal(str(v)) for v in (low, high))
        case Kind.DATE | Kind.DATETIME:
            picked = st.date_input(label, key=key, value=(), format="YYYY-MM-DD")
            picked = tuple(picked) if isinstance(picked, list | tuple) else (picked,)
            if not picked:
                return None
            low, high = picked[0], picked[1] if len(picked) > 1 else picked[0]
            return (low, high) if f.kind == Kind.DATE else _utc_day_range(low, high)
        case Kind.BOOL:
            return st.selectbox(
                label,
                [None, True, False],
                key=key,
                format_func=lambda v: {None: t("records.all"), True: t("records.yes")}.get(
                    v, t("records.no")
                ),
            )
        case Kind.OPTION | Kind.CHOICE | Kind.USER | Kind.REF:
            return st.multiselect(
                label,
                choices.options(f),
                key=key,
                format_func=lambda v, f=f: choices.label(f, v),
                placeholder=t("records.all"),
            )
    return st.text_input(label, key=key, placeholder=t("records.contains"))
