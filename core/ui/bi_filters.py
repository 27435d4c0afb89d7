"""Report filters (CUS-1, BI-*): a period preset or a custom range, and a department / employee
picker that lists only departments and people inside the viewer's scope (a rep sees none)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.bi import people
from core.bi.periods import PRESETS, Period, preset
from core.bi.scope import EVERYONE, Who
from core.i18n import business_today, t
from core.permissions import Actor

CHOICES = (*PRESETS, "custom")
INDENT = "\u3000"  # a full-width space: sub-departments indented under their parent


def _range(prefix: str, choice: str, today: dt.date) -> Period:
    label = t("bi_pages.filter.range")
    if choice != "custom":
        period = preset(choice, today)
        st.date_input(label, value=(period.start, period.end), disabled=True,
                      key=f"{prefix}.range.{choice}")  # fmt: skip
        return period
    start = preset("this_month", today)
    picked = st.date_input(label, value=(start.start, start.end), key=f"{prefix}.range.custom")
    days = [d for d in (picked if isinstance(picked, tuple | list) else [picked]) if d]
    if not days:
        return start
    return Period(min(days), max(days))


def period_filter(prefix: str, default: str = "this_month", *, columns=None) -> Period:
    """The preset select and the range it stands for (editable when "custom")."""
    left, right = columns or st.columns(2)
    with left:
        choice = st.selectbox(
            t("bi_pages.filter.period"),
            CHOICES,
            index=CHOICES.index(default),
            key=f"{prefix}.period",
            format_func=lambda c: t(f"bi.period.{c}"),
        )
    with right:
        return _range(prefix, choice, business_today())


def _keep_valid(key: str, options: list) -> None:
    """A choice that left the options (another department picked) falls back to "all"."""
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)


def who_filter(actor: Actor, mirror, prefix: str, keys, *, columns=None) -> Who:
    """Department and employee within the viewer's scope for `keys`; a viewer who reaches only
    themself gets no picker (their figures are theirs alone)."""
    reach = people.reach(actor, keys)
    if reach is not None and len(reach) <= 1:
        return EVERYONE
    left, right = columns or st.columns(2)
    deps = people.departments(mirror, actor=actor, keys=keys)
    names = {r["id"]: INDENT * r["depth"] + r["name"] for r in deps.iter_rows(named=True)}
    dep_key, emp_key = f"{prefix}.department", f"{prefix}.employee"
    _keep_valid(dep_key, [None, *names])
    with left:
        department = st.selectbox(t("bi_pages.filter.department"), [None, *names], key=dep_key,
                                  format_func=lambda d: names.get(d, t("bi_pages.filter.all_departments")))  # fmt: skip
    staff = people.employees(mirror, actor=actor, keys=keys, department_id=department)
    employees = dict(staff.select("id", "name").iter_rows())
    _keep_valid(emp_key, [None, *employees])
    with right:
        employee = st.selectbox(t("bi_pages.filter.employee"), [None, *employees], key=emp_key,
                                format_func=lambda u: employees.get(u, t("bi_pages.filter.all_employees")))  # fmt: skip
    return Who(department_id=department, user_ids=(employee,) if employee else ())


def filter_bar(actor: Actor, mirror, prefix: str, keys, *,
               default: str = "this_month") -> tuple[Period, Who]:  # fmt: skip
    """One row: period, range, department, employee."""
    with st.container(border=True):
        cols = st.columns([1, 1.4, 1.2, 1.2], vertical_alignment="bottom")
        period = period_filter(prefix, default, columns=cols[:2])
        who = who_filter(actor, mirror, prefix, keys, columns=cols[2:])
    return period, who
