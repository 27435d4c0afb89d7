"""Sales targets (BI-7 settings): a 12-month grid of contract or receivable amounts per
department or per employee, read and saved by managers holding `settings.targets` for the
departments and people inside that action's data scope. Saves are all-or-nothing and logged."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotAllowed, ValidationFailed
from core.models import DataScope, Department, SalesTarget, User
from core.permissions import Actor, OrgTree, require
from core.services import changelog

ACTION = "settings.targets"
METRICS = ("contract", "receivable")
HOLDERS = ("department", "user")
MONTHS = tuple(range(1, 13))
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
CENT = Decimal("0.01")
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class Holder:
    id: int
    name: str
    depth: int = 0  # departments: depth in the tree, for indenting


@dataclass(frozen=True)
class GridRow:
    holder: Holder
    amounts: tuple[Decimal, ...]  # January … December


def grid_total(depths: list[int], months: list[list[float]]) -> float:
    """The grid's grand total (`months`: per month, the amounts in row order; rows in tree
    order at `depths`). A department's target covers its sub-departments, so a cell counts only
    when no department above it has a target that month: a company target is not added again
    per team, and teams add up when only they have targets."""
    total = 0.0
    for month in months:
        above: list[tuple[int, float]] = []  # (depth, amount) of the rows above this one
        for depth, amount in zip(depths, month, strict=True):
            while above and above[-1][0] >= depth:
                above.pop()
            if not any(value for _, value in above):
                total += amount
            above.append((depth, amount))
    return total


def _department_ids(session: Session, actor: Actor) -> set[int] | None:
    """Departments the actor may set targets for; None = all of them."""
    scope = actor.grants.get(ACTION)
    if scope == DataScope.ALL:
        return None
    if scope not in (DataScope.DEPARTMENT, DataScope.DEPARTMENT_TREE) or not actor.department_id:
        return set()
    if scope == DataScope.DEPARTMENT:
        return {actor.department_id}
    tree = OrgTree.load(session)
    found = tree.department_tree(actor.department_id)
    for headed in tree.heads.get(actor.user_id, []):
        found |= tree.department_tree(headed)
    return found


def _departments(session: Session, actor: Actor) -> list[Holder]:
    allowed = _department_ids(session, actor)
    rows = session.execute(
        select(Department.id, Department.name, Department.parent_id).order_by(
            Department.sort_order, Department.id
        )
    ).all()
    rows = [r for r in rows if allowed is None or r.id in allowed]
    listed = {r.id for r in rows}
    children: dict[int | None, list] = {}
    for r in rows:
        children.setdefault(r.parent_id if r.parent_id in listed else None, []).append(r)
    out: list[Holder] = []

    def walk(parent: int | None, depth: int) -> None:
        for r in children.get(parent, []):
            out.append(Holder(r.id, r.name, depth))
            walk(r.id, depth + 1)

    walk(None, 0)
    return out


def _users(actor: Actor, session: Session) -> list[Holder]:
    owners = actor.owner_ids(ACTION)
    query = select(User.id, User.display_name).where(User.is_active.is_(True))
    if owners is not None:
        query = query.where(User.id.in_(sorted(owners)))
    rows = session.execute(query.order_by(User.display_name, User.id)).all()
    return [Holder(r.id, r.display_name) for r in rows]


def holders(session: Session, *, actor: Actor, holder: str) -> list[Holder]:
    """Departments (tree order) or active employees the actor may set targets for."""
    require(actor, ACTION)
    if holder not in HOLDERS:
        raise ValueError(f"unknown target holder {holder!r}")
    return _departments(session, actor) if holder == "department" else _users(actor, session)


def _holder_column(holder: str):
    return SalesTarget.department_id if holder == "department" else SalesTarget.user_id


def _stored(session: Session, year: int, metric: str, holder: str, ids) -> dict:
    """{(holder id, month): SalesTarget} — department targets have no user, and vice versa."""
    column = _holder_column(holder)
    other = SalesTarget.user_id if holder == "department" else SalesTarget.department_id
    rows = session.scalars(
        select(SalesTarget).where(
            SalesTarget.year == year,
            SalesTarget.metric == metric,
            column.in_(sorted(ids)),
            other.is_(None),
        )
    )
    return {(getattr(r, column.key), r.month): r for r in rows}


def _check(year: int, metric: str, holder: str) -> None:
    if year not in YEARS or metric not in METRICS or holder not in HOLDERS:
        raise ValidationFailed({"grid": ("targets.error.bad_choice", {})})


def grid(session: Session, *, actor: Actor, year: int, metric: str, holder: str) -> list[GridRow]:
    """One row per holder in scope with the twelve monthly targets (0 where none is set)."""
    _check(year, metric, holder)
    people = holders(session, actor=actor, holder=holder)
    stored = _stored(session, year, metric, holder, [h.id for h in people])
    zero = Decimal("0.00")
    return [
        GridRow(h, tuple(stored[(h.id, m)].amount if (h.id, m) in stored else zero for m in MONTHS))
        for h in people
    ]


def parse_amount(value) -> Decimal:
    """A grid cell as yuan: empty = 0; rounded to the cent. Raises ValueError with an i18n key."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError("targets.error.not_number") from None
    if not amount.is_finite():
        raise ValueError("targets.error.not_number")
    if amount < 0:
        raise ValueError("targets.error.negative")
    if amount > MAX_AMOUNT:
        raise ValueError("targets.error.too_large")
    return amount.quantize(CENT)


def _parse_grid(amounts: dict[int, list], names: dict[int, str]) -> dict[tuple[int, int], Decimal]:
    parsed, errors = {}, {}
    for holder_id, values in amounts.items():
        if len(values) != 12:
            raise ValueError("a target row has twelve months")
        for month, value in zip(MONTHS, values, strict=True):
            try:
                parsed[(holder_id, month)] = parse_amount(value)
            except ValueError as exc:
                params = {"name": names[holder_id], "month": month}
                errors[f"{holder_id}.{month}"] = (str(exc), params)
    if errors:
        raise ValidationFailed(errors)
    return parsed


def save_grid(session: Session, *, actor: Actor, year: int, metric: str, holder: str,
              amounts: dict[int, list]) -> int:  # fmt: skip
    """Store the grid {holder id: twelve amounts}; returns how many cells changed.

    Rules: `settings.targets` required; every holder within its scope (else NotAllowed and
    nothing saved); amounts are yuan ≥ 0 (empty = 0), checked all before anything is written;
    each changed cell writes a ChangeLog row ("sales_target", create/update, field amount)."""
    _check(year, metric, holder)
    allowed = {h.id: h.name for h in holders(session, actor=actor, holder=holder)}
    outside = sorted(set(amounts) - set(allowed))
    if outside:
        raise NotAllowed(action=ACTION)
    parsed = _parse_grid(amounts, allowed)
    stored = _stored(session, year, metric, holder, list(amounts))
    changed = 0
    for (holder_id, month), amount in parsed.items():
        row = stored.get((holder_id, month))
        if row is None and amount == 0:
            continue
        if row is not None and row.amount == amount:
            continue
        changed += 1
        _write(session, actor, row, amount, year=year, month=month, metric=metric,
               **{_holder_column(holder).key: holder_id})  # fmt: skip
    session.flush()
    return changed


def _write(session: Session, actor: Actor, row: SalesTarget | None, amount: Decimal,
           **key) -> None:  # fmt: skip
    if row is None:
        row = SalesTarget(amount=amount, **key)
        session.add(row)
        session.flush()
        changelog.log(session, actor_id=actor.user_id, entity="sales_target", record_id=row.id,
                      action="create", field="amount", new=amount)  # fmt: skip
        return
    old, row.amount = row.amount, amount
    changelog.log(session, actor_id=actor.user_id, entity="sales_target", record_id=row.id,
                  action="update", field="amount", old=old, new=amount)  # fmt: skip
