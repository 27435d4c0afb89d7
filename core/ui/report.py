"""The common report block (BI-*, CUS-1): a chart, the table behind it with translated headers
and locale-formatted numbers, a CSV download of exactly that table (same rows, columns and
order; UTF-8 with BOM; numbers unformatted so spreadsheets can add them; text cells that would
run as formulas neutralised), and click-through: selecting a row, or clicking its mark in the
chart, opens the records behind it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import altair as alt
import polars as pl
import streamlit as st

from core.i18n import (
    format_compact_money,
    format_date,
    format_money,
    format_number,
    format_percent,
    t,
)
from core.io.export import BOM, neutralise
from core.permissions import Actor
from core.ui.chart_pick import PICK, is_clickable, latest_pick, numbered, picked_row
from core.ui.drill import Drill, show_drill

NUMERIC = {"int", "money", "number", "pct", "days"}
COMPACT_FROM = 100_000  # ¥2,271.11万 fits a card; ¥22,711,056.78 does not


def short_money(value) -> str:
    """Money for a card: 万 / 亿 (K / M in English) from COMPACT_FROM up, else exact."""
    if abs(value) < COMPACT_FROM:
        return format_money(value)
    return format_compact_money(value)


@dataclass(frozen=True)
class Col:
    """A table column: frame column, i18n key of its header, kind of value."""

    name: str
    label: str
    kind: str = "text"  # text / int / money / number / pct (a percent value) / days / date / month
    prefix: str = ""  # i18n key of a group the header belongs to ("合同金额" + "环比")

    @property
    def header(self) -> str:
        if self.prefix:
            return t("bi_pages.report.grouped_header", group=t(self.prefix), name=t(self.label))
        return t(self.label)


def cell(value, kind: str) -> str:
    """A value as the table shows it (locale formatted)."""
    if value is None:
        return "—" if kind in NUMERIC else ""
    match kind:
        case "money":
            return format_money(value)
        case "pct":
            return format_percent(float(value) / 100, 1)
        case "int":
            return format_number(value)
        case "number" | "days":
            return format_number(value, 0 if float(value).is_integer() else 1)
        case "date":
            return format_date(value)
        case "month":
            return f"{value:%Y-%m}" if isinstance(value, dt.date) else str(value)
    return str(value)


def csv_cell(value, kind: str) -> str:
    """A value as the CSV holds it: plain numbers, ISO dates, neutralised text."""
    if value is None:
        return ""
    if kind == "money":
        return f"{float(value):.2f}"
    if kind in NUMERIC:
        number = float(value)
        return str(int(number)) if number.is_integer() else f"{number:f}".rstrip("0")
    if kind == "month" and isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def display_table(frame: pl.DataFrame, columns: list[Col]) -> dict[str, list[str]]:
    return {c.header: [cell(v, c.kind) for v in frame[c.name].to_list()] for c in columns}


def table_csv(frame: pl.DataFrame, columns: list[Col]) -> bytes:
    """The table as CSV bytes: BOM, translated header row, one line per table row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    values = [frame[c.name].to_list() for c in columns]
    for row in zip(*values, strict=True):
        writer.writerow([csv_cell(v, c.kind) for v, c in zip(row, columns, strict=True)])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _selected_row(key: str, size: int) -> int | None:
    state = st.session_state.get(key)
    if state is None:
        return None
    selection = state["selection"]
    rows = list(selection.get("rows", [])) or [c[0] for c in selection.get("cells", [])]
    return rows[0] if rows and rows[0] < size else None


def report_table(key: str, frame: pl.DataFrame, columns: list[Col], *, file_name: str,
                 selectable: bool = True, on_select: Callable[[], None] | None = None,
                 hint_key: str = "bi_pages.report.click_hint") -> dict | None:  # fmt: skip
    """The table with its CSV download; returns the selected row (raw values) or None.
    `on_select` runs when the user changes the selection."""
    data = display_table(frame, columns)
    config = {
        c.header: st.column_config.TextColumn(alignment="right" if c.kind in NUMERIC else None)
        for c in columns
    }
    options = {"on_select": on_select or "rerun", "selection_mode": ["single-row", "single-cell"]}
    st.dataframe(data, key=key, hide_index=True, column_config=config, width="stretch",
                 **(options if selectable else {}))  # fmt: skip
    # A row, not fixed columns: in a half-width block a fifth was too narrow ("Downl…").
    with st.container(horizontal=True, vertical_alignment="center",
                      horizontal_alignment="left" if selectable else "right"):  # fmt: skip
        if selectable:
            st.caption(t(hint_key))
        st.download_button(
            t("bi_pages.report.download_csv"),
            data=table_csv(frame, columns),
            file_name=f"{file_name}_{dt.date.today():%Y%m%d}.csv",
            mime="text/csv",
            key=f"{key}.csv",
            on_click="ignore",
        )
    index = _selected_row(key, len(frame)) if selectable else None
    return frame.row(index, named=True) if index is not None else None


def frame_digest(frame: pl.DataFrame) -> str:
    """Short fingerprint of a frame's rows: a chart keyed by it starts without a pick when its
    figures change (a keyed chart would otherwise keep a pick of rows that moved)."""
    return f"{hash(tuple(frame.hash_rows().to_list())) & 0xFFFFFFFF:08x}"


def _clicked(block: str, widget: str) -> None:
    """Selection callback: remember which of a block's widgets the user clicked last."""
    st.session_state[f"{block}.clicked"] = widget


def _chart(one, key: str, block: str) -> str | None:
    """Draw one chart; returns its key when a click on it picks a row."""
    if not is_clickable(one):
        st.altair_chart(one, width="stretch", key=key)
        return None
    st.altair_chart(one, width="stretch", key=key, on_select=partial(_clicked, block, key),
                    selection_mode=PICK)  # fmt: skip
    return key


def _charts(key: str, drawn, digest: str) -> list[str]:
    """One chart across the width, or several side by side; returns the clickable ones' keys."""
    if not isinstance(drawn, list | tuple):
        return [k for k in [_chart(drawn, f"{key}.chart.{digest}", key)] if k]
    keys = []
    for i, (col, one) in enumerate(zip(st.columns(len(drawn)), drawn, strict=True)):
        with col:
            keys.append(_chart(one, f"{key}.chart{i}.{digest}", key))
    return [k for k in keys if k]


def _picked(key: str, frame: pl.DataFrame, chart_keys: list[str]) -> dict | None:
    """The row picked last in the table or one of its charts (raw values), or None."""
    picks = {key: _selected_row(key, len(frame))}
    picks |= {k: picked_row(st.session_state.get(k)) for k in chart_keys}
    index = latest_pick(picks, st.session_state.get(f"{key}.clicked"))
    return frame.row(index, named=True) if index is not None and index < len(frame) else None


def report_block(
    key: str,
    *,
    actor: Actor,
    title: str,
    frame: pl.DataFrame,
    columns: list[Col],
    chart: Callable[[pl.DataFrame], alt.TopLevelMixin | list] | None = None,
    file_name: str,
    drill: Callable[[dict], Drill] | None = None,
    empty: bool | None = None,
    empty_key: str = "bi_pages.report.empty",
    beside: bool = False,
) -> None:
    """Title, chart, table + CSV, and the records behind the selected row or clicked mark — or
    an empty state (`empty` says when a frame of zeros counts as empty; default: no rows).
    `beside` puts a compact chart (a donut) left of the table instead of above it."""
    st.subheader(title)
    if frame.is_empty() if empty is None else empty:
        st.info(t(empty_key))
        return
    chart_area, table_area = st.columns([2, 3], gap="large") if beside else (st.container(),) * 2
    chart_keys = []
    if chart is not None:
        with chart_area:
            # Row numbers make the chart's marks clickable, and lead a click back to its row.
            drawn = chart(numbered(frame) if drill is not None else frame)
            chart_keys = _charts(key, drawn, frame_digest(frame))
    with table_area:
        hint = "bi_pages.report.click_hint_chart" if chart_keys else "bi_pages.report.click_hint"
        report_table(key, frame, columns, file_name=file_name, selectable=drill is not None,
                     on_select=partial(_clicked, key, key), hint_key=hint)  # fmt: skip
    row = _picked(key, frame, chart_keys) if drill is not None else None
    if row is not None:
        show_drill(actor, drill(row), key=f"{key}.drill")
