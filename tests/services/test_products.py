"""Products and their category tree (CUS-9)."""

import io
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.errors import CycleDetected, NotAllowed, ValidationFailed
from core.models import Attachment, Product
from core.services import attachments, products, records
from core.services.products import PRODUCT, CategoryNotEmpty
from core.validation import IMAGE_MAX_BYTES, Upload


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def new_product(session, actor, **values):
    base = {"name": "笔记本电脑", "code": "NB-1", "price": "4999", "unit": "台"}
    product = records.create(session, actor=actor, spec=PRODUCT, values=base | values)
    session.commit()
    return product


@pytest.fixture
def admin(session, org):
    return org.actor(session, "admin")


@pytest.fixture
def tree(session, admin):
    """硬件 > 服务器 > 机架式; 软件."""
    hardware = products.create_category(session, actor=admin, name="硬件")
    server = products.create_category(session, actor=admin, name="服务器", parent_id=hardware.id)
    rack = products.create_category(session, actor=admin, name="机架式", parent_id=server.id)
    software = products.create_category(session, actor=admin, name="软件")
    session.commit()
    return {"hardware": hardware, "server": server, "rack": rack, "software": software}


def test_duplicate_product_code_is_refused_with_a_field_error(session, admin):
    new_product(session, admin)
    with pytest.raises(ValidationFailed) as failure:
        new_product(session, admin, name="另一台")
    session.rollback()
    assert failure.value.errors == {"code": ("records.validation.duplicate", {})}
    assert session.scalar(select(func.count()).select_from(Product)) == 1


def test_code_of_a_deleted_product_is_refused_with_a_recycle_bin_hint(session, admin):
    product = new_product(session, admin)
    records.soft_delete(session, actor=admin, spec=PRODUCT, record_id=product.id)
    session.commit()
    with pytest.raises(ValidationFailed) as failure:
        new_product(session, admin)
    assert failure.value.errors["code"][0] == "records.validation.duplicate_deleted"


def test_keeping_its_own_code_on_edit_is_not_a_duplicate(session, admin):
    product = new_product(session, admin)
    records.update(
        session,
        actor=admin,
        spec=PRODUCT,
        record_id=product.id,
        values={"code": "NB-1", "price": "4599"},
        expected_version=1,
    )
    session.commit()
    assert product.price == Decimal("4599.00")


def test_sales_rep_views_products_but_cannot_create_or_edit_them(session, org, admin):
    product = new_product(session, admin)
    sales = org.actor(session, "sales1")
    assert records.list_visible(session, actor=sales, spec=PRODUCT).total == 1
    with pytest.raises(NotAllowed):
        new_product(session, sales, code="NB-2")
    with pytest.raises(NotAllowed):
        records.update(
            session,
            actor=sales,
            spec=PRODUCT,
            record_id=product.id,
            values={"price": "1"},
            expected_version=None,
        )
    with pytest.raises(NotAllowed):
        products.create_category(session, actor=sales, name="配件")


def test_filter_by_category_includes_its_sub_categories(session, admin, tree):
    new_product(session, admin, code="A", category_id=tree["rack"].id)
    new_product(session, admin, code="B", category_id=tree["server"].id)
    new_product(session, admin, code="C", category_id=tree["software"].id)
    new_product(session, admin, code="D")

    def codes(category):
        where = products.in_category(session, category.id)
        page = records.list_visible(session, actor=admin, spec=PRODUCT, where=where, sort="code")
        return [p.code for p in page.rows]

    assert codes(tree["hardware"]) == ["A", "B"]
    assert codes(tree["rack"]) == ["A"]
    assert codes(tree["software"]) == ["C"]
    assert products.subtree_product_counts(session)[tree["hardware"].id] == 2


def test_category_tree_lists_children_under_their_parent(session, tree):
    shown = [(c.name, depth) for c, depth in products.category_tree(session)]
    assert shown == [("硬件", 0), ("服务器", 1), ("机架式", 2), ("软件", 0)]
    paths = dict(products.category_paths(session))
    assert paths[tree["rack"].id] == "硬件 / 服务器 / 机架式"


def test_rename_and_move_a_category(session, admin, tree):
    products.rename_category(session, actor=admin, category_id=tree["software"].id, name="软件服务")
    products.move_category(
        session, actor=admin, category_id=tree["software"].id, parent_id=tree["hardware"].id
    )
    session.commit()
    shown = [(c.name, depth) for c, depth in products.category_tree(session)]
    assert ("软件服务", 1) in shown


def test_moving_a_category_under_its_own_descendant_is_refused(session, admin, tree):
    with pytest.raises(CycleDetected):
        products.move_category(
            session, actor=admin, category_id=tree["hardware"].id, parent_id=tree["rack"].id
        )


def test_sibling_categories_cannot_share_a_name(session, admin, tree):
    with pytest.raises(ValidationFailed) as failure:
        products.create_category(session, actor=admin, name="软件")
    assert failure.value.errors["name"][0] == "product.category.duplicate_name"
    products.create_category(session, actor=admin, name="软件", parent_id=tree["hardware"].id)


def test_empty_category_name_is_refused(session, admin):
    with pytest.raises(ValidationFailed) as failure:
        products.create_category(session, actor=admin, name="   ")
    assert failure.value.errors["name"][0] == "records.validation.required"


def test_a_category_is_deleted_only_when_it_is_empty(session, admin, tree):
    product = new_product(session, admin, category_id=tree["software"].id)
    with pytest.raises(CategoryNotEmpty):
        products.delete_category(session, actor=admin, category_id=tree["software"].id)
    with pytest.raises(CategoryNotEmpty):
        products.delete_category(session, actor=admin, category_id=tree["server"].id)
    records.soft_delete(session, actor=admin, spec=PRODUCT, record_id=product.id)
    products.delete_category(session, actor=admin, category_id=tree["software"].id)
    session.commit()
    assert "软件" not in [c.name for c, _ in products.category_tree(session)]


def test_product_image_is_stored_in_the_database_and_replacing_it_logs_the_change(session, admin):
    product = new_product(session, admin, image_id=Upload("a.png", "image/png", png_bytes()))
    image = attachments.get(session, attachment_id=product.image_id)
    assert (image.content_type, image.subject_type, image.subject_id) == (
        "image/png",
        "product",
        product.id,
    )
    records.update(
        session,
        actor=admin,
        spec=PRODUCT,
        record_id=product.id,
        values={"image_id": Upload("b.png", "image/png", png_bytes((8, 8)))},
        expected_version=product.version,
    )
    session.commit()
    assert product.image_id != image.id
    assert session.get(Attachment, image.id).deleted_at is not None


@pytest.mark.parametrize(
    ("upload", "key"),
    [
        (Upload("x.png", "image/png", b"<html>not an image</html>"), "image_type"),
        (Upload("big.png", "image/png", png_bytes() + b"0" * IMAGE_MAX_BYTES), "image_too_large"),
    ],
)
def test_an_upload_that_is_not_a_small_image_is_refused(session, admin, upload, key):
    with pytest.raises(ValidationFailed) as failure:
        new_product(session, admin, image_id=upload)
    session.rollback()
    assert failure.value.errors["image_id"][0] == f"records.validation.{key}"
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0
