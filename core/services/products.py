"""Products and their category tree (CUS-9). Products are visible to everyone granted
crm.product.view; writing needs crm.product.create / edit / delete (sales reps only view)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.entities import FieldSpec, Kind, audit_fields, define
from core.errors import CycleDetected, DomainError, ValidationFailed
from core.models import Product, ProductCategory
from core.permissions import Actor, require
from core.services import records
from core.services.record_query import not_deleted


class CategoryNotEmpty(DomainError):
    key = "product.category.not_empty"


def _categories(session: Session) -> list[ProductCategory]:
    return list(
        session.scalars(
            select(ProductCategory)
            .where(not_deleted(ProductCategory))
            .order_by(ProductCategory.sort_order, ProductCategory.name, ProductCategory.id)
        )
    )


def category_tree(session: Session) -> list[tuple[ProductCategory, int]]:
    """Every live category with its depth, depth-first in display order."""
    by_parent: dict[int | None, list[ProductCategory]] = {}
    live = _categories(session)
    ids = {c.id for c in live}
    for c in live:
        # A child of a deleted parent shows at the top rather than vanishing.
        by_parent.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
    found: list[tuple[ProductCategory, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for c in by_parent.get(parent_id, []):
            found.append((c, depth))
            walk(c.id, depth + 1)

    walk(None, 0)
    return found


def category_paths(session: Session) -> list[tuple[int, str]]:
    """(id, "硬件 / 服务器") for every category, in tree order: choices for a select box."""
    paths: dict[int, str] = {}
    result = []
    for c, _depth in category_tree(session):
        parent = paths.get(c.parent_id)
        paths[c.id] = f"{parent} / {c.name}" if parent else c.name
        result.append((c.id, paths[c.id]))
    return result


def subtree_ids(session: Session, category_id: int) -> set[int]:
    """The category and every category below it."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in session.execute(select(ProductCategory.id, ProductCategory.parent_id)):
        children.setdefault(parent, []).append(cid)
    found, stack = set(), [category_id]
    while stack:
        cid = stack.pop()
        if cid not in found:
            found.add(cid)
            stack.extend(children.get(cid, []))
    return found


def subtree_product_counts(session: Session) -> dict[int, int]:
    """Live products per category, each category counting its sub-categories' products too."""
    direct = dict(
        session.execute(
            select(Product.category_id, func.count())
            .where(not_deleted(Product), Product.category_id.is_not(None))
            .group_by(Product.category_id)
        ).all()
    )
    totals: dict[int, int] = {}
    tree = category_tree(session)
    parents = {c.id: c.parent_id for c, _ in tree}
    for category, _depth in tree:
        count = direct.get(category.id, 0)
        node: int | None = category.id
        while node is not None:
            totals[node] = totals.get(node, 0) + count
            node = parents.get(node)
    return totals


def in_category(session: Session, category_id: int | None) -> list[ColumnElement[bool]]:
    """List clause: products of the category or any sub-category (none: no restriction)."""
    if category_id is None:
        return []
    return [Product.category_id.in_(sorted(subtree_ids(session, category_id)))]


CATEGORY = define(
    "product_category",
    ProductCategory,
    i18n="product.category",
    actions="crm.product",
    default_sort="sort_order",
    owned=False,
    ref_choices=lambda session, _actor: category_paths(session),
    fields=[
        FieldSpec("name", required=True),
        FieldSpec("parent_id", Kind.REF, ref="product_category"),
        FieldSpec("sort_order", Kind.INT, in_form=False),
    ],
)

PRODUCT = define(
    "product",
    Product,
    i18n="product",
    actions="crm.product",
    owned=False,
    default_sort="-updated_at",
    search_fields=("name", "code"),
    search_hint="product.search_hint",
    fields=[
        FieldSpec("name", required=True, filterable=True),
        FieldSpec("code", required=True, unique=True, filterable=True),
        FieldSpec("category_id", Kind.REF, ref="product_category"),
        FieldSpec("unit", Kind.OPTION, options="product_unit", filterable=True),
        FieldSpec("price", Kind.MONEY, required=True, min_value=Decimal("0"), filterable=True),
        FieldSpec("is_on_sale", Kind.BOOL, filterable=True, default=True),
        FieldSpec("description", Kind.TEXTAREA, in_list=False),
        FieldSpec("image_id", Kind.IMAGE, in_list=False),
        *audit_fields(),
    ],
)


def _check_sibling_name(session: Session, name: str, parent_id, category_id=None) -> None:
    query = select(ProductCategory.id).where(
        not_deleted(ProductCategory),
        func.lower(ProductCategory.name) == name.strip().lower(),
        ProductCategory.parent_id.is_(None)
        if parent_id is None
        else ProductCategory.parent_id == parent_id,
    )
    if category_id is not None:
        query = query.where(ProductCategory.id != category_id)
    if session.scalar(query.limit(1)) is not None:
        raise ValidationFailed({"name": ("product.category.duplicate_name", {})})


def create_category(
    session: Session, *, actor: Actor, name: str, parent_id: int | None = None
) -> ProductCategory:
    """A new category under `parent_id` (None: top level); names are unique among siblings."""
    _check_sibling_name(session, name or "", parent_id)
    return records.create(
        session, actor=actor, spec=CATEGORY, values={"name": name, "parent_id": parent_id}
    )


def rename_category(session: Session, *, actor: Actor, category_id: int, name: str):
    require(actor, CATEGORY.action("edit"))
    category = records.get_visible(session, actor=actor, spec=CATEGORY, record_id=category_id)
    _check_sibling_name(session, name or "", category.parent_id, category_id)
    return records.update(
        session,
        actor=actor,
        spec=CATEGORY,
        record_id=category_id,
        values={"name": name},
        expected_version=None,
    )


def move_category(session: Session, *, actor: Actor, category_id: int, parent_id: int | None):
    """Put a category under another one; under itself or its own descendant is a cycle."""
    require(actor, CATEGORY.action("edit"))
    category = records.get_visible(session, actor=actor, spec=CATEGORY, record_id=category_id)
    if parent_id is not None and parent_id in subtree_ids(session, category_id):
        raise CycleDetected()
    _check_sibling_name(session, category.name, parent_id, category_id)
    return records.update(
        session,
        actor=actor,
        spec=CATEGORY,
        record_id=category_id,
        values={"parent_id": parent_id},
        expected_version=None,
    )


def delete_category(session: Session, *, actor: Actor, category_id: int) -> None:
    """Delete a category only when no live product and no live sub-category is in it."""
    require(actor, CATEGORY.action("delete"))
    products = session.scalar(
        select(func.count())
        .select_from(Product)
        .where(Product.category_id == category_id, not_deleted(Product))
    )
    children = session.scalar(
        select(func.count())
        .select_from(ProductCategory)
        .where(ProductCategory.parent_id == category_id, not_deleted(ProductCategory))
    )
    if products or children:
        raise CategoryNotEmpty(products=products or 0, children=children or 0)
    records.soft_delete(session, actor=actor, spec=CATEGORY, record_id=category_id)
