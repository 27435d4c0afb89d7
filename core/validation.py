"""Form input → clean typed values by the entity's field specs, or `ValidationFailed` with a
translated key per field. User text is kept verbatim (HTML is just text; queries are bound)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from core.entities import TEXT_KINDS, EntitySpec, FieldSpec, Kind
from core.errors import ValidationFailed

K = "records.validation."
IMAGE_MAX_BYTES = 2 * 1024 * 1024
MONEY_MAX = Decimal("999999999999.99")  # Numeric(14, 2)
INT_MAX = 2**31 - 1

EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]{2,}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PHONE = re.compile(r"^\+?[\d\s\-()]{5,25}((转|#|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)
IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


@dataclass(frozen=True)
class Upload:
    """A file the user uploaded, independent of the UI toolkit."""

    filename: str
    content_type: str
    data: bytes


class Invalid(Exception):
    """One field's problem: an i18n key under records.validation and its parameters."""

    def __init__(self, key: str, **params) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _text(f: FieldSpec, raw: Any) -> str:
    # NUL cannot be stored by PostgreSQL; everything else is kept as typed.
    value = unicodedata.normalize("NFC", str(raw)).replace("\x00", "").strip()
    if f.max_length and len(value) > f.max_length:
        raise Invalid(K + "too_long", max=f.max_length)
    return value


def _email(f: FieldSpec, raw: Any) -> str:
    value = _text(f, raw)
    if not EMAIL.match(value):
        raise Invalid(K + "email")
    return value


def _mobile(f: FieldSpec, raw: Any) -> str:
    value = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", _text(f, raw)))
    value = re.sub(r"^(\+?86)(?=1\d{10}$)", "", value)
    if not MOBILE.match(value):
        raise Invalid(K + "mobile")
    return value


def _phone(f: FieldSpec, raw: Any) -> str:
    value = unicodedata.normalize("NFKC", _text(f, raw))
    if not PHONE.match(value) or sum(c.isdigit() for c in value) < 5:
        raise Invalid(K + "phone")
    return value


def _url(f: FieldSpec, raw: Any) -> str:
    value = _text(f, raw)
    parts = urlsplit(value if "://" in value else f"http://{value}")
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "." not in host or re.search(r"\s", value):
        raise Invalid(K + "url")
    return value


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise Invalid(K + "not_a_number")
    text = unicodedata.normalize("NFKC", str(raw)).replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Invalid(K + "not_a_number") from None
    if not value.is_finite():
        raise Invalid(K + "not_a_number")
    return value


def _in_range(f: FieldSpec, value, low, high):
    low = f.min_value if f.min_value is not None else low
    high = f.max_value if f.max_value is not None else high
    if low is not None and value < low:
        raise Invalid(K + "too_small", min=low)
    if high is not None and value > high:
        raise Invalid(K + "too_large", max=high)
    return value


def _int(f: FieldSpec, raw: Any) -> int:
    value = _number(raw)
    if value != value.to_integral_value():
        raise Invalid(K + "not_an_integer")
    return _in_range(f, int(value), -INT_MAX, INT_MAX)


def _money(f: FieldSpec, raw: Any) -> Decimal:
    value = _number(raw)
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise Invalid(K + "decimals", places=2)
    return _in_range(f, value.quantize(Decimal("0.01")), -MONEY_MAX, MONEY_MAX)


def _decimal(f: FieldSpec, raw: Any) -> Decimal:
    return _in_range(f, _number(raw), None, None)


def _date(f: FieldSpec, raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise Invalid(K + "not_a_date") from None


def _datetime(f: FieldSpec, raw: Any) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time())
    try:
        return dt.datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise Invalid(K + "not_a_date") from None


_TRUE = {"1", "true", "yes", "y", "是", "对", "on"}
_FALSE = {"0", "false", "no", "n", "否", "不", "off"}


def _bool(f: FieldSpec, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise Invalid(K + "unknown_option")


def _identifier(f: FieldSpec, raw: Any) -> int:
    """A users.id or a referenced record's id; the service checks that it exists."""
    try:
        return int(str(raw).strip())
    except ValueError:
        raise Invalid(K + "unknown_option") from None


def sniff_image(data: bytes) -> str | None:
    """The image type from the file's first bytes (the name and browser's type can lie)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _image(f: FieldSpec, raw: Any) -> Upload | int:
    if isinstance(raw, int):
        return raw  # an attachment kept from before
    if not isinstance(raw, Upload):
        raise Invalid(K + "image_type")
    kind = sniff_image(raw.data)
    if kind is None:
        raise Invalid(K + "image_type")
    if len(raw.data) > IMAGE_MAX_BYTES:
        raise Invalid(K + "image_too_large", max="2 MB")
    return Upload(raw.filename[:200], IMAGE_TYPES[kind], raw.data)


_CLEANERS = {
    Kind.TEXT: _text,
    Kind.TEXTAREA: _text,
    Kind.EMAIL: _email,
    Kind.MOBILE: _mobile,
    Kind.PHONE: _phone,
    Kind.URL: _url,
    Kind.INT: _int,
    Kind.MONEY: _money,
    Kind.DECIMAL: _decimal,
    Kind.DATE: _date,
    Kind.DATETIME: _datetime,
    Kind.BOOL: _bool,
    Kind.USER: _identifier,
    Kind.REF: _identifier,
    Kind.IMAGE: _image,
}


def _empty_value(f: FieldSpec) -> Any:
    if f.required:
        raise Invalid(K + "required")
    if f.kind in TEXT_KINDS:
        return "" if not f.nullable or f.default == "" else None
    if not f.nullable:
        if f.default is None:
            raise Invalid(K + "required")
        return f.default
    return None


def clean_field(f: FieldSpec, raw: Any, options: Collection[str] = ()) -> Any:
    """One field's clean value, or Invalid."""
    if is_empty(raw):
        return _empty_value(f)
    if f.kind == Kind.OPTION:
        value = _text(f, raw)
        if value not in options:
            raise Invalid(K + "unknown_option")
        return value
    if f.kind == Kind.CHOICE:
        value = str(raw).strip()
        if value not in f.choices:
            raise Invalid(K + "unknown_option")
        return value
    return _CLEANERS[f.kind](f, raw)


def validate(
    spec: EntitySpec,
    data: Mapping[str, Any],
    *,
    creating: bool,
    options: Mapping[str, Collection[str]] | None = None,
) -> dict[str, Any]:
    """Clean `data` by the spec's editable fields. Creating: every editable field is checked
    (missing = empty); updating: only the fields present. Raises ValidationFailed listing every
    bad field at once; readonly and unknown keys are ignored."""
    options = options or {}
    cleaned: dict[str, Any] = {}
    errors: dict[str, tuple[str, dict]] = {}
    for f in spec.fields:
        if not f.editable or (not creating and f.name not in data):
            continue
        try:
            cleaned[f.name] = clean_field(f, data.get(f.name), options.get(f.options, ()))
        except Invalid as problem:
            errors[f.name] = (problem.key, problem.params)
    if errors:
        raise ValidationFailed(errors)
    return cleaned
