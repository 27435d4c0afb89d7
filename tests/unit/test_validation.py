"""Form validation by field specs: clean values, or one translated key per bad field."""

import datetime as dt
from decimal import Decimal

import pytest

from core.entities import FieldSpec, Kind, define
from core.errors import ValidationFailed
from core.models import Lead
from core.validation import Upload, sniff_image, validate

SPEC = define(
    "test_validation_lead",
    Lead,
    i18n="records",
    actions="crm.lead",
    fields=[
        FieldSpec("name", required=True),
        FieldSpec("email", Kind.EMAIL),
        FieldSpec("mobile", Kind.MOBILE),
        FieldSpec("phone", Kind.PHONE),
        FieldSpec("address", Kind.URL),
        FieldSpec("level", Kind.OPTION, options="lead_level"),
        FieldSpec("industry", Kind.CHOICE, choices=("it", "retail")),
        FieldSpec("next_contact_at", Kind.DATETIME),
        FieldSpec("visits", Kind.INT, min_value=0, max_value=100),
        FieldSpec("since", Kind.DATE),
        FieldSpec("is_converted", Kind.BOOL, readonly=True),
    ],
)
OPTIONS = {"lead_level": {"高", "中", "低"}}


def clean(**values):
    return validate(SPEC, {"name": "张三"} | values, creating=True, options=OPTIONS)


def problem(**values):
    with pytest.raises(ValidationFailed) as failure:
        clean(**values)
    return {
        name: key.removeprefix("records.validation.")
        for name, (key, _) in failure.value.errors.items()
    }


def test_the_column_length_becomes_the_maximum_length():
    assert SPEC.field("name").max_length == 100
    assert problem(name="张" * 101) == {"name": "too_long"}
    assert clean(name="张" * 100)["name"] == "张" * 100


def test_whitespace_is_stripped_and_empty_required_fields_are_refused():
    assert clean(name="  李四 \n")["name"] == "李四"
    assert problem(name="   ") == {"name": "required"}


def test_every_bad_field_is_reported_at_once():
    assert problem(name="", email="x", mobile="123") == {
        "name": "required",
        "email": "email",
        "mobile": "mobile",
    }


@pytest.mark.parametrize("mobile", ["13800138000", "138 0013 8000", "+86 138-0013-8000"])
def test_chinese_mobile_numbers_are_accepted_and_normalised(mobile):
    assert clean(mobile=mobile)["mobile"] == "13800138000"


@pytest.mark.parametrize("mobile", ["12800138000", "1380013800", "138001380000", "abc"])
def test_malformed_mobile_numbers_are_refused(mobile):
    assert problem(mobile=mobile) == {"mobile": "mobile"}


@pytest.mark.parametrize(
    "phone", ["010-12345678", "0755 8888 8888", "400-800-1234", "021-1234567转123"]
)
def test_phone_numbers_in_common_shapes_are_accepted(phone):
    assert clean(phone=phone)["phone"] == phone


@pytest.mark.parametrize("phone", ["12", "电话", "010-1234x"])
def test_malformed_phone_numbers_are_refused(phone):
    assert problem(phone=phone) == {"phone": "phone"}


@pytest.mark.parametrize(
    ("email", "ok"),
    [("a.b@example.com.cn", True), ("a@b", False), ("a b@c.com", False), ("<a>@c.com", False)],
)
def test_email_addresses_must_be_well_formed(email, ok):
    assert (
        (clean(email=email)["email"] == email) if ok else problem(email=email) == {"email": "email"}
    )


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("www.example.com", True),
        ("https://a.cn/x?y=1", True),
        ("javascript:alert(1)", False),
        ("not a url", False),
    ],
)
def test_web_addresses_must_be_http_or_https(url, ok):
    assert (
        (clean(address=url)["address"] == url) if ok else problem(address=url) == {"address": "url"}
    )


def test_numbers_accept_full_width_digits_and_refuse_text_and_out_of_range_values():
    assert clean(visits="１２")["visits"] == 12
    assert problem(visits="十二") == {"visits": "not_a_number"}
    assert problem(visits="1.5") == {"visits": "not_an_integer"}
    assert problem(visits="101") == {"visits": "too_large"}
    assert problem(visits="-1") == {"visits": "too_small"}
    assert problem(visits="NaN") == {"visits": "not_a_number"}


def test_options_and_choices_must_be_known_values():
    assert clean(level="高", industry="it")["level"] == "高"
    assert problem(level="超高") == {"level": "unknown_option"}
    assert problem(industry="mining") == {"industry": "unknown_option"}


def test_dates_and_datetimes_are_parsed_from_text():
    cleaned = clean(since="2026-11-02", next_contact_at="2026-11-02 09:30")
    assert cleaned["since"] == dt.date(2026, 11, 2)
    assert cleaned["next_contact_at"] == dt.datetime(2026, 11, 2, 9, 30)
    assert problem(since="11/02/2026") == {"since": "not_a_date"}


def test_readonly_and_unknown_fields_are_never_taken_from_input():
    cleaned = clean(is_converted=True, owner_id=1, password_hash="x")
    assert not {"is_converted", "owner_id", "password_hash"} & set(cleaned)


def test_an_update_checks_only_the_fields_it_changes():
    assert validate(SPEC, {"email": "a@b.cn"}, creating=False) == {"email": "a@b.cn"}


def test_html_and_sql_text_stay_exactly_as_typed():
    text = "<script>alert('x')</script> '; DROP TABLE leads; --"
    assert clean(name=text)["name"] == text


def test_nul_characters_are_dropped_because_postgresql_cannot_store_them():
    assert clean(name="张\x00三")["name"] == "张三"


def test_images_are_recognised_by_their_bytes_not_their_name():
    assert sniff_image(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff_image(b"GIF89a") is None
    spec = define(
        "test_validation_image",
        Lead,
        i18n="records",
        actions="crm.lead",
        fields=[FieldSpec("photo", Kind.IMAGE)],
    )
    cleaned = validate(
        spec, {"photo": Upload("x.txt", "text/plain", b"\xff\xd8\xff\xe0rest")}, creating=True
    )
    assert cleaned["photo"].content_type == "image/jpeg"


def test_money_is_rounded_to_cents_only_when_nothing_is_lost():
    spec = define(
        "test_validation_money",
        Lead,
        i18n="records",
        actions="crm.lead",
        fields=[FieldSpec("amount", Kind.MONEY)],
    )
    assert validate(spec, {"amount": "1,234.5"}, creating=True) == {"amount": Decimal("1234.50")}
    with pytest.raises(ValidationFailed):
        validate(spec, {"amount": "1.005"}, creating=True)
