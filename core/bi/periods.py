"""Report periods (CUS-1 filters): presets, custom ranges, the previous equal period for
comparisons, the same period a year earlier, and the bucket rule (days inside one month)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from core.i18n import business_today

PRESETS = (
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def shift_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (earlier when negative), clamped to the month's end."""
    first = _add_months(day, months)
    return first.replace(day=min(day.day, calendar.monthrange(first.year, first.month)[1]))


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends before it starts: {self.start} > {self.end}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def end_exclusive(self) -> dt.date:
        """The day after `end`: timestamps are compared `>= start AND < end_exclusive`."""
        return self.end + dt.timedelta(days=1)

    @property
    def bucket(self) -> str:
        """ "day" inside one calendar month, else "month"."""
        same_month = (self.start.year, self.start.month) == (self.end.year, self.end.month)
        return "day" if same_month else "month"

    @property
    def whole_months(self) -> int:
        """How many calendar months the period covers exactly, 0 if it is not whole months."""
        if self.start.day != 1 or self.end != _month_end(self.end.year, self.end.month):
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> Period:
        """The equal period just before: whole months step back by months (March → February),
        anything else by its number of days (this week → last week)."""
        months = self.whole_months
        if months:
            start = _add_months(self.start, -months)
            return Period(start, self.start - dt.timedelta(days=1))
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def year_ago(self) -> Period:
        """The same dates a year earlier (29 February becomes the 28th)."""

        def back(day: dt.date) -> dt.date:
            last = calendar.monthrange(day.year - 1, day.month)[1]
            return dt.date(day.year - 1, day.month, min(day.day, last))

        if self.whole_months:
            return Period(back(self.start), _month_end(self.end.year - 1, self.end.month))
        return Period(back(self.start), back(self.end))

    def buckets(self) -> list[dt.date]:
        """The first day of every bucket, in order (charts show empty buckets too)."""
        if self.bucket == "day":
            return [self.start + dt.timedelta(days=i) for i in range(self.days)]
        first = self.start.replace(day=1)
        out = []
        while first <= self.end:
            out.append(first)
            first = _add_months(first, 1)
        return out


def month(year: int, month_: int) -> Period:
    return Period(dt.date(year, month_, 1), _month_end(year, month_))


def year(year_: int) -> Period:
    return Period(dt.date(year_, 1, 1), dt.date(year_, 12, 31))


def custom(start: dt.date, end: dt.date) -> Period:
    return Period(start, end)


def last_months(count: int, today: dt.date | None = None) -> Period:
    """The `count` calendar months ending with the current one (the dashboard trend)."""
    today = today or business_today()
    return Period(_add_months(today, -(count - 1)), _month_end(today.year, today.month))


def preset(name: str, today: dt.date | None = None) -> Period:
    """A named period around `today` (default: today in the business time zone); weeks start
    on Monday."""
    today = today or business_today()
    monday = today - dt.timedelta(days=today.weekday())
    quarter_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    match name:
        case "today":
            return Period(today, today)
        case "yesterday":
            day = today - dt.timedelta(days=1)
            return Period(day, day)
        case "this_week":
            return Period(monday, monday + dt.timedelta(days=6))
        case "last_week":
            return Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
        case "this_month":
            return month(today.year, today.month)
        case "last_month":
            first = _add_months(today, -1)
            return month(first.year, first.month)
        case "this_quarter":
            return Period(quarter_start, _add_months(quarter_start, 3) - dt.timedelta(days=1))
        case "last_quarter":
            start = _add_months(quarter_start, -3)
            return Period(start, quarter_start - dt.timedelta(days=1))
        case "this_year":
            return year(today.year)
        case "last_year":
            return year(today.year - 1)
    raise ValueError(f"unknown period preset {name!r}")
