"""Business-local time in the mirror: the store keeps naive UTC, reports bucket by the business
day (`CRM_TIMEZONE`), so timestamps are shifted to local time as they enter DuckDB.

Why in SQL and not with DuckDB's time zone functions: those need the ICU extension, which these
machines do not have (STACK-NOTES). The zone's UTC offsets over the years a CRM holds are few
(one for Asia/Shanghai since 1991), so a CASE over the offset changes does the conversion."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from core.i18n import business_zone

FIRST_YEAR, LAST_YEAR = 2000, 2060  # outside these, the nearest known offset applies


def _offset(zone, utc: dt.datetime) -> int:
    return int(utc.replace(tzinfo=dt.UTC).astimezone(zone).utcoffset().total_seconds())


def _change_between(zone, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    """The first UTC hour in (low, high] whose offset differs from low's (one change inside)."""
    before = _offset(zone, low)
    while high - low > dt.timedelta(hours=1):
        middle = low + (high - low) / 2
        middle = middle.replace(minute=0, second=0, microsecond=0)
        if middle <= low:
            middle = low + dt.timedelta(hours=1)
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high


@functools.cache
def offset_changes(zone_name: str) -> tuple[int, tuple[tuple[dt.datetime, int], ...]]:
    """(offset before the first change, ((UTC instant of change, offset from then on), …)) in
    seconds, between FIRST_YEAR and LAST_YEAR. Weeks are probed (offsets change at most twice a
    year), then the hour bisected."""
    zone = ZoneInfo(zone_name)
    day = dt.datetime(FIRST_YEAR, 1, 1)
    first = current = _offset(zone, day)
    changes = []
    while day.year <= LAST_YEAR:
        following = day + dt.timedelta(days=7)
        offset = _offset(zone, following)
        if offset != current:
            changes.append((_change_between(zone, day, following), offset))
            current = offset
        day = following
    return first, tuple(changes)


def local_sql(column: str) -> str:
    """DuckDB SQL for `column` (naive UTC TIMESTAMP) as naive business-local time."""
    first, changes = offset_changes(business_zone().key)
    if not changes:
        return f"({column} + INTERVAL {first} SECOND)"
    branches = [f"WHEN {column} < TIMESTAMP '{changes[0][0]:%Y-%m-%d %H:%M:%S}' THEN {first}"]
    branches += [
        f"WHEN {column} < TIMESTAMP '{until:%Y-%m-%d %H:%M:%S}' THEN {offset}"
        for (_, offset), (until, _) in zip(changes, changes[1:], strict=False)
    ]
    return f"({column} + to_seconds(CASE {' '.join(branches)} ELSE {changes[-1][1]} END))"
