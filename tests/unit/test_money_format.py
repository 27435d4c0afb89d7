"""Amounts are RMB for every user: "¥" in all three languages, never Babel's "CN¥"."""

import pytest

from core.i18n import format_compact_money, format_money, get_locale, set_locale


@pytest.fixture
def locale():
    before = get_locale()
    yield set_locale
    set_locale(before)


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant", "en"])
def test_money_shows_the_yuan_sign_in_every_language(locale, lang):
    locale(lang)
    assert format_money(1234) == "¥1,234.00"
    assert format_money(-1234.5) == "-¥1,234.50"


def test_no_amount_shows_nothing(locale):
    locale("en")
    assert format_money(None) == "" and format_compact_money(None) == ""


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("zh_Hans", "¥2271.11万"), ("zh_Hant", "¥2271.11萬"), ("en", "¥22.71M")],
)
def test_a_large_amount_is_shortened_the_languages_way_with_the_yuan_sign(locale, lang, shown):
    locale(lang)
    assert format_compact_money(22_711_056.78) == shown
