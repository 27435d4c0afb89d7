"""The create/edit form of an order (opportunity, contract): the entity's fields, choices that
depend on the chosen customer, product lines in an editable table with a live total, the
whole-order discount, and one save guarded against double clicks (CUS-6, CUS-7)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from core.db import transaction
from core.entities import EntitySpec, FieldSpec
from core.errors import ValidationFailed
from core.i18n import format_money, t
from core.permissions import Actor
from core.services import order_lines
from core.ui.fields import Choices, form_key, form_widget, initial_widget_value
from core.ui.record_form import (
    WIDE_KINDS,
    field_error,
    field_rows,
    form_buttons,
    form_heading,
    new_form_state,
    submit_form,
)

# save(session, *, actor, values, lines, discount_rate, record_id, expected_version) -> record
Save = Callable[..., Any]
# dependents(session, actor, customer_id) -> {field name: {value: label}} narrowed choices
Dependents = Callable[[Session, Actor, int | None], dict[str, dict[Any, str]]]
COLUMNS = ("product_id", "quantity", "price", "discount_rate")


def order_save(create: Callable[..., Any], update: Callable[..., Any], id_name: str) -> Save:
    """The `save` of an order form from its service: `create` for a new order, `update` (the
    record id passed as `id_name`, e.g. "contract_id") for a stored one."""

    def save(session, *, actor, values, lines, discount_rate, record_id, expected_version):
        order = {"values": values, "lines": lines, "discount_rate": discount_rate}
        if record_id is None:
            return create(session, actor=actor, **order)
        return update(
            session,
            actor=actor,
            **{id_name: record_id},
            **order,
            expected_version=expected_version,
        )

    return save


def _state_key(spec: EntitySpec) -> str:
    return f"{spec.name}.order_form"


def _editor_key(spec: EntitySpec, state: dict) -> str:
    return f"{spec.name}.lines.{state['opened']}"


def discount_key(spec: EntitySpec) -> str:
    return f"{spec.name}.order_discount"


def order_form_is_open(spec: EntitySpec) -> bool:
    return _state_key(spec) in st.session_state


def close_order_form(spec: EntitySpec) -> None:
    st.session_state.pop(_state_key(spec), None)


def open_order_form(spec: EntitySpec, record=None, *, lines=(), preset=None) -> None:
    """Open the form for `record` (None: a new one starting from `preset` values) with its
    stored `lines` (rows with product_id, quantity, price, discount_rate). Safe in callbacks."""
    current = {f.name: getattr(record, f.name, None) for f in spec.fields} if record else {}
    current |= dict(preset or {})
    opened = st.session_state.get("_order_forms_opened", 0) + 1
    st.session_state["_order_forms_opened"] = opened
    seed = [
        {c: getattr(x, c) if not isinstance(x, dict) else x.get(c) for c in COLUMNS} for x in lines
    ]
    st.session_state[_state_key(spec)] = new_form_state(record, current) | {
        "opened": opened,
        "seed": seed,
    }
    for f in spec.fields:
        if f.editable:
            value = current.get(f.name, None if record else f.default)
            st.session_state[form_key(spec, f)] = initial_widget_value(f, value)
    discount = current.get("discount_rate") or Decimal("0")
    st.session_state[discount_key(spec)] = format(discount.normalize(), "f") if discount else ""


def _header_fields(spec, actor, state, dependents, locked) -> dict[str, Any]:
    fields = [f for f in spec.fields if f.editable and f.name != "amount"]
    customer = st.session_state.get(f"{spec.name}.customer_id")
    with transaction() as session:
        choices = Choices.load(session, actor, spec, fields)
        narrowed = dependents(session, actor, customer) if dependents else {}
    for name, options in narrowed.items():
        choices.by_field[name] = options
        if st.session_state.get(f"{spec.name}.{name}") not in (None, *options):
            st.session_state[f"{spec.name}.{name}"] = None  # belongs to the previous customer
    values: dict[str, Any] = {}
    for row in field_rows(fields):
        columns = st.columns(2 if row[0].kind not in WIDE_KINDS else 1)
        for column, f in zip(columns, row, strict=False):
            with column:
                if f.name in locked:
                    st.caption(t(f.label))
                    st.text(choices.label(f, state["current"].get(f.name)) or "—")
                    continue
                values[f.name] = form_widget(spec, f, choices, state["current"].get(f.name))
                field_error(state, f.name)
    return values


def _seed_frame(seed: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(seed, columns=list(COLUMNS))
    frame["product_id"] = frame["product_id"].astype("Int64")
    for column in COLUMNS[1:]:
        frame[column] = frame[column].astype("float64")
    return frame


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same number
    return int(value) if hasattr(value, "__int__") and not isinstance(value, str) else value


def _raw_lines(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{c: _cell(row[c]) for c in COLUMNS} for row in frame.to_dict("records")]


def _lines_editor(spec: EntitySpec, state: dict) -> list[dict[str, Any]]:
    keep = [x.get("product_id") for x in state["seed"]]
    with transaction() as session:
        products = order_lines.product_choices(session, keep)
    edited = st.data_editor(
        _seed_frame(state["seed"]),
        key=_editor_key(spec, state),
        num_rows="dynamic",
        placeholder="",
        hide_index=True,
        width="stretch",
        column_config={
            "product_id": st.column_config.SelectboxColumn(
                t("order.product"),
                options=list(products),
                format_func=lambda i: products.get(i, ("#" + str(i),))[0],
                required=True,
                width="large",
            ),
            "quantity": st.column_config.NumberColumn(
                t("order.quantity"), min_value=0.01, step=0.01, format="%.2f", default=1.0
            ),
            "price": st.column_config.NumberColumn(
                t("order.price"), min_value=0, step=0.01, format="%.2f", help=t("order.price_help")
            ),
            "discount_rate": st.column_config.NumberColumn(
                t("order.discount_rate"), min_value=0, max_value=100, step=0.01, format="%.2f"
            ),
        },
    )
    return _raw_lines(edited)


def _totals(spec: EntitySpec, state: dict, raw: list[dict], discount: str) -> None:
    try:
        with transaction() as session:
            clean, amount = order_lines.preview(session, raw, discount)
    except ValidationFailed as problem:
        for key, params in problem.errors.values():
            st.caption(f":red[{t(key, **params)}]")
        return
    if clean:
        gross = sum((x.subtotal for x in clean), Decimal("0"))
        st.markdown(
            t(
                "order.totals",
                count=len(clean),
                gross=format_money(gross),
                amount=format_money(amount),
            )
        )
    field_error(state, "lines")


def _lines_section(spec: EntitySpec, state: dict, amount_field: FieldSpec | None):
    st.markdown(f"**{t('order.lines')}**")
    raw = _lines_editor(spec, state)
    has_lines = any(x.get("product_id") for x in raw)
    left, right = st.columns(2)
    with left:
        discount = st.text_input(
            t("order.order_discount"),
            key=discount_key(spec),
            placeholder="0",
            disabled=not has_lines,
            help=t("order.order_discount_help"),
        )
        field_error(state, "discount_rate")
    amount = None
    if amount_field is not None and not has_lines:
        with right:
            amount = form_widget(spec, amount_field, Choices(), None)
            field_error(state, "amount")
    _totals(spec, state, raw, discount)
    return raw, discount, amount


def order_form(
    spec: EntitySpec,
    actor: Actor,
    *,
    save: Save,
    dependents: Dependents | None = None,
    locked_on_edit: tuple[str, ...] = (),
) -> None:
    """Render the open order form; saving calls `save` in one transaction, selects the saved
    record and reruns. Errors appear under their fields and the input stays as typed."""
    state = st.session_state[_state_key(spec)]
    with st.container(border=True):
        form_heading(spec, state)
        locked = () if state["record_id"] is None else locked_on_edit
        values = _header_fields(spec, actor, state, dependents, locked)
        amount_field = spec.field("amount") if spec.has_field("amount") else None
        raw, discount, amount = _lines_section(spec, state, amount_field)
        if amount is not None:
            values["amount"] = amount
        saved, cancelled = form_buttons(spec, live=True)
    if cancelled:
        close_order_form(spec)
        st.rerun()
    if saved:
        hook = partial(save, actor=actor, values=values, lines=raw, discount_rate=discount)
        submit_form(spec, state, hook, close_order_form)
