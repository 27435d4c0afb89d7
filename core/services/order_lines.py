"""Product lines of opportunities and contracts (CUS-6, CUS-7) and their totals, in Decimal with
ROUND_HALF_UP to the cent: subtotal = price × quantity × (1 − line discount %), amount =
Σ subtotals × (1 − order discount %)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.entities import EntitySpec
from core.errors import ValidationFailed
from core.models import Product
from core.services import changelog, sales_refs
from core.services.record_query import not_deleted
from core.validation import MONEY_MAX

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
QUANTITY_MAX = Decimal("9999999999.99")  # Numeric(12, 2)
MAX_LINES = 200
E = "order.error."


@dataclass(frozen=True)
class Line:
    """A clean line: price is the agreed unit price (the list price when none was typed)."""

    product_id: int
    price: Decimal
    quantity: Decimal
    discount_rate: Decimal

    @property
    def subtotal(self) -> Decimal:
        return line_subtotal(self.price, self.quantity, self.discount_rate)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_subtotal(price: Decimal, quantity: Decimal, discount_rate: Decimal) -> Decimal:
    """price × quantity × (1 − discount %), rounded half-up to the cent."""
    return _cents(price * quantity * (HUNDRED - discount_rate) / HUNDRED)


def order_amount(subtotals: Iterable[Decimal], discount_rate: Decimal) -> Decimal:
    """Σ subtotals × (1 − order discount %), rounded half-up to the cent."""
    return _cents(sum(subtotals, Decimal("0")) * (HUNDRED - discount_rate) / HUNDRED)


class _Bad(Exception):
    def __init__(self, key: str, **params) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def _decimal(raw: Any, *, low: Decimal, high: Decimal, key: str, low_open=False) -> Decimal:
    if isinstance(raw, bool):
        raise _Bad(key)
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        raise _Bad(key) from None
    if not value.is_finite() or value < low or value > high or (low_open and value == low):
        raise _Bad(key)
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise _Bad(E + "decimals")
    return value


def clean_discount(raw: Any, field: str = "discount_rate") -> Decimal:
    """A discount percent between 0 and 100 with at most two decimals (empty = 0)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Decimal("0")
    try:
        return _decimal(raw, low=Decimal("0"), high=HUNDRED, key=E + "discount")
    except _Bad as bad:
        raise ValidationFailed({field: (bad.key, bad.params)}) from None


def _is_blank(raw: Mapping[str, Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values())


def _clean_line(raw: Mapping[str, Any], list_prices: dict[int, Decimal]) -> Line:
    product_id = raw.get("product_id")
    if not isinstance(product_id, int) or product_id not in list_prices:
        raise _Bad(E + "product")
    quantity = _decimal(
        raw.get("quantity"), low=Decimal("0"), high=QUANTITY_MAX, key=E + "quantity", low_open=True
    )
    price_raw = raw.get("price")
    if price_raw is None or (isinstance(price_raw, str) and not price_raw.strip()):
        price = list_prices[product_id]
    else:
        price = _decimal(price_raw, low=Decimal("0"), high=MONEY_MAX, key=E + "price")
    discount_raw = raw.get("discount_rate")
    discount = (
        Decimal("0")
        if discount_raw is None or discount_raw == ""
        else _decimal(discount_raw, low=Decimal("0"), high=HUNDRED, key=E + "discount")
    )
    line = Line(product_id, price, quantity, discount)
    if line.subtotal > MONEY_MAX:
        raise _Bad(E + "too_large")
    return line


def list_prices(session: Session, product_ids: Iterable[int]) -> dict[int, Decimal]:
    """List price of each live product among `product_ids`."""
    ids = sorted({i for i in product_ids if isinstance(i, int)})
    if not ids:
        return {}
    rows = session.execute(
        select(Product.id, Product.price).where(Product.id.in_(ids), not_deleted(Product))
    )
    return {i: p for i, p in rows}


def clean_lines(session: Session, raw_lines: Sequence[Mapping[str, Any]]) -> list[Line]:
    """Validate input lines ({product_id, quantity, price, discount_rate}); blank rows are
    skipped; a missing price takes the product's list price. Errors name the row (1-based):
    unknown product, quantity ≤ 0, negative price, discount outside 0–100, > 2 decimals."""
    rows = [r for r in raw_lines if not _is_blank(r)]
    if len(rows) > MAX_LINES:
        raise ValidationFailed({"lines": (E + "too_many", {"max": MAX_LINES})})
    prices = list_prices(session, (r.get("product_id") for r in rows))
    cleaned = []
    for number, raw in enumerate(rows, start=1):
        try:
            cleaned.append(_clean_line(raw, prices))
        except _Bad as bad:
            raise ValidationFailed({"lines": (bad.key, {"row": number, **bad.params})}) from None
    return cleaned


def total(lines: Sequence[Line], discount_rate: Decimal) -> Decimal:
    """The order amount of clean lines; ValidationFailed when it would not fit a money column."""
    amount = order_amount((line.subtotal for line in lines), discount_rate)
    if amount > MONEY_MAX:
        raise ValidationFailed({"lines": (E + "too_large", {"row": len(lines)})})
    return amount


def stored_lines(session: Session, line_model, parent_column, parent_id: int) -> list:
    return list(
        session.scalars(
            select(line_model).where(parent_column == parent_id).order_by(line_model.id)
        )
    )


def replace_lines(
    session: Session, line_model, fk: str, parent_id: int, lines: Sequence[Line]
) -> bool:
    """Store `lines` as the parent's lines; True when they differ from what was stored."""
    parent_column = getattr(line_model, fk)
    before = [
        (r.product_id, r.price, r.quantity, r.discount_rate)
        for r in stored_lines(session, line_model, parent_column, parent_id)
    ]
    after = [(x.product_id, x.price, x.quantity, x.discount_rate) for x in lines]
    if before == after:
        return False
    session.execute(delete(line_model).where(parent_column == parent_id))
    for x in lines:
        session.add(
            line_model(
                **{fk: parent_id},
                product_id=x.product_id,
                price=x.price,
                quantity=x.quantity,
                discount_rate=x.discount_rate,
                subtotal=x.subtotal,
            )
        )
    session.flush()
    return True


def apply(
    session: Session,
    record,
    line_model,
    fk: str,
    *,
    typed_amount: Decimal | None,
    raw_lines: Sequence[Mapping[str, Any]],
    discount_rate: Any,
) -> dict[str, tuple]:
    """Store the order's lines and set its amount and discount: with lines the amount is their
    total after the order discount; without, the typed amount and no order discount. Returns
    what changed as {field: (old, new)} for the change log."""
    discount = clean_discount(discount_rate)
    clean = clean_lines(session, raw_lines)
    if clean:
        amount = total(clean, discount)
    else:
        amount, discount = typed_amount or Decimal("0"), Decimal("0")
    changes: dict[str, tuple] = {}
    if replace_lines(session, line_model, fk, record.id, clean):
        changes["lines"] = (None, describe(clean))
    for name, new in (("amount", amount), ("discount_rate", discount)):
        if getattr(record, name) != new:
            changes[name] = (getattr(record, name), new)
            setattr(record, name, new)
    return changes


def apply_edit(
    session: Session,
    *,
    actor_id: int,
    spec: EntitySpec,
    record,
    line_model,
    fk: str,
    raw_lines: Sequence[Mapping[str, Any]],
    discount_rate: Any,
) -> None:
    """`apply` on a saved order (its current amount is the typed one), logging what changed."""
    changes = apply(
        session,
        record,
        line_model,
        fk,
        typed_amount=record.amount,
        raw_lines=raw_lines,
        discount_rate=discount_rate,
    )
    if changes:
        sales_refs.flush(session, spec)
        changelog.log_changes(
            session, actor_id=actor_id, entity=spec.name, record_id=record.id, changes=changes
        )


def describe(lines: Sequence[Line]) -> str:
    """A short text of the lines for the change log: "#12×2.00@100.00-5%; …"."""
    return "; ".join(
        f"#{x.product_id}×{x.quantity}@{x.price}"
        + (f"-{x.discount_rate}%" if x.discount_rate else "")
        for x in lines
    )


def preview(
    session: Session, raw_lines: Sequence[Mapping[str, Any]], discount_rate: Any
) -> tuple[list[Line], Decimal]:
    """Clean lines and the amount they give (for a live total while the user types)."""
    discount = clean_discount(discount_rate)
    clean = clean_lines(session, raw_lines)
    return clean, total(clean, discount)


def product_choices(
    session: Session, keep: Iterable[int] = ()
) -> dict[int, tuple[str, Decimal, str]]:
    """Products a line may use: live ones on sale, plus `keep` (already on the order), as
    {id: (name, list price, unit)} by name."""
    keep_ids = sorted({i for i in keep if isinstance(i, int)})
    offered = Product.is_on_sale.is_(True)
    if keep_ids:
        offered = offered | Product.id.in_(keep_ids)
    rows = session.execute(
        select(Product.id, Product.name, Product.code, Product.price, Product.unit)
        .where(not_deleted(Product), offered)
        .order_by(Product.name, Product.id)
    )
    return {i: (f"{name}（{code}）", price, unit) for i, name, code, price, unit in rows}


def product_names(session: Session, product_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """{id: (name, unit)} of the given products, deleted ones included (old lines show them)."""
    ids = sorted({i for i in product_ids if isinstance(i, int)})
    if not ids:
        return {}
    rows = session.execute(
        select(Product.id, Product.name, Product.unit).where(Product.id.in_(ids))
    )
    return {i: (name, unit) for i, name, unit in rows}
