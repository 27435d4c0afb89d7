"""Product lines of an opportunity or contract as a read-only table with the order's totals."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from core.db import transaction
from core.i18n import format_money, format_number, t
from core.services import order_lines


def _quantity(value: Decimal) -> str:
    """Whole quantities without decimals (124, not 124.00); fractions keep two (1.50)."""
    return format_number(value, digits=0 if value == value.to_integral_value() else 2)


def lines_table(rows, discount_rate: Decimal, amount: Decimal, key: str) -> None:
    """Product, unit price, quantity, line discount, subtotal; then gross, discount, amount."""
    if not rows:
        st.caption(t("order.no_lines"))
        return
    with transaction() as session:
        names = order_lines.product_names(session, [r.product_id for r in rows])
    st.dataframe(
        {
            t("order.product"): [names.get(r.product_id, ("#", ""))[0] for r in rows],
            t("order.unit"): [names.get(r.product_id, ("", ""))[1] for r in rows],
            t("order.price"): [format_money(r.price) for r in rows],
            t("order.quantity"): [_quantity(r.quantity) for r in rows],
            t("order.discount_rate"): [
                f"{format_number(r.discount_rate, digits=2)}%" for r in rows
            ],
            t("order.subtotal"): [format_money(r.subtotal) for r in rows],
        },
        hide_index=True,
        width="stretch",
        key=key,
        # Figures line up on the right, as in any order form.
        column_config={
            t(name): st.column_config.TextColumn(alignment="right")
            for name in ("order.price", "order.quantity", "order.discount_rate", "order.subtotal")
        },
    )
    gross = sum((r.subtotal for r in rows), Decimal("0"))
    st.caption(
        t(
            "order.summary",
            gross=format_money(gross),
            discount=format_number(discount_rate, digits=2),
            amount=format_money(amount),
        )
    )
