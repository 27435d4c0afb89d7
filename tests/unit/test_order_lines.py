"""Order totals in Decimal (CUS-6, CUS-7): subtotal = price × quantity × (1 − line discount %),
amount = Σ subtotals × (1 − order discount %), each rounded half-up to the cent."""

from decimal import Decimal as D

import pytest

from core.services.order_lines import Line, line_subtotal, order_amount


@pytest.mark.parametrize(
    ("price", "quantity", "discount", "subtotal"),
    [
        ("100.00", "3", "0", "300.00"),
        ("19.99", "3", "0", "59.97"),
        ("0.10", "0.05", "0", "0.01"),  # 0.005 rounds half up, not to even
        ("0.10", "0.25", "0", "0.03"),  # 0.025 → 0.03 (banker's rounding would give 0.02)
        ("33.33", "1", "33.33", "22.22"),  # 22.219989 → 22.22
        ("10.00", "1", "12.5", "8.75"),
        ("1.15", "1", "50", "0.58"),  # 0.575 → 0.58
        ("999.99", "2.5", "100", "0.00"),
        ("0.00", "7", "0", "0.00"),
    ],
)
def test_line_subtotal_rounds_half_up_to_the_cent(price, quantity, discount, subtotal):
    assert line_subtotal(D(price), D(quantity), D(discount)) == D(subtotal)


def test_order_amount_applies_the_order_discount_to_the_sum_of_rounded_subtotals():
    lines = [Line(1, D("0.10"), D("0.05"), D("0")), Line(2, D("0.10"), D("0.05"), D("0"))]
    # Each line rounds to 0.01 first: 0.02, not round(0.01) of the unrounded 0.010.
    assert order_amount((x.subtotal for x in lines), D("0")) == D("0.02")
    assert order_amount([D("100.00"), D("0.50")], D("5")) == D("95.48")  # 95.475 → 95.48
    assert order_amount([D("1999.00")], D("0.5")) == D("1989.01")  # 1989.005 → 1989.01


def test_an_empty_order_is_zero_and_a_full_discount_is_free():
    assert order_amount([], D("10")) == D("0.00")
    assert order_amount([D("5000.00")], D("100")) == D("0.00")


def test_line_quantities_show_without_decimals_when_whole():
    from core.ui.order_lines import _quantity

    assert [_quantity(D(q)) for q in ("124.00", "1.50", "2", "1200")] == [
        "124", "1.50", "2", "1,200",
    ]  # fmt: skip
