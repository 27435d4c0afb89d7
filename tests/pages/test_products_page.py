"""The products page (CUS-9) in AppTest: every role renders it, admins create and edit through
the generic form, bad input shows translated errors and saves nothing, reps only view."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import db as core_db
from core.models import ChangeLog, Product, ProductCategory
from tests.pages.harness import open_page, texts

pytestmark = pytest.mark.usefixtures("org_store")
PAGE = "pages/crm/products.py"


def stored(query):
    with core_db.transaction() as s:
        return s.execute(query).all()


def add_product(**fields):
    with core_db.transaction() as s:
        product = Product(**({"name": "打印机", "code": "PR-1", "price": Decimal("1999")} | fields))
        s.add(product)
        s.flush()
        return product.id


def present(at, key: str) -> bool:
    return any(getattr(e, "key", None) == key for e in at)


def open_new_form(at):
    at.button(key="product.new").click()
    return at.run()


def fill(at, **values):
    for name, value in values.items():
        at.get_by_key(f"product.{name}").set_value(value)
    return at


def save(at):
    at.button(key="product.save").click()
    return at.run()


@pytest.mark.parametrize("username", ["admin", "manager", "sales1", "sales2", "office"])
def test_products_page_renders_for_every_seeded_role(username):
    add_product()
    at = open_page(username, PAGE)
    assert not at.exception, at.exception
    assert "产品" in [t.value for t in at.title]
    assert "打印机" in at.dataframe[0].value.to_string()


def test_admin_creates_a_product_through_the_form_and_it_appears_in_the_list():
    at = open_new_form(open_page("admin", PAGE))
    at = save(fill(at, name="激光打印机", code="LP-100", price="2,999.5", unit="台"))
    assert not at.exception, at.exception
    assert stored(select(Product.name, Product.price)) == [("激光打印机", Decimal("2999.50"))]
    table = at.dataframe[0].value.to_string()
    assert "激光打印机" in table and "LP-100" in table
    assert not present(at, "product.save")  # the form closed after saving
    assert "激光打印机" in texts(at)  # the saved product's detail is open


def test_bad_price_shows_the_translated_error_keeps_input_and_saves_nothing():
    at = open_new_form(open_page("admin", PAGE))
    at = save(fill(at, name="扫描仪", code="SC-1", price="十元"))
    assert not at.exception, at.exception
    assert "请输入数字。" in texts(at)
    assert "请修正标出的字段后再保存。" in texts(at)
    assert at.text_input(key="product.name").value == "扫描仪"  # input kept
    assert stored(select(func.count()).select_from(Product)) == [(0,)]


def test_empty_required_fields_are_all_reported_at_once():
    at = save(open_new_form(open_page("admin", PAGE)))
    assert texts(at).count("此项为必填项。") == 2  # name and code; price starts at 0


def test_script_text_is_saved_and_shown_as_plain_text():
    script = "<script>alert(1)</script>"
    at = open_new_form(open_page("admin", PAGE))
    at = save(fill(at, name=script, code="JS-1", price="1"))
    assert stored(select(Product.name)) == [(script,)]
    assert script in at.dataframe[0].value.to_string()


def test_sales_rep_sees_no_create_edit_or_delete_buttons():
    product_id = add_product()
    at = open_page("sales1", PAGE)
    assert not present(at, "product.new")
    at.session_state["product.selected"] = product_id
    at = at.run()
    assert "打印机" in texts(at)
    assert not present(at, "product.edit") and not present(at, "product.delete")


def test_admin_edits_a_product_and_the_change_is_in_its_history():
    product_id = add_product()
    at = open_page("admin", PAGE)
    at.session_state["product.selected"] = product_id
    at = at.run()
    at.button(key="product.edit").click()
    at = at.run()
    assert at.text_input(key="product.price").value == "1999.00"
    at = save(fill(at, price="1899"))
    assert not at.exception, at.exception
    assert stored(select(Product.price)) == [(Decimal("1899.00"),)]
    rows = stored(select(ChangeLog.field, ChangeLog.new_value).where(ChangeLog.action == "update"))
    assert rows == [("price", "1899.00")]
    history = "\n".join(df.value.to_string() for df in at.dataframe)
    assert "标准价格" in history and "admin" in history


def test_a_second_submit_of_a_form_that_already_saved_creates_nothing():
    at = open_new_form(open_page("admin", PAGE))
    fill(at, name="投影仪", code="PJ-1", price="3000")
    state = dict(at.session_state["product.form_state"])
    at = save(at)
    # A double click: the same form instance (same token) submits again.
    at.session_state["product.form_state"] = state | {"errors": {}}
    at = at.run()
    at = save(fill(at, name="投影仪", code="PJ-2", price="3000"))
    assert not at.exception, at.exception
    assert stored(select(func.count()).select_from(Product)) == [(1,)]


def test_admin_creates_a_category_and_filters_products_by_it():
    add_product()
    at = open_page("admin", PAGE)
    at.text_input(key="product.category.new_name").set_value("办公设备")
    at.button(key="product.category.create").click()
    at = at.run()
    assert not at.exception, at.exception
    category_id = stored(select(ProductCategory.id))[0][0]
    at.radio(key="product.category_filter").set_value(category_id)
    at = at.run()
    assert "没有符合条件的记录" in texts(at)


def test_admin_uploads_a_product_image_and_the_detail_shows_it():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), (10, 120, 200)).save(buffer, format="PNG")
    at = open_new_form(open_page("admin", PAGE))
    fill(at, name="摄像头", code="CAM-1", price="299")
    at.get_by_key("product.image_id").set_value(("cam.png", buffer.getvalue(), "image/png"))
    at = save(at)
    assert not at.exception, at.exception
    assert stored(select(Product.image_id))[0][0] is not None
    assert len(at.image) == 1


def test_a_text_file_disguised_as_an_image_is_refused():
    at = open_new_form(open_page("admin", PAGE))
    fill(at, name="摄像头", code="CAM-1", price="299")
    at.get_by_key("product.image_id").set_value(("cam.png", b"not really a png", "image/png"))
    at = save(at)
    assert "仅支持 PNG、JPG、WEBP 格式的图片。" in texts(at)
    assert stored(select(func.count()).select_from(Product)) == [(0,)]


def test_an_edit_conflict_keeps_the_users_input_and_saves_nothing():
    product_id = add_product()
    at = open_page("admin", PAGE)
    at.session_state["product.selected"] = product_id
    at = at.run()
    at.button(key="product.edit").click()
    at = at.run()
    with core_db.transaction() as s:  # a colleague saves first
        s.get(Product, product_id).price = Decimal("1500")
    at = save(fill(at, price="1899"))
    assert not at.exception, at.exception
    assert "该记录已被其他人修改" in texts(at)
    assert at.text_input(key="product.price").value == "1899"
    assert stored(select(Product.price)) == [(Decimal("1500.00"),)]


def test_admin_deletes_a_product_after_confirming():
    product_id = add_product()
    at = open_page("admin", PAGE)
    at.session_state["product.selected"] = product_id
    at = at.run()
    at.button(key="product.delete").click()
    at = at.run()
    assert "确定删除「打印机」吗" in texts(at)
    at.button(key="product.confirm").click()
    at = at.run()
    assert not at.exception, at.exception
    assert stored(select(Product.deleted_at))[0][0] is not None
    assert "暂无数据。" in texts(at)
