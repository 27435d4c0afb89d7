"""Places: the cities customers sit in, their addresses and phone numbers, and unique
company names (city + brand + industry suffix)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.demo import names
from core.demo.context import Ctx
from core.demo.gen import digits, join, segments, strings, take
from core.demo.regions import CITIES, MUNICIPAL_DISTRICTS, SALES_REGIONS


class Places:
    """City lookup arrays and unique company names (city + brand + industry suffix)."""

    def __init__(self, industries: list[str]) -> None:
        self.short = strings(c.name for c in CITIES)
        self.full = strings(c.full_name for c in CITIES)
        self.province = strings(c.province for c in CITIES)
        municipal = [c.name in MUNICIPAL_DISTRICTS for c in CITIES]
        self.prefix = strings(
            "" if m else c.province for c, m in zip(CITIES, municipal, strict=False)
        )
        self.area = strings(f"{c.area_code}-" for c in CITIES)
        self.lat = np.array([c.lat for c in CITIES])
        self.lon = np.array([c.lon for c in CITIES])
        self.py = strings(names.initials(c.name) for c in CITIES)
        zones = []
        for c in CITIES:
            options = MUNICIPAL_DISTRICTS.get(c.name, names.ZONES)
            zones += [options[i % len(options)] for i in range(6)]
        self.zones = strings(zones)
        region_of = np.array([SALES_REGIONS.index(c.region) for c in CITIES])
        self.by_region = [np.flatnonzero(region_of == r) for r in range(len(SALES_REGIONS))]
        chars = names.BRAND_CHARS
        self.brand_chars = strings(chars)
        self.brand_py = strings(names.pinyin(c) for c in chars)
        suffixes = [names.INDUSTRY_SUFFIXES.get(i, names.GENERIC_SUFFIXES) for i in industries]
        self.suffixes = strings(s for group in suffixes for s in group)
        self.roads = strings(names.ROADS)
        self.buildings = strings(names.BUILDINGS)

    def cities(self, ctx: Ctx, owners: np.ndarray) -> np.ndarray:
        """A city near the owner's sales region (70 %) or anywhere."""
        rnd, n = ctx.rnd, len(owners)
        city = rnd.index(len(CITIES), n)
        region = ctx.org.region[owners]
        local = rnd.chance(0.7, n) & (region >= 0) & (region < len(SALES_REGIONS))
        for r, members in enumerate(self.by_region):
            sel = local & (region == r)
            city[sel] = members[rnd.index(len(members), int(sel.sum()))]
        return city

    def company(self, ctx: Ctx, city: np.ndarray, industry: np.ndarray) -> dict:
        """Unique names: a per-city counter walks a permutation of (brand, suffix slot)."""
        order = np.argsort(city, kind="stable")
        counts = np.bincount(city, minlength=len(CITIES))
        _, rank = segments(counts)
        j = np.empty(len(city), dtype=np.int64)
        j[order] = rank + ctx.city_seq[city[order]]
        ctx.city_seq += counts
        k = len(names.BRAND_CHARS)
        two = k * k * 4
        small = j < two
        shift = city * 7727  # so the n-th company of every city does not share a brand
        p2 = (j * 7919 + 104_729 + shift) % two
        p3 = ((j - two) * 7919 + 104_729 + shift) % (two * k)
        p = np.where(small, p2, p3)
        slot, rest = p % 4, p // 4
        c1, c2, c3 = rest % k, (rest // k) % k, rest // (k * k)
        third = pc.if_else(pa.array(small), "", take(self.brand_chars, c3 % k))
        third_py = pc.if_else(pa.array(small), "", take(self.brand_py, c3 % k))
        brand = join(take(self.brand_chars, c1), take(self.brand_chars, c2), third)
        brand_py = join(take(self.brand_py, c1), take(self.brand_py, c2), third_py)
        suffix = take(self.suffixes, industry * 4 + slot)
        return {"name": join(take(self.short, city), brand, suffix), "py": brand_py}

    def address(self, ctx: Ctx, city: np.ndarray) -> pa.Array:
        rnd, n = ctx.rnd, len(city)
        zone = take(self.zones, city * 6 + rnd.index(6, n))
        road = take(self.roads, rnd.index(len(names.ROADS), n))
        number = digits(rnd.ints(1, 999, n), 1)
        building = take(self.buildings, rnd.index(len(names.BUILDINGS), n))
        floor = pc.if_else(pc.equal(building, ""), "", join(digits(rnd.ints(2, 28, n), 1), "层"))
        return join(
            take(self.prefix, city),
            take(self.full, city),
            zone,
            road,
            number,
            "号",
            building,
            floor,
        )

    def phone(self, ctx: Ctx, city: np.ndarray) -> pa.Array:
        return join(
            take(self.area, city), digits(ctx.rnd.ints(20_000_000, 89_999_999, len(city)), 8)
        )
