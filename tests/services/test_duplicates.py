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


def test_a_shorter_name_that_starts_an_existing_one_is_found(session, market):
    names = [m.name for m in find(session, market, "sales1", name="北京字节跳动")]
    assert names == ["北京字节跳动科技有限公司"]


def test_a_name_without_its_city_finds_customers_and_leads_ending_with_it(session, market):
    names = [m.name for m in find(session, market, "sales1", name="字节跳动科技")]
    assert names == ["北京字节跳动科技有限公司"]
    lead = find(session, market, "sales1", name="米科技")
    assert [(m.source, m.name, m.exact) for m in lead] == [("lead", "小米科技有限责任公司", False)]


def test_a_name_inside_a_longer_one_is_found_only_with_the_slower_contains_check(session, market):
    assert find(session, market, "sales1", name="字节跳动") == []
    names = [m.name for m in find(session, market, "sales1", name="字节跳动", contains=True)]
    assert names == ["北京字节跳动科技有限公司"]


@pytest.mark.parametrize("typed", ["华为技朮有限公司", "毕为技术有限公司"])
def test_a_name_that_is_mostly_the_same_text_is_similar(session, market, typed):
    [match] = find(session, market, "sales1", name=typed)
    assert match.name == "华为技术有限公司" and not match.exact


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
    [theirs] = find(session, market, "sales1", name="北京字节跳动")
    assert mine.record_id is not None
    assert theirs.record_id is None and theirs.owner_name == "outsider"
    [for_admin] = find(session, market, "admin", name="北京字节跳动")
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


def stored_keys(session, model, record_id):
    keys = [c for c in ("name_key", "company_key", "phone_key", "mobile_key") if hasattr(model, c)]
    row = session.execute(select(*(getattr(model, k) for k in keys)).where(model.id == record_id))
    return dict(zip(keys, row.one(), strict=True))


def test_keys_follow_a_customer_through_create_and_update(session, org):
    from core.services import customers

    sales1 = org.actor(session, "sales1")
    made = customers.create(
        session, actor=sales1, values={"name": "Acme Co., Ltd.", "phone": "+86 138-0013-8000"}
    )
    session.commit()
    assert stored_keys(session, Customer, made.id) == {
        "name_key": "acme",
        "phone_key": "13800138000",
    }
    customers.update(
        session,
        actor=sales1,
        customer_id=made.id,
        values={"name": "星辰（深圳）有限公司", "phone": "(0755) 2878 0808"},
        expected_version=None,
    )
    session.commit()
    assert stored_keys(session, Customer, made.id) == {
        "name_key": "星辰深圳",
        "phone_key": "075528780808",
    }
    reversed_key = session.scalar(select(Customer.name_key_reversed).where(Customer.id == made.id))
    assert reversed_key == "圳深辰星"
    assert [m.record_id for m in find(session, org, "sales1", phone="0755-28780808")] == [made.id]


def test_keys_follow_a_lead_through_create_and_update(session, org):
    from core.services import leads

    sales1 = org.actor(session, "sales1")
    lead = leads.create(
        session, actor=sales1, values={"name": "王总", "company": "小米科技有限责任公司"}
    )
    leads.update(
        session,
        actor=sales1,
        lead_id=lead.id,
        values={"mobile": "139 0000 1111"},
        expected_version=None,
    )
    session.commit()
    assert stored_keys(session, Lead, lead.id) == {
        "name_key": "王总",
        "company_key": "小米科技",
        "phone_key": "",
        "mobile_key": "13900001111",
    }


def test_imported_customers_get_keys_when_created_and_when_updated(session, org):
    from core.io import importer, reader, templates
    from core.io.import_rules import RULES
    from core.io.importer import DuplicateMode

    spec = RULES["customer"].spec
    head = [templates.header(spec.field(n)) for n in ("name", "phone")]

    def load(rows, mode):
        data = "\r\n".join(",".join(r) for r in [head, *rows]).encode("utf-8-sig")
        table = reader.read_table(data, "data.csv")
        mapping = templates.auto_mapping(spec, table.headers)
        plan = importer.prepare(
            session, actor=org.actor(session, "admin"), entity="customer", table=table,
            mapping=mapping, mode=mode,
        )  # fmt: skip
        importer.commit(session, actor=org.actor(session, "admin"), plan=plan)
        session.commit()

    load([["星辰大海智能科技有限公司", "010-12345678"]], DuplicateMode.SKIP)
    made = session.scalar(select(Customer.id).where(Customer.name == "星辰大海智能科技有限公司"))
    assert stored_keys(session, Customer, made)["name_key"] == "星辰大海智能科技"
    load([["星辰大海智能科技有限公司", "138 0013 8000"]], DuplicateMode.UPDATE)
    assert stored_keys(session, Customer, made)["phone_key"] == "13800138000"
    [match] = find(session, org, "admin", name="星辰大海智能科技", phone="13800138000")
    assert match.exact_name and match.phone_match


def test_exact_customer_matches_need_the_same_core_or_phone(session, market):
    actor = market.actor(session, "sales1")
    by_phone = duplicates.exact_customer_matches(
        session, actor=actor, name="别的名字", phone="+86 755 2878 0808"
    )
    assert [m.name for m in by_phone] == ["华为技术有限公司"]


@pytest.mark.parametrize(
    "typed",
    [
        "华为技术有限公司",
        "ＡＢＣ 科技　有限公司",
        "Acme Co., Ltd.",
        "公司有限公司",
        "有限公司",
        "集团",
        "北京 字节-跳动（科技）集团股份有限公司。",
        "",
    ],
)
def test_bulk_name_keys_agree_with_the_row_rule(typed):
    import pyarrow as pa

    from core.match_keys import name_keys

    assert name_keys(pa.array([typed])).to_pylist() == [normalise_name(typed)]


@pytest.mark.parametrize(
    "typed",
    ["13800138000", "+86 138 0013 8000", "0086 13800138000", "(010) 1234 5678",
     "+86 10 12345678", "010-12345678 转 806", "0755-28780808 ext. 12", "１３８００１３８０００", ""],
)  # fmt: skip
def test_bulk_phone_keys_agree_with_the_row_rule(typed):
    import pyarrow as pa

    from core.match_keys import phone_keys

    assert phone_keys(pa.array([typed])).to_pylist() == [normalise_phone(typed)]
