"""Times are stored in UTC and typed/shown in the business time zone (Asia/Shanghai by default)."""

import datetime as dt

from core.i18n import to_local, to_utc


def test_a_time_typed_in_shanghai_is_stored_eight_hours_earlier_in_utc():
    assert to_utc(dt.datetime(2026, 11, 2, 9, 30)) == dt.datetime(2026, 11, 2, 1, 30)


def test_local_and_utc_conversions_round_trip():
    stored = dt.datetime(2026, 1, 1, 23, 15)
    assert to_utc(to_local(stored)) == stored
