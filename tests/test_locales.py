"""Locale completeness (PLT-5): every key in every language, same placeholders, nothing empty,
and Traditional Chinese really derived from Simplified."""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path

import pytest

from core.i18n import CATALOG_DIR, DEFAULT_LOCALE, LOCALES, catalog, t

HAN = re.compile(r"[\u3400-\u9fff]")
WRITTEN = ("zh_Hans", "en")  # the catalogs people write; zh_Hant is derived


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _leaves(data: dict, prefix: str = ""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _file_keys(path: Path) -> dict[str, object]:
    with path.open("rb") as fh:
        return dict(_leaves(tomllib.load(fh)))


def test_simplified_chinese_and_english_have_exactly_the_same_keys():
    zh, en = set(catalog("zh_Hans")), set(catalog("en"))
    problems = []
    if zh - en:
        problems.append("missing in en:\n  " + "\n  ".join(sorted(zh - en)))
    if en - zh:
        problems.append("missing in zh_Hans:\n  " + "\n  ".join(sorted(en - zh)))
    assert not problems, "\n".join(problems)


def test_every_area_file_exists_in_both_written_languages_with_the_same_keys():
    problems = []
    names = {p.name for loc in WRITTEN for p in (CATALOG_DIR / loc).glob("*.toml")}
    for name in sorted(names):
        files = {loc: CATALOG_DIR / loc / name for loc in WRITTEN}
        absent = [loc for loc, path in files.items() if not path.exists()]
        if absent:
            problems.append(f"{name}: no file in {', '.join(absent)}")
            continue
        zh, en = (set(_file_keys(files[loc])) for loc in WRITTEN)
        problems += [f"{name}: {k} only in zh_Hans" for k in sorted(zh - en)]
        problems += [f"{name}: {k} only in en" for k in sorted(en - zh)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", WRITTEN)
def test_no_key_is_defined_in_two_area_files(locale):
    seen: dict[str, str] = {}
    clashes = []
    for path in sorted((CATALOG_DIR / locale).glob("*.toml")):
        for key in _file_keys(path):
            if key in seen:
                clashes.append(f"{key}: {seen[key]} and {path.name}")
            seen[key] = path.name
    assert not clashes, f"{locale}: later files silently override earlier ones:\n" + "\n".join(
        clashes
    )


def test_traditional_chinese_has_every_key():
    missing = sorted(set(catalog(DEFAULT_LOCALE)) - set(catalog("zh_Hant")))
    assert not missing, "missing in zh_Hant:\n  " + "\n  ".join(missing)


def test_traditional_overrides_only_name_existing_keys():
    path = CATALOG_DIR / "zh_Hant_overrides.toml"
    if not path.exists():
        return
    unknown = sorted(set(_file_keys(path)) - set(catalog(DEFAULT_LOCALE)))
    assert not unknown, "overrides for keys that do not exist:\n  " + "\n  ".join(unknown)


def test_traditional_chinese_is_converted_from_simplified():
    assert t("nav.customers", locale="zh_Hans") == "客户"
    assert t("nav.customers", locale="zh_Hant") == "客戶"


def test_placeholders_match_in_every_locale():
    source = catalog(DEFAULT_LOCALE)
    problems = []
    for locale in LOCALES:
        for key, text in catalog(locale).items():
            if key in source and _placeholders(text) != _placeholders(source[key]):
                problems.append(
                    f"{locale} {key}: {sorted(_placeholders(text))} "
                    f"vs zh_Hans {sorted(_placeholders(source[key]))}"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", WRITTEN)
def test_every_value_is_non_empty_text(locale):
    bad = [
        f"{path.name}: {key} = {value!r}"
        for path in sorted((CATALOG_DIR / locale).glob("*.toml"))
        for key, value in _file_keys(path).items()
        if not isinstance(value, str) or not value.strip()
    ]
    assert not bad, f"{locale}: empty or non-text values:\n" + "\n".join(bad)


def test_english_catalog_has_no_untranslated_chinese():
    leftovers = [f"{k} = {v!r}" for k, v in catalog("en").items() if HAN.search(v)]
    assert not leftovers, "Chinese text in the English catalog:\n" + "\n".join(leftovers)


def test_every_role_and_data_scope_has_a_name_in_the_catalog():
    from core.models import DataScope
    from core.seed import ROLE_DEFINITIONS

    keys = set(catalog(DEFAULT_LOCALE))
    wanted = [f"role.{code}" for code in ROLE_DEFINITIONS] + [f"scope.{s.value}" for s in DataScope]
    missing = [k for k in wanted if k not in keys]
    assert not missing, "missing:\n  " + "\n  ".join(missing)
