"""Translations (PLT-5): `t(key, **params)` in the current locale; Babel formatting.

Catalogs are TOML files per area under `catalogs/<locale>/`; Simplified Chinese is the source,
Traditional Chinese is derived with OpenCC (s2twp) with overrides in `catalogs/zh_Hant_overrides.toml`."""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import tomllib
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

CATALOG_DIR = Path(__file__).parent / "catalogs"
LOCALES = ("zh_Hans", "zh_Hant", "en")
DEFAULT_LOCALE = "zh_Hans"
# Babel's names for our locales.
BABEL_LOCALE = {"zh_Hans": "zh_Hans_CN", "zh_Hant": "zh_Hant_TW", "en": "en_US"}
YUAN = "¥"
LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)


def set_locale(locale: str | None) -> None:
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def get_locale() -> str:
    return _current.get()


def _flatten(data: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full}."))
        else:
            flat[full] = str(value)
    return flat


def _read_dir(locale: str) -> dict[str, str]:
    catalog: dict[str, str] = {}
    for path in sorted((CATALOG_DIR / locale).glob("*.toml")):
        with path.open("rb") as fh:
            catalog.update(_flatten(tomllib.load(fh)))
    return catalog


@functools.cache
def catalog(locale: str) -> dict[str, str]:
    """The whole catalog of one locale (read once per process)."""
    if locale != "zh_Hant":
        return _read_dir(locale)
    import opencc

    converter = opencc.OpenCC("s2twp")
    derived = {k: converter.convert(v) for k, v in catalog("zh_Hans").items()}
    overrides = CATALOG_DIR / "zh_Hant_overrides.toml"
    if overrides.exists():
        with overrides.open("rb") as fh:
            derived.update(_flatten(tomllib.load(fh)))
    return derived


def t(key: str, locale: str | None = None, **params) -> str:
    """The text for `key` in the locale; a missing key shows the key itself (tests forbid that)."""
    text = catalog(locale or get_locale()).get(key)
    if text is None:
        text = catalog(DEFAULT_LOCALE).get(key, key)
    return text.format(**params) if params else text


def has_key(key: str) -> bool:
    return key in catalog(DEFAULT_LOCALE)


def _babel() -> str:
    return BABEL_LOCALE[get_locale()]


def format_number(value, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=_babel())


def _yuan(text: str) -> str:
    """Babel writes CNY as "CN¥" outside mainland China (en_US, zh_Hant_TW) to tell it from
    the yen; for a Chinese sales team every amount is RMB, so plain "¥" is unambiguous."""
    return text.replace(babel_numbers.get_currency_symbol("CNY", locale=_babel()), YUAN)


def format_money(value: Decimal | float | int | None) -> str:
    """Money in yuan: "¥" and the locale's grouping, two decimals."""
    if value is None:
        return ""
    return _yuan(babel_numbers.format_currency(value, "CNY", locale=_babel()))


def format_compact_money(value: Decimal | float | int | None, fraction_digits: int = 2) -> str:
    """Money shortened the locale's way ("¥227.11万" in Chinese, "¥2.27M" in English)."""
    if value is None:
        return ""
    compact = babel_numbers.format_compact_currency(
        value, "CNY", locale=_babel(), fraction_digits=fraction_digits
    )
    return _yuan(compact)


def format_percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return babel_numbers.format_percent(value, format=pattern, locale=_babel())


def format_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return babel_dates.format_date(value, format="medium", locale=_babel())


def format_datetime(value: dt.datetime | None) -> str:
    """A stored (naive UTC) instant shown in the business time zone."""
    if value is None:
        return ""
    local, locale = to_local(value), _babel()
    day = babel_dates.format_date(local, format="short", locale=locale)
    if str(local.year) not in day:  # a two-digit year ("11/26/26" in English): spell it out
        day = babel_dates.format_date(local, format="medium", locale=locale)
    time = babel_dates.format_time(local, format="short", locale=locale)
    return Locale.parse(locale).datetime_formats["short"].format(time, day)


@functools.cache
def business_zone():
    """The configured business time zone (read once per process)."""
    from zoneinfo import ZoneInfo

    from core.config import get_settings

    return ZoneInfo(get_settings().timezone)


def business_today() -> dt.date:
    """Today's date in the business time zone (the server may run on UTC)."""
    return dt.datetime.now(business_zone()).date()


def to_local(value: dt.datetime) -> dt.datetime:
    """Naive UTC (as stored) → naive local time in the business time zone."""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(business_zone()).replace(tzinfo=None)


def to_utc(value: dt.datetime) -> dt.datetime:
    """Naive local time in the business time zone (as a user types it) → naive UTC (as stored)."""
    aware = value if value.tzinfo else value.replace(tzinfo=business_zone())
    return aware.astimezone(dt.UTC).replace(tzinfo=None)
