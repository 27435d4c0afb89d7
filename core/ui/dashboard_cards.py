"""Dashboard cards (CUS-1): the sales briefing with change against the previous equal period,
performance indicators against target, forgotten customers and the CRM to-do card; every
number opens the records behind it (core/ui/dashboard_drill.py)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core.bi.measures import MEASURES
from core.i18n import format_money, format_number, format_percent, t
from core.ui.dashboard_drill import open_drill
from core.ui.report import short_money

PER_ROW = 4


def _value(metric: str, value, *, exact: bool = False) -> str:
    if value is None:
        return "—"
    if not MEASURES[metric].is_amount:
        return format_number(value)
    return format_money(value) if exact else short_money(value)


def _delta(pct) -> str | None:
    if pct is None:
        return None
    sign = "+" if pct > 0 else ""
    return sign + format_percent(pct / 100, 1)


def _view_button(key: str, *what) -> None:
    st.button(t("dashboard.view_records"), key=key, type="tertiary", on_click=open_drill,
              args=what)  # fmt: skip


def briefing(frame: pl.DataFrame) -> None:
    """Eight cards, four a row: value in the period, change against the previous period."""
    st.subheader(t("dashboard.briefing.title"))
    rows = frame.to_dicts()
    for start in range(0, len(rows), PER_ROW):
        for col, row in zip(st.columns(PER_ROW), rows[start : start + PER_ROW], strict=False):
            metric = row["metric"]
            with col, st.container(border=True):
                st.metric(
                    t(f"dashboard.metric.{metric}"),
                    _value(metric, row["current"]),
                    _delta(row["change_pct"]),
                    delta_description=t("dashboard.vs_previous"),
                    help=t(
                        "dashboard.exact_values",
                        current=_value(metric, row["current"], exact=True),
                        previous=_value(metric, row["previous"], exact=True),
                    ),
                )
                _view_button(f"dashboard.brief.{metric}", "measure", metric)


def indicators(frame: pl.DataFrame) -> None:
    """Contract and receivable amount against the period's target, with completion."""
    st.subheader(t("dashboard.indicators.title"))
    for col, row in zip(st.columns(2), frame.to_dicts(), strict=False):
        with col, st.container(border=True):
            metric, pct = row["metric"], row["completion_pct"]
            st.metric(t(f"dashboard.indicators.{metric}"), short_money(row["actual"]),
                      format_percent(pct / 100, 1) if pct is not None else None,
                      delta_color="off", delta_arrow="off",
                      delta_description=t("dashboard.indicators.completion"))  # fmt: skip
            st.progress(min(max((pct or 0) / 100, 0.0), 1.0))
            if row["target"]:
                st.caption(
                    t(
                        "dashboard.indicators.target",
                        target=format_money(row["target"]),
                        actual=format_money(row["actual"]),
                    )
                )
            else:
                st.caption(t("dashboard.indicators.no_target"))


def forgotten(frame: pl.DataFrame) -> None:
    """Customers without a follow-up for 7 / 15 / 30 / 90 / 180 days or more."""
    with st.container(border=True):
        st.markdown(f"**{t('dashboard.forgotten.title')}**")
        for col, row in zip(st.columns(len(frame)), frame.to_dicts(), strict=True):
            with col:
                st.metric(t("dashboard.forgotten.days", days=row["days"]),
                          format_number(row["customers"]))  # fmt: skip
                _view_button(f"dashboard.forgotten.{row['days']}", "forgotten", row["days"])


def todo(frame: pl.DataFrame) -> None:
    """What needs doing: contact today, about to return to the pool, waiting approvals, plans
    due, contracts expiring — one row."""
    with st.container(border=True):
        st.markdown(f"**{t('dashboard.todo.title')}**")
        for col, row in zip(st.columns(len(frame)), frame.to_dicts(), strict=True):
            with col:
                st.metric(t(f"dashboard.todo.{row['item']}"), format_number(row["count"] or 0))
                _view_button(f"dashboard.todo.{row['item']}", "todo", row["item"])
