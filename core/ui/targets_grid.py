"""The target settings grid (BI-7): year, metric and department/employee pickers, a 12-month
editable grid of the holders within the manager's scope, one all-or-nothing save."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core.db import transaction
from core.errors import DomainError
from core.i18n import format_money, t
from core.services import targets
from core.services.targets import GridRow
from core.ui.bi_filters import INDENT, business_today
from core.ui.context import show_error

FLASH = "targets.flash"


def pickers(prefix: str) -> tuple[int, str, str]:
    this_year = business_today().year
    years = list(range(this_year + 2, this_year - 4, -1))
    left, middle, right = st.columns([1, 2, 2], vertical_alignment="bottom")
    year = left.selectbox(t("bi_pages.filter.year"), years, index=2, key=f"{prefix}.year")
    metric = middle.segmented_control(
        t("targets.metric"), targets.METRICS, default="contract", required=True,
        key=f"{prefix}.metric", format_func=lambda m: t(f"targets.metrics.{m}"))  # fmt: skip
    holder = right.segmented_control(
        t("targets.holder"), targets.HOLDERS, default="department", required=True,
        key=f"{prefix}.holder", format_func=lambda h: t(f"targets.holders.{h}"))  # fmt: skip
    return year, metric, holder


def month_headers() -> list[str]:
    return [t("targets.month", month=m) for m in targets.MONTHS]


def grid_frame(rows: list[GridRow]) -> pl.DataFrame:
    """The editor's data: a name column, then one float column per month."""
    data: dict[str, list] = {t("targets.name"): [INDENT * r.holder.depth + r.holder.name
                                                 for r in rows]}  # fmt: skip
    for i, header in enumerate(month_headers()):
        data[header] = [float(r.amounts[i]) for r in rows]
    return pl.DataFrame(data)


def amounts_from(edited: pl.DataFrame, rows: list[GridRow]) -> dict[int, list]:
    """The edited grid as {holder id: twelve cells} for targets.save_grid (row order kept)."""
    months = month_headers()
    return {r.holder.id: [edited[header][i] for header in months] for i, r in enumerate(rows)}


def _save(actor, year: int, metric: str, holder: str, amounts: dict, editor_key: str) -> None:
    try:
        with transaction() as s:
            changed = targets.save_grid(s, actor=actor, year=year, metric=metric, holder=holder,
                                        amounts=amounts)  # fmt: skip
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state[FLASH] = ("targets.saved", changed) if changed else ("targets.unchanged", 0)
    st.session_state.pop(editor_key, None)
    st.rerun()


def target_grid(actor) -> None:
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(t(flash[0], count=flash[1]))
    with st.container(border=True):
        year, metric, holder = pickers("targets")
    with transaction() as s:
        rows = targets.grid(s, actor=actor, year=year, metric=metric, holder=holder)
    if not rows:
        st.info(t("targets.empty"))
        return
    editor_key = f"targets.grid.{year}.{metric}.{holder}"
    money = st.column_config.NumberColumn(min_value=0.0, max_value=999_999_999_999.99,
                                          step=0.01, format="localized")  # fmt: skip
    name = t("targets.name")
    edited = st.data_editor(
        grid_frame(rows), key=editor_key, hide_index=True, width="stretch", disabled=[name],
        column_config={name: st.column_config.TextColumn(pinned=True)}
        | dict.fromkeys(month_headers(), money),
    )  # fmt: skip
    total = targets.grid_total(
        [r.holder.depth for r in rows],
        [[float(v or 0) for v in edited[h].to_list()] for h in month_headers()],
    )
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(t("targets.grand_total", total=format_money(total)))
    if right.button(t("targets.save"), key="targets.save", type="primary", width="stretch"):
        _save(actor, year, metric, holder, amounts_from(edited, rows), editor_key)
