"""Import templates and column matching (CUS-11): the importable fields of an entity, a
downloadable CSV/Excel template with translated headers (required ones marked *), and the
automatic mapping of a file's headers to fields by translated label or field name."""

from __future__ import annotations

import io
import re

import xlsxwriter

from core.entities import EntitySpec, FieldSpec, Kind
from core.i18n import LOCALES, t
from core.io.export import BOM, csv_line

REQUIRED_MARK = "*"
_NOISE = re.compile(r"[\s*＊:：()（）]+")


def importable_fields(spec: EntitySpec) -> list[FieldSpec]:
    """Editable fields a file can fill (no images), plus the owner (负责人) of owned records."""
    fields = [f for f in spec.fields if f.editable and f.kind != Kind.IMAGE]
    if spec.owned and spec.has_field("owner_id") and all(f.name != "owner_id" for f in fields):
        fields.append(spec.field("owner_id"))
    return fields


def header(f: FieldSpec) -> str:
    return t(f.label) + (REQUIRED_MARK if f.required else "")


def _normal(text: str) -> str:
    return _NOISE.sub("", str(text or "")).lower()


def aliases(f: FieldSpec) -> set[str]:
    """Every header text that means this field: its label in each language and its name."""
    names = {_normal(t(f.label, locale=loc)) for loc in LOCALES} | {_normal(f.name)}
    return {n for n in names if n}


def auto_mapping(spec: EntitySpec, headers: list[str]) -> dict[int, str]:
    """{column index: field name} for headers that name an importable field; each field is
    matched at most once (the first column wins)."""
    by_alias: dict[str, str] = {}
    for f in importable_fields(spec):
        for alias in aliases(f):
            by_alias.setdefault(alias, f.name)
    mapping: dict[int, str] = {}
    for index, text in enumerate(headers):
        name = by_alias.get(_normal(text))
        if name and name not in mapping.values():
            mapping[index] = name
    return mapping


def missing_required(spec: EntitySpec, mapping: dict[int, str]) -> list[FieldSpec]:
    """Required fields no column is mapped to (every row would fail on them)."""
    mapped = set(mapping.values())
    return [f for f in importable_fields(spec) if f.required and f.name not in mapped]


def _hint(f: FieldSpec) -> str:
    """What a cell of this field accepts, for the template's notes sheet."""
    match f.kind:
        case Kind.USER:
            return t("import.hint.user")
        case Kind.REF:
            return t("import.hint.ref")
        case Kind.DATE | Kind.DATETIME:
            return t("import.hint.date")
        case Kind.BOOL:
            return t("import.hint.bool")
        case Kind.MONEY | Kind.DECIMAL | Kind.INT:
            return t("import.hint.number")
        case Kind.MOBILE:
            return t("import.hint.mobile")
    return ""


def template_csv(spec: EntitySpec) -> bytes:
    """A CSV template: UTF-8 with BOM and the header row only."""
    return (BOM + csv_line([header(f) for f in importable_fields(spec)])).encode("utf-8")


def template_xlsx(spec: EntitySpec, option_values: dict[str, list[str]] | None = None) -> bytes:
    """An Excel template: the header row, and a notes sheet saying what each column takes
    (required, the allowed options, formats)."""
    option_values = option_values or {}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#F2F3F5", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(t(spec.title_key)[:25] or "Sheet1")
    notes = book.add_worksheet(t("import.template.notes_sheet"))
    for col, f in enumerate(importable_fields(spec)):
        sheet.set_column(col, col, max(12, 2 * len(header(f)) + 2), text)
        sheet.write_string(0, col, header(f), bold)
    sheet.freeze_panes(1, 0)
    for col, title in enumerate(
        (t("import.template.column"), t("import.template.required"), t("import.template.accepts"))
    ):
        notes.write_string(0, col, title, bold)
    notes.set_column(0, 0, 18)
    notes.set_column(2, 2, 60)
    for row, f in enumerate(importable_fields(spec), start=1):
        accepts = "、".join(option_values.get(f.name, [])) or _hint(f)
        notes.write_string(row, 0, t(f.label))
        notes.write_string(row, 1, t("records.yes") if f.required else "")
        notes.write_string(row, 2, accepts)
    book.close()
    return buffer.getvalue()
