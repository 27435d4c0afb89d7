"""Click-through from charts (CUS-1, BI-*): a report frame numbered with `numbered` draws marks
that pick their table row on a click (the others fade; a click elsewhere clears it). The pick
travels as the row number, so a chart may sort, filter or reshape its frame freely."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import polars as pl

ROW = "_row"  # the row number of the report frame, carried into every mark's data
PICK = "pick"  # the chart's selection parameter, as Streamlit reports it
FADED = 0.35


def numbered(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its row numbers: charts drawn from it become clickable."""
    return frame.with_row_index(ROW)


def clickable(chart: alt.Chart, frame: pl.DataFrame) -> alt.Chart:
    """`chart` (one layer) with marks that pick their row, when `frame` carries row numbers."""
    if ROW not in frame.columns:
        return chart
    pick = alt.selection_point(name=PICK, fields=[ROW], toggle=False)
    mark = chart.mark if isinstance(chart.mark, alt.MarkDef) else alt.MarkDef(type=chart.mark)
    marked = chart.copy()
    marked.mark = alt.MarkDef(**{**mark.to_dict(), "cursor": "pointer"})
    faded = alt.condition(pick, alt.value(1), alt.value(FADED))
    return marked.add_params(pick).encode(opacity=faded)


def is_clickable(chart) -> bool:
    """Whether a chart (or a layer of it) picks rows; Altair lifts a layer's params to the top."""
    views = [chart, *getattr(chart, "layer", ())]
    params = [p for v in views if isinstance(v.params, list) for p in v.params]
    return any(getattr(p, "name", None) == PICK for p in params)


def picked_row(state: Mapping | None) -> int | None:
    """The row of the picked mark in a chart's selection state — `{"selection": {"pick":
    [{"_row": 3}]}}` — or None when nothing is picked."""
    picked = ((state or {}).get("selection") or {}).get(PICK) or []
    rows = [p[ROW] for p in picked if isinstance(p, Mapping) and p.get(ROW) is not None]
    return int(rows[0]) if rows else None


def latest_pick(picks: Mapping[str, int | None], last: str | None) -> int | None:
    """The row picked by the widget the user clicked last — nothing when that click cleared its
    pick — else the first widget holding one (a pick set without a click, as tests do)."""
    if last in picks:
        return picks[last]
    return next((row for row in picks.values() if row is not None), None)
