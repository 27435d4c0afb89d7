"""Altair charts for the dashboard and BI reports, built from the report frames: translated axis
and legend titles, tooltips with exact figures, money axes in 万 for Chinese (SI units for
English), horizontal bars for names (Chinese labels stay level and readable). A frame carrying
row numbers (core/ui/chart_pick.py) draws marks that a click picks."""

from __future__ import annotations

import altair as alt
import polars as pl

from core.i18n import get_locale
from core.ui.chart_pick import ROW, clickable

MONEY = "money"
COUNT = "count"
PCT = "pct"
NUMBER = "number"
# One palette everywhere: contract blue, receivable green, targets grey, then the rest.
PALETTE = ["#2f6fde", "#27a776", "#f0a030", "#8e63ce", "#e0584f", "#3bb3c3", "#9aa4b1"]
TARGET_COLORS = ["#173a80", "#136045"]  # darker shades of contract blue / receivable green
BAR_HEIGHT = 26
DONUT_SLICES = 10  # more slices are unreadable; the table holds every row


def _rows_high(chart, height: float):
    """`height` for the plot alone: Streamlit's default autosize ("fit") would squeeze axes and
    legend into it too, and a chart of a few rows then collapses into overlapping labels."""
    return chart.properties(
        height=round(height), autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )


def _tooltip_format(kind: str) -> str:
    return {MONEY: ",.2f", PCT: ".2f", NUMBER: ",.2~f"}.get(kind, ",d")


def value_axis(kind: str, title: str | None = None, *, vertical: bool = False,
               **options) -> alt.Axis:  # fmt: skip
    """Money in 万 (Chinese) or SI units (English) so that big amounts stay short; a vertical
    axis has its title level above it (Chinese turned sideways is hard to read)."""
    if vertical and title:
        options |= {"titleAngle": 0, "titleAlign": "left", "titleBaseline": "bottom",
                    "titleX": 0, "titleY": -10}  # fmt: skip
    if kind == MONEY and get_locale() != "en":
        expr = (
            "abs(datum.value) >= 10000 ? format(datum.value / 10000, ',.4~r') + '万'"
            " : format(datum.value, ',~r')"
        )
        return alt.Axis(title=title, labelExpr=expr, tickMinStep=1, **options)
    if kind == MONEY:  # each label formatted alone: a shared SI prefix would show "0M"
        expr = "format(datum.value, '~s')"
        return alt.Axis(title=title, labelExpr=expr, tickMinStep=1, **options)
    if kind == PCT:
        return alt.Axis(title=title, format=".0f", **options)
    return alt.Axis(title=title, format=",~r", tickMinStep=1, **options)


def _tooltips(frame: pl.DataFrame, fields: list[tuple[str, str, str]]) -> list[alt.Tooltip]:
    """fields: (column, title, kind); kind "text" for labels."""
    tips = []
    for column, title, kind in fields:
        if column not in frame.columns:
            continue
        if kind == "text":
            tips.append(alt.Tooltip(f"{column}:N", title=title))
        else:
            tips.append(alt.Tooltip(f"{column}:Q", title=title, format=_tooltip_format(kind)))
    return tips


def ranked_bars(
    frame: pl.DataFrame,
    *,
    label: str,
    value: str,
    label_title: str,
    value_title: str,
    kind: str = MONEY,
    tooltips: list[tuple[str, str, str]] = (),
    limit: int = 20,
    color: str = PALETTE[0],
) -> alt.Chart:
    """Horizontal bars, largest on top, at most `limit` rows (the table holds them all)."""
    shown = frame.sort(value, descending=True).head(limit)
    tips = _tooltips(shown, [(label, label_title, "text"), (value, value_title, kind), *tooltips])
    bars = alt.Chart(shown).mark_bar(color=color, cornerRadiusEnd=3, height=BAR_HEIGHT - 8)
    chart = clickable(bars, shown).encode(
        y=alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=160)),
        x=alt.X(f"{value}:Q", title=value_title, axis=value_axis(kind, value_title)),
        tooltip=tips,
    )
    return _rows_high(chart, max(len(shown), 3) * BAR_HEIGHT)


def _long(frame: pl.DataFrame, x: str, series: dict[str, str]) -> pl.DataFrame:
    """Wide series columns → one row per (x, series) with the translated series name."""
    index = [x, ROW] if ROW in frame.columns else [x]
    long = frame.select(*index, *series).unpivot(index=index, variable_name="series",
                                                 value_name="value")  # fmt: skip
    return long.with_columns(pl.col("series").replace_strict(series, return_dtype=pl.String))


def _month_label(frame: pl.DataFrame, column: str, bucket: str) -> pl.DataFrame:
    fmt = "%m-%d" if bucket == "day" else "%Y-%m"
    return frame.with_columns(pl.col(column).dt.strftime(fmt).alias("_x"))


def grouped_bars(
    frame: pl.DataFrame,
    *,
    x: str,
    series: dict[str, str],
    x_title: str | None = None,
    value_title: str = "",
    kind: str = MONEY,
    bucket: str = "month",
    targets: dict[str, str] | None = None,
) -> alt.LayerChart | alt.Chart:
    """Bars per bucket (a date column), one colour per series; `targets` adds dashed lines."""
    data = _month_label(frame, x, bucket)
    order = data["_x"].to_list()
    names = list(series.values()) + list((targets or {}).values())
    colors = alt.Scale(
        domain=names, range=PALETTE[: len(series)] + TARGET_COLORS[: len(targets or {})]
    )
    x_enc = alt.X(
        "_x:N", sort=order, title=x_title, axis=alt.Axis(labelAngle=0 if len(order) <= 12 else -45)
    )
    legend = alt.Legend(title=None, orient="top")
    tip = [alt.Tooltip("_x:N", title=x_title or ""), alt.Tooltip("series:N", title=value_title or " "),
           alt.Tooltip("value:Q", title=value_title or " ", format=_tooltip_format(kind))]  # fmt: skip
    long = _long(data, "_x", series)
    bars = clickable(alt.Chart(long).mark_bar(cornerRadiusEnd=2), long).encode(
        x=x_enc, xOffset=alt.XOffset("series:N", sort=list(series.values())),
        y=alt.Y("value:Q", title=value_title, axis=value_axis(kind, value_title, vertical=True)),
        color=alt.Color("series:N", scale=colors, legend=legend), tooltip=tip,
    )  # fmt: skip
    if not targets:
        return bars.properties(height=300)
    lines = alt.Chart(_long(data, "_x", targets)).mark_line(strokeDash=[5, 4], point=True).encode(
        x=x_enc, y="value:Q", color=alt.Color("series:N", scale=colors, legend=legend),
        detail="series:N", tooltip=tip,
    )  # fmt: skip
    return alt.layer(bars, lines).properties(height=300)


def lines(
    frame: pl.DataFrame,
    *,
    x: str,
    series: dict[str, str],
    x_title: str | None = None,
    value_title: str = "",
    kind: str = COUNT,
    bucket: str = "month",
) -> alt.LayerChart:
    """One line per series over the period's buckets (a date column)."""
    unit = "utcyearmonthdate" if bucket == "day" else "utcyearmonth"
    fmt = "%m-%d" if bucket == "day" else "%Y-%m"
    # ISO text, not a date: the browser then reads it as UTC midnight, and UTC time units show
    # the same day in every time zone (a date column arrived as local midnight: a day early).
    long = _long(frame, x, series).with_columns(pl.col(x).dt.strftime("%Y-%m-%d"))
    base = alt.Chart(long).encode(
        x=alt.X(f"{x}:T", timeUnit=unit, title=x_title, axis=alt.Axis(format=fmt, labelAngle=0)),
        y=alt.Y("value:Q", title=value_title, axis=value_axis(kind, value_title, vertical=True)),
        color=alt.Color("series:N", sort=list(series.values()), legend=alt.Legend(title=None, orient="top"),
                        scale=alt.Scale(range=PALETTE)),
        tooltip=[alt.Tooltip(f"{x}:T", timeUnit=unit, title=x_title or "", format=fmt),
                 alt.Tooltip("series:N", title=" "),
                 alt.Tooltip("value:Q", title=value_title or " ", format=_tooltip_format(kind))],
    )  # fmt: skip
    points = clickable(base.mark_point(filled=True, size=60), long)  # a click picks a bucket
    return alt.layer(base.mark_line(), points).properties(height=280)


def funnel(
    frame: pl.DataFrame,
    *,
    stage: str,
    value: str,
    value_title: str,
    stage_title: str,
    tooltips: list[tuple[str, str, str]] = (),
    kind: str = COUNT,
) -> alt.LayerChart:
    """A centred funnel: one bar per stage in pipeline order, widths by `value`, the figure in
    the middle of each bar."""
    order = frame[stage].to_list()
    data = frame.with_columns((-pl.col(value) / 2).alias("_lo"), (pl.col(value) / 2).alias("_hi"))
    tips = _tooltips(data, [(stage, stage_title, "text"), (value, value_title, kind), *tooltips])
    y = alt.Y(f"{stage}:N", sort=order, title=None, axis=alt.Axis(labelLimit=160, ticks=False,
                                                                  domain=False))  # fmt: skip
    base = alt.Chart(data).encode(y=y)
    bars = clickable(base.mark_bar(height=BAR_HEIGHT, cornerRadius=3), data).encode(
        x=alt.X("_lo:Q", axis=None),
        x2="_hi:Q",
        color=alt.Color(f"{stage}:N", sort=order, legend=None, scale=alt.Scale(range=PALETTE)),
        tooltip=tips,
    )
    text = base.mark_text(color="white", fontWeight="bold").encode(
        x=alt.datum(0), text=alt.Text(f"{value}:Q", format=_tooltip_format(kind)), tooltip=tips
    )
    return _rows_high(alt.layer(bars, text), max(len(order), 3) * (BAR_HEIGHT + 8))


def donut(
    frame: pl.DataFrame,
    *,
    label: str,
    value: str,
    label_title: str,
    value_title: str,
    kind: str = MONEY,
    share: str | None = None,
    share_title: str = "",
) -> alt.Chart:
    """Shares of a whole (category share of the amount): the largest DONUT_SLICES slices."""
    fields = [(label, label_title, "text"), (value, value_title, kind)]
    if share:
        fields.append((share, share_title, PCT))
    frame = frame.sort(value, descending=True).head(DONUT_SLICES)
    arcs = alt.Chart(frame).mark_arc(innerRadius=50, stroke="white")  # outer radius: fits the view
    return (
        clickable(arcs, frame)
        .encode(
            theta=alt.Theta(f"{value}:Q", stack=True),
            color=alt.Color(f"{label}:N", sort=frame[label].to_list(), scale=alt.Scale(scheme="tableau10"),
                            legend=alt.Legend(title=None, orient="right", labelLimit=120, symbolLimit=DONUT_SLICES)),
            order=alt.Order(f"{value}:Q", sort="descending"),
            tooltip=_tooltips(frame, fields),
        )
        .properties(height=max(260, 32 * len(frame)))  # the legend rows must fit
    )  # fmt: skip


def actual_vs_target(
    frame: pl.DataFrame,
    *,
    label: str,
    actual: str,
    target: str,
    actual_title: str,
    target_title: str,
    label_title: str,
    horizontal: bool = True,
) -> alt.LayerChart:
    """Actual as bars, target as a tick on each bar (employees, departments or months)."""
    order = frame[label].to_list()
    tips = _tooltips(frame, [(label, label_title, "text"), (actual, actual_title, MONEY),
                             (target, target_title, MONEY), ("completion_pct", "%", PCT)])  # fmt: skip
    cat = alt.Y if horizontal else alt.X
    val = alt.X if horizontal else alt.Y
    axis = alt.Axis(labelLimit=160, labelAngle=0) if not horizontal else alt.Axis(labelLimit=160)
    base = alt.Chart(frame).encode(
        cat(f"{label}:N", sort=order, title=None, axis=axis), tooltip=tips
    )
    bars = clickable(base.mark_bar(color=PALETTE[0], cornerRadiusEnd=2), frame).encode(
        val(f"{actual}:Q", title=actual_title,
            axis=value_axis(MONEY, actual_title, vertical=not horizontal))
    )  # fmt: skip
    ticks = base.mark_tick(color="#e0584f", thickness=3, size=BAR_HEIGHT - 4).encode(
        val(f"{target}:Q")
    )
    if not horizontal:
        return alt.layer(bars, ticks).properties(height=300)
    return _rows_high(alt.layer(bars, ticks), max(len(order), 3) * BAR_HEIGHT)


def paired_bars(
    frame: pl.DataFrame,
    *,
    label: str,
    series: dict[str, str],
    label_title: str,
    value_title: str,
    kind: str = COUNT,
    limit: int = 20,
    tooltips: list[tuple[str, str, str]] = (),
) -> alt.Chart:
    """Horizontal bars, two (or more) per label side by side — e.g. all vs. dealt customers —
    in the frame's order, at most `limit` labels."""
    shown = frame.head(limit)
    order = shown[label].to_list()
    long = _long(shown, label, series).join(shown.select(label, *[c for c, _, _ in tooltips]),
                                             on=label, how="left")  # fmt: skip
    tips = [alt.Tooltip(f"{label}:N", title=label_title), alt.Tooltip("series:N", title=" "),
            alt.Tooltip("value:Q", title=value_title, format=_tooltip_format(kind)),
            *_tooltips(long, list(tooltips))]  # fmt: skip
    chart = clickable(alt.Chart(long).mark_bar(cornerRadiusEnd=2), long).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=160)),
        yOffset=alt.YOffset("series:N", sort=list(series.values())),
        x=alt.X("value:Q", title=value_title, axis=value_axis(kind, value_title)),
        color=alt.Color("series:N", sort=list(series.values()), scale=alt.Scale(range=PALETTE),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=tips,
    )  # fmt: skip
    return _rows_high(chart, max(len(order), 3) * BAR_HEIGHT * 1.4)
