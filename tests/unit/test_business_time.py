"""Times are stored in UTC and typed/shown in the business time zone (Asia/Shanghai by default)."""

import datetime as dt

from core.i18n import to_local, to_utc


def test_a_time_typed_in_shanghai_is_stored_eight_hours_earlier_in_utc():
    assert to_utc(dt.datetime(2026, 11, 2, 9, 30)) == dt.datetime(2026, 11, 2, 1, 30)


def test_local_and_utc_conversions_round_trip():
    stored = dt.datetime(2026, 1, 1, 23, 15)
    assert to_utc(to_local(stored)) == stored


def test_a_stored_time_is_shown_in_local_time_with_a_four_digit_year_in_every_language():
    from core.i18n import format_datetime, get_locale, set_locale

    stored = dt.datetime(2026, 11, 26, 9, 37)  # 17:37 in Shanghai
    before = get_locale()
    try:
        shown = {}
        for locale in ("zh_Hans", "zh_Hant", "en"):
            set_locale(locale)
            shown[locale] = format_datetime(stored)
    finally:
        set_locale(before)
    assert shown == {
        "zh_Hans": "2026/11/26 17:37",
        "zh_Hant": "2026/11/26 下午5:37",
        "en": "Nov 26, 2026, 5:37\u202fPM",
    }
