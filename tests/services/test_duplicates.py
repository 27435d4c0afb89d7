"""查重 (CUS-3): name cores ignore width, spaces, punctuation and legal-form suffixes; phones
compare as digits; matches come from owned customers, pool customers and open leads, and
records the user may not open show only their name and owner."""

import pytest
from sqlalchemy import select

from core.models import Customer, Lead, Pool
from core.services import duplicates
from core.services.duplicates import normalise_name, normalise_phone


@pytest.mark.parametrize(
    "typed",
    [
        "华为技术有限公司",
        "华为技术（有限责任公司）",
        "华为技术股份有限公司",
        "华为技术集团",
        " 华为 技术 公司 ",
        "华为技术有限公司。",
    ],
)
def test_company_suffix_variants_share_one_name_core(typed):
    assert normalise_name(typed) == "华为技术"


def test_full_width_letters_and_spaces_compare_as_half_width():
    assert normalise_name("ＡＢＣ 科技　有限公司") == normalise_name("abc科技有限公司") == "abc科技"


def test_english_legal_forms_are_dropped_too():
    assert normalise_name("Acme Co., Ltd.") == normalise_name("ACME Limited") == "acme"


def test_a_name_that_is_only_a_legal_form_has_no_core():
    assert normalise_name("有限公司") == ""


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "0086 13800138000",
        "１３８００１３８０００",
    ],
)
def test_mobile_formats_compare_as_the_same_number(typed):
    assert normalise_phone(typed) == "13800138000"


@pytest.mark.parametrize(
    "typed", ["010-12345678", "(010) 1234 5678", "+86 10 12345678", "010-12345678 转 806"]
)
def test_landline_formats_compare_as_the_same_number(typed):
    assert normalise_phone(typed) == "01012345678"


@pytest.fixture
def market(session, org):
    users = org.users
    pool = session.scalar(select(Pool).where(Pool.is_default.is_(True)))
    session.add_all(
        [
            Customer(name="华为技术有限公司", phone="0755-28780808", owner_id=users["sales1"].id),
            Customer(name="北京字节跳动科技有限公司", owner_id=users["outsider"].id),
            Customer(name="联想集团", phone="010-58868888", owner_id=None, pool_id=pool.id),
            Lead(name="王总", company="小米科技有限责任公司", mobile="13900001111"),
            Lead(name="已转换", company="腾讯科技", is_converted=True),
            Customer(name="华为技术（回收站）", owner_id=users["sales1"].id),
        ]
    )
    session.flush()
    deleted = session.scalar(select(Customer).where(Customer.name == "华为技术（回收站）"))
    deleted.deleted_at = deleted.created_at
    session.commit()
    return org


def find(session, org, username, **probe):
    return duplicates.find(session, actor=org.actor(session, username), **probe)


def test_a_suffix_variant_of_an_owned_customer_is_an_exact_match(session, market):
    [match] = find(session, market, "sales1", name="华为技术股份有限公司")
    assert (match.source, match.name, match.exact_name, match.exact) == (
        "customer",
        "华为技术有限公司",
        True,
        True,
    )


def test_a_longer_name_containing_an_existing_one_is_similar_not_exact(session, market):
    [match] = find(session, market, "sales1", name="深圳华为技术有限公司")
    assert match.name == "华为技术有限公司" and not match.exact


def test_a_shorter_name_inside_an_existing_one_is_found(session, market):
    names = [m.name for m in find(session, market, "sales1", name="字节跳动")]
    assert names == ["北京字节跳动科技有限公司"]


def test_phone_in_another_format_is_an_exact_match(session, market):
    [match] = find(session, market, "sales1", name="无关名称", phone="(0755) 2878 0808")
    assert match.phone_match and match.exact and match.name == "华为技术有限公司"


def test_pool_customers_and_open_leads_are_checked_but_converted_leads_are_not(session, market):
    assert [(m.source, m.name) for m in find(session, market, "sales1", name="联想")] == [
        ("pool", "联想集团")
    ]
    lead = find(session, market, "sales1", name="小米科技", phone="139 0000 1111")
    assert [(m.source, m.name, m.phone_match) for m in lead] == [
        ("lead", "小米科技有限责任公司", True)
    ]
    assert find(session, market, "sales1", name="腾讯科技") == []


def test_deleted_customers_are_not_duplicates(session, market):
    names = {m.name for m in find(session, market, "sales1", name="华为技术")}
    assert names == {"华为技术有限公司"}


def test_records_out_of_scope_show_name_and_owner_but_no_id(session, market):
    [mine] = find(session, market, "sales1", name="华为技术")
    [theirs] = find(session, market, "sales1", name="字节跳动")
    assert mine.record_id is not None
    assert theirs.record_id is None and theirs.owner_name == "outsider"
    [for_admin] = find(session, market, "admin", name="字节跳动")
    assert for_admin.record_id is not None


def test_unrelated_names_and_short_phones_find_nothing(session, market):
    assert find(session, market, "sales1", name="完全不同的公司", phone="123") == []
    assert find(session, market, "sales1", name="", phone="") == []


def test_sql_wildcards_in_a_name_are_literal(session, market):
    assert find(session, market, "sales1", name="%%%%_") == []


def test_exact_customer_matches_ignore_leads_and_similar_names(session, market):
    actor = market.actor(session, "sales1")
    blocking = duplicates.exact_customer_matches(session, actor=actor, name="深圳华为技术")
    assert blocking == []
    lead_only = duplicates.exact_customer_matches(session, actor=actor, name="小米科技")
    assert lead_only == []
    assert [
        m.name for m in duplicates.exact_customer_matches(session, actor=actor, name="联想")
    ] == ["联想集团"]
