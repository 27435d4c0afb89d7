"""Vectorised building blocks: random picks, times (int64 µs, 0 = NULL), strings via Arrow."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.demo import names

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 3600 * SECOND
DAY = 24 * HOUR


def now_us() -> int:
    """Now in UTC, like the database clock that stamps created_at (µs since the epoch)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return int((now - dt.datetime(1970, 1, 1)).total_seconds()) * SECOND


def to_datetime(us: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(us))


def to_day(times: np.ndarray) -> np.ndarray:
    """Days since the epoch (the writer's Date format) of µs times."""
    return np.asarray(times, dtype=np.int64) // DAY


def segments(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For children counted per parent: (parent index of each child, rank within its parent)."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(len(parent)) - np.repeat(starts, counts)
    return parent, rank


def strings(values) -> pa.Array:
    return pa.array(list(values), pa.string())


def take(pool: pa.Array, idx: np.ndarray) -> pa.Array:
    return pc.take(pool, pa.array(np.asarray(idx, dtype=np.int64)))


def join(*parts) -> pa.Array:
    """Concatenate string arrays / scalars element-wise."""
    return pc.binary_join_element_wise(*parts, "")


def digits(values: np.ndarray, width: int) -> pa.Array:
    text = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
    return pc.utf8_lpad(text, width=width, padding="0")


class Random:
    """numpy Generator with the handful of shapes the demo needs."""

    def __init__(self, seed: int) -> None:
        self.g = np.random.default_rng(seed)

    def u(self, n: int) -> np.ndarray:
        return self.g.random(n)

    def ints(self, low, high, n: int) -> np.ndarray:
        """Uniform integers in [low, high] (inclusive; arrays allowed)."""
        low = np.asarray(low, dtype=np.int64)
        high = np.asarray(high, dtype=np.int64)
        return low + np.floor(self.g.random(n) * (high - low + 1)).astype(np.int64)

    def index(self, size: int, n: int, p=None) -> np.ndarray:
        if p is None or len(p) != size:
            return self.g.integers(0, size, n)
        p = np.asarray(p, dtype=np.float64)
        return np.searchsorted(np.cumsum(p / p.sum()), self.g.random(n), side="right").clip(
            0, size - 1
        )

    def pick(self, values, n: int, p=None) -> np.ndarray:
        values = np.asarray(values)
        return values[self.index(len(values), n, p)]

    def between(self, lo, hi, n: int) -> np.ndarray:
        """Uniform µs times in [lo, hi] (hi < lo collapses to lo)."""
        lo = np.asarray(lo, dtype=np.int64)
        span = np.maximum(np.asarray(hi, dtype=np.int64) - lo, 0)
        return lo + (self.g.random(n) * span).astype(np.int64)

    def daytime(self, lo, hi, n: int) -> np.ndarray:
        """Like `between`, but in office hours: 08:00–18:00 China time (00:00–10:00 UTC)."""
        t = self.between(lo, hi, n)
        office = t // DAY * DAY + (t % DAY) * 10 // 24
        return np.maximum(office, lo)

    def poisson(self, lam, n: int | None = None) -> np.ndarray:
        return self.g.poisson(lam, n).astype(np.int64)

    def chance(self, p, n: int) -> np.ndarray:
        return self.g.random(n) < p


class People:
    """Random Chinese names with their pinyin, mobiles and e-mail addresses."""

    def __init__(self) -> None:
        self.surnames = strings(names.SURNAMES)
        self.surname_py = strings(names.pinyin(s) for s in names.SURNAMES)
        given = [*names.MALE_CHARS, *names.FEMALE_CHARS]
        self.given = strings(given)
        self.given_py = strings(names.pinyin(c) for c in given)
        self.n_male = len(names.MALE_CHARS)
        self.n_female = len(names.FEMALE_CHARS)
        self.prefixes = strings(names.MOBILE_PREFIXES)
        self.domains = strings(names.EMAIL_DOMAINS)

    def make(self, rnd: Random, n: int) -> dict[str, pa.Array | np.ndarray]:
        """name, pinyin, gender ('男'/'女') for n people."""
        male = rnd.chance(0.55, n)
        s = rnd.index(len(names.SURNAMES), n, names.SURNAME_WEIGHTS)
        base = np.where(male, 0, self.n_male)
        size = np.where(male, self.n_male, self.n_female)
        g1 = base + (rnd.u(n) * size).astype(np.int64)
        g2 = base + (rnd.u(n) * size).astype(np.int64)
        two = rnd.chance(0.7, n)
        second = pc.if_else(pa.array(two), take(self.given, g2), "")
        second_py = pc.if_else(pa.array(two), take(self.given_py, g2), "")
        name = join(take(self.surnames, s), take(self.given, g1), second)
        py = join(take(self.surname_py, s), take(self.given_py, g1), second_py)
        gender = pc.if_else(pa.array(male), "男", "女")
        return {"name": name, "pinyin": py, "gender": gender}

    def mobiles(self, rnd: Random, n: int) -> pa.Array:
        prefix = take(self.prefixes, rnd.index(len(names.MOBILE_PREFIXES), n))
        return join(prefix, digits(rnd.ints(0, 99_999_999, n), 8))

    def emails(self, rnd: Random, py: pa.Array, domain: pa.Array | None = None) -> pa.Array:
        n = len(py)
        if domain is None:
            domain = take(self.domains, rnd.index(len(names.EMAIL_DOMAINS), n))
        number = pc.if_else(pa.array(rnd.chance(0.5, n)), digits(rnd.ints(1, 999, n), 1), "")
        return join(py, number, "@", domain)


def day_numbers(ctx, prefix: str, times: np.ndarray) -> pa.Array:
    """Numbers like HT202611270001: the rule's text, the creation day and a daily sequence."""
    days = to_day(times)
    seq = ctx.day_seq.setdefault(prefix, np.zeros(ctx.today + 2, dtype=np.int64))
    order = np.argsort(days, kind="stable")
    counts = np.bincount(days, minlength=len(seq))[: len(seq)]
    _, rank = segments(counts)
    number = np.empty(len(days), dtype=np.int64)
    number[order] = rank + seq[days[order]] + 1
    seq += counts
    text = pc.strftime(pa.array((days * DAY).view("datetime64[us]")), format="%Y%m%d")
    return join(prefix, text, digits(number, 4))
