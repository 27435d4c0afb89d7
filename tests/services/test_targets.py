"""Target settings (BI-7): the 12-month grid per department and per employee, limited to the
manager's scope, all-or-nothing saves with translated validation errors, change log."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import NotAllowed, ValidationFailed
from core.models import ChangeLog, SalesTarget
from core.services import targets

YEAR = 2026
ZERO = Decimal("0.00")


def _row(*pairs) -> list:
    """Twelve cells, 0 except the given (month, amount) pairs."""
    cells = [0] * 12
    for month, amount in pairs:
        cells[month - 1] = amount
    return cells


def _names(rows) -> list[str]:
    return [r.holder.name for r in rows]


def test_a_manager_sees_his_department_tree_and_team_only(session, org):
    boss = org.actor(session, "manager")
    departments = targets.grid(session, actor=boss, year=YEAR, metric="contract",
                               holder="department")  # fmt: skip
    assert [(r.holder.name, r.holder.depth) for r in departments] == [
        ("销售部", 0),
        ("销售二部", 1),
    ]
    people = targets.grid(session, actor=boss, year=YEAR, metric="contract", holder="user")
    assert _names(people) == ["manager", "sales1", "sales2", "sales3"]
    assert all(r.amounts == (ZERO,) * 12 for r in people)


def test_an_admin_sees_every_department_in_tree_order(session, org):
    rows = targets.grid(session, actor=org.actor(session, "admin"), year=YEAR,
                        metric="receivable", holder="department")  # fmt: skip
    names = _names(rows)
    assert names[0] == "总经办" and names.index("销售部") < names.index("销售二部")
    assert len(names) == 5


def test_saving_stores_the_cells_and_reads_them_back(session, org):
    boss, sales1 = org.actor(session, "manager"), org.users["sales1"]
    changed = targets.save_grid(session, actor=boss, year=YEAR, metric="contract", holder="user",
                                amounts={sales1.id: _row((1, "10000"), (2, 20000.5), (3, None))})  # fmt: skip
    session.commit()
    assert changed == 2  # empty and zero cells store nothing
    row = next(r for r in targets.grid(session, actor=boss, year=YEAR, metric="contract",
                                       holder="user") if r.holder.id == sales1.id)  # fmt: skip
    assert row.amounts[:3] == (Decimal("10000.00"), Decimal("20000.50"), ZERO)
    stored = session.scalars(select(SalesTarget)).all()
    assert {(t.user_id, t.department_id, t.month, t.metric) for t in stored} == {
        (sales1.id, None, 1, "contract"), (sales1.id, None, 2, "contract")
    }  # fmt: skip


def test_department_and_employee_targets_are_kept_apart(session, org):
    boss, sales = org.actor(session, "manager"), org.departments["sales"]
    targets.save_grid(session, actor=boss, year=YEAR, metric="contract", holder="department",
                      amounts={sales.id: _row((5, 90000))})  # fmt: skip
    targets.save_grid(session, actor=boss, year=YEAR, metric="receivable", holder="department",
                      amounts={sales.id: _row((5, 1))})  # fmt: skip
    session.commit()
    dep = targets.grid(session, actor=boss, year=YEAR, metric="contract", holder="department")
    assert dep[0].amounts[4] == Decimal("90000.00")
    people = targets.grid(session, actor=boss, year=YEAR, metric="contract", holder="user")
    assert all(r.amounts[4] == ZERO for r in people)
    other_year = targets.grid(session, actor=boss, year=YEAR + 1, metric="contract",
                              holder="department")  # fmt: skip
    assert other_year[0].amounts[4] == ZERO


def test_every_changed_cell_is_logged_and_unchanged_cells_are_not(session, org):
    boss, uid = org.actor(session, "manager"), org.users["sales2"].id
    targets.save_grid(session, actor=boss, year=YEAR, metric="contract", holder="user",
                      amounts={uid: _row((1, 100), (2, 200))})  # fmt: skip
    session.commit()
    changed = targets.save_grid(session, actor=boss, year=YEAR, metric="contract", holder="user",
                                amounts={uid: _row((1, 100), (2, 250))})  # fmt: skip
    session.commit()
    assert changed == 1
    logs = session.execute(
        select(ChangeLog.action, ChangeLog.old_value, ChangeLog.new_value, ChangeLog.actor_id)
        .where(ChangeLog.entity == "sales_target")
        .order_by(ChangeLog.id)
    ).all()
    manager_id = org.users["manager"].id
    assert logs == [("create", None, "100.00", manager_id), ("create", None, "200.00", manager_id),
                    ("update", "200.00", "250.00", manager_id)]  # fmt: skip


def test_a_negative_or_non_numeric_cell_saves_nothing_and_names_the_cell(session, org):
    boss, uid = org.actor(session, "manager"), org.users["sales1"].id
    with pytest.raises(ValidationFailed) as caught:
        targets.save_grid(session, actor=boss, year=YEAR, metric="contract", holder="user",
                          amounts={uid: _row((1, 500), (3, -1), (4, "一万"))})  # fmt: skip
    session.rollback()
    errors = caught.value.errors
    assert errors[f"{uid}.3"] == ("targets.error.negative", {"name": "sales1", "month": 3})
    assert errors[f"{uid}.4"][0] == "targets.error.not_number"
    assert session.scalar(select(func.count()).select_from(SalesTarget)) == 0


def test_an_amount_too_large_for_the_column_is_refused(session, org):
    boss, uid = org.actor(session, "manager"), org.users["sales1"].id
    with pytest.raises(ValidationFailed) as caught:
        targets.save_grid(session, actor=boss, year=YEAR, metric="contract", holder="user",
                          amounts={uid: _row((1, "1e15"))})  # fmt: skip
    assert caught.value.errors[f"{uid}.1"][0] == "targets.error.too_large"


def test_a_manager_cannot_set_targets_outside_his_scope(session, org):
    boss = org.actor(session, "manager")
    with pytest.raises(NotAllowed):
        targets.save_grid(session, actor=boss, year=YEAR, metric="contract", holder="user",
                          amounts={org.users["outsider"].id: _row((1, 1))})  # fmt: skip
    with pytest.raises(NotAllowed):
        targets.save_grid(session, actor=boss, year=YEAR, metric="contract", holder="department",
                          amounts={org.departments["south"].id: _row((1, 1))})  # fmt: skip
    assert session.scalar(select(func.count()).select_from(SalesTarget)) == 0


def test_a_sales_rep_may_neither_read_nor_write_targets(session, org):
    rep = org.actor(session, "sales1")
    with pytest.raises(NotAllowed):
        targets.grid(session, actor=rep, year=YEAR, metric="contract", holder="user")
    with pytest.raises(NotAllowed):
        targets.save_grid(session, actor=rep, year=YEAR, metric="contract", holder="user",
                          amounts={rep.user_id: _row((1, 1))})  # fmt: skip


def test_an_unknown_metric_or_year_is_a_validation_error(session, org):
    admin = org.actor(session, "admin")
    with pytest.raises(ValidationFailed):
        targets.grid(session, actor=admin, year=YEAR, metric="profit", holder="user")
    with pytest.raises(ValidationFailed):
        targets.grid(session, actor=admin, year=1900, metric="contract", holder="user")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1,234.567", Decimal("1234.57")), ("", ZERO), (" 8 ", Decimal("8.00")), (0, ZERO)],
)
def test_grid_cells_are_read_as_yuan_to_the_cent(cell, expected):
    assert targets.parse_amount(cell) == expected


@pytest.mark.parametrize("cell", ["nan", "inf", "abc", "1.2.3"])
def test_cells_that_are_not_amounts_are_refused(cell):
    with pytest.raises(ValueError, match="targets.error.not_number"):
        targets.parse_amount(cell)


def test_the_grid_total_counts_a_month_at_the_topmost_department_that_has_a_target():
    # company (0) → sales (1) → team a (2), team b (2); finance (1)
    depths = [0, 1, 2, 2, 1]
    months = [
        [0, 0, 30, 20, 5],  # only teams and finance: 30 + 20 + 5
        [0, 100, 30, 20, 5],  # sales covers its teams: 100 + 5
        [500, 100, 30, 20, 5],  # the company covers everyone: 500
    ]
    assert targets.grid_total(depths, months) == 55 + 105 + 500
