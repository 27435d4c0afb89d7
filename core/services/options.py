"""Option lists (settings, needs settings.crm): the values admins edit for industries, sources,
customer and lead levels, follow-up types, payment methods, units, lost reasons and the office
lists seeded in core.seed.OPTION_LISTS.

An item's `value` is the code stored in records and never changes; its `label` is what users
see and may be renamed. Items are added, renamed, reordered and (de)activated; an item is
deleted only while no record uses its value — otherwise it is deactivated, so old records keep
showing it while forms stop offering it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Session

from core.errors import DomainError, NotFound, ValidationFailed
from core.models import (
    Announcement,
    ApprovalRequest,
    Customer,
    Event,
    FollowUp,
    Lead,
    Opportunity,
    OptionItem,
    PoolRule,
    Product,
    Receivable,
)
from core.permissions import Actor, require
from core.seed import OPTION_LISTS
from core.services import changelog

ACTION = "settings.crm"
LISTS: tuple[str, ...] = tuple(OPTION_LISTS)
ENTITY = "option_item"

# The columns that store each list's values: what "in use" means, and how long a value may be.
USED_BY: dict[str, tuple] = {
    "industry": (Lead.industry, Customer.industry),
    "source": (Lead.source, Customer.source),
    "customer_level": (Customer.level, PoolRule.customer_level),
    "lead_level": (Lead.level,),
    "followup_type": (FollowUp.kind,),
    "payment_method": (Receivable.method,),
    "product_unit": (Product.unit,),
    "lost_reason": (Opportunity.lost_reason,),
    "event_kind": (Event.kind,),
    "announcement_category": (Announcement.category,),
    "leave_type": (ApprovalRequest.leave_type,),
}


class OptionInUse(DomainError):
    key = "options.error.in_use"


def max_length(list_name: str) -> int:
    """The longest value the list's columns can hold (and at most the label's 50 characters)."""
    lengths = [OptionItem.label.type.length]
    for column in USED_BY.get(list_name, ()):
        if isinstance(column.type, String) and column.type.length:
            lengths.append(column.type.length)
    return min(lengths)


def _check_list(list_name: str) -> None:
    if list_name not in LISTS:
        raise NotFound(entity="option_list", id=list_name)


def _item(session: Session, item_id: int) -> OptionItem:
    item = session.get(OptionItem, item_id)
    if item is None or item.list_name not in LISTS:
        raise NotFound(entity=ENTITY, id=item_id)
    return item


def items(session: Session, *, actor: Actor, list_name: str) -> list[OptionItem]:
    """Every item of the list, active or not, in the admin's order."""
    require(actor, ACTION)
    _check_list(list_name)
    query = select(OptionItem).where(OptionItem.list_name == list_name)
    return list(session.scalars(query.order_by(OptionItem.sort_order, OptionItem.id)))


def usage_counts(session: Session, *, list_name: str) -> dict[str, int]:
    """How many records (those in the recycle bin too) use each value of the list. A scan of
    the columns: seconds on tens of millions of follow-ups, so the page asks for it."""
    counts: dict[str, int] = {}
    for column in USED_BY.get(list_name, ()):
        query = select(column, func.count()).where(column != "").group_by(column)
        for value, n in session.execute(query):
            counts[value] = counts.get(value, 0) + n
    return counts


def _in_use(session: Session, list_name: str, value: str) -> int:
    """How many records use the value; 0 is found by cheap existence checks first."""
    columns = USED_BY.get(list_name, ())
    used = any(
        session.scalar(select(column).where(column == value).limit(1)) is not None
        for column in columns
    )
    if not used:
        return 0
    return sum(session.scalar(select(func.count()).where(c == value)) or 0 for c in columns)


def _clean_label(session, list_name: str, label: str, *, limit: int, item_id=None) -> str:
    text = " ".join((label or "").split())
    if not text:
        raise ValidationFailed({"label": ("records.validation.required", {})})
    if len(text) > limit:
        raise ValidationFailed({"label": ("records.validation.too_long", {"max": limit})})
    clash = select(OptionItem.id, OptionItem.is_active).where(
        OptionItem.list_name == list_name,
        (func.lower(OptionItem.label) == text.lower())
        | (func.lower(OptionItem.value) == text.lower()),
    )
    if item_id is not None:
        clash = clash.where(OptionItem.id != item_id)
    found = session.execute(clash.limit(1)).first()
    if found is not None:
        key = "options.error.duplicate" if found.is_active else "options.error.duplicate_inactive"
        raise ValidationFailed({"label": (key, {})})
    return text


def add_item(session: Session, *, actor: Actor, list_name: str, label: str) -> OptionItem:
    """A new active item at the end of the list; its value is its label as first typed.
    Labels and values are unique within a list (ignoring case), at most `max_length`."""
    require(actor, ACTION)
    _check_list(list_name)
    text = _clean_label(session, list_name, label, limit=max_length(list_name))
    last = session.scalar(
        select(func.max(OptionItem.sort_order)).where(OptionItem.list_name == list_name)
    )
    item = OptionItem(list_name=list_name, value=text, label=text, sort_order=(last or 0) + 1)
    session.add(item)
    session.flush()
    changelog.log(
        session, actor_id=actor.user_id, entity=ENTITY, record_id=item.id, action="create"
    )
    return item


def _log_update(session, actor: Actor, item: OptionItem, field: str, old, new) -> None:
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity=ENTITY,
        record_id=item.id,
        action="update",
        field=field,
        old=old,
        new=new,
    )


def rename_item(session: Session, *, actor: Actor, item_id: int, label: str) -> OptionItem:
    """Change what users see; the stored value stays, so records keep their choice."""
    require(actor, ACTION)
    item = _item(session, item_id)
    limit = OptionItem.label.type.length
    text = _clean_label(session, item.list_name, label, limit=limit, item_id=item.id)
    if text != item.label:
        _log_update(session, actor, item, "label", item.label, text)
        item.label = text
        session.flush()
    return item


def set_active(session: Session, *, actor: Actor, item_id: int, active: bool) -> OptionItem:
    """Deactivate (forms stop offering it; records keep it) or reactivate an item."""
    require(actor, ACTION)
    item = _item(session, item_id)
    if item.is_active != active:
        _log_update(session, actor, item, "is_active", item.is_active, active)
        item.is_active = active
        session.flush()
    return item


def reorder(
    session: Session, *, actor: Actor, list_name: str, item_ids: Sequence[int]
) -> list[OptionItem]:
    """Put the list in the given order; `item_ids` must name every item of the list once."""
    found = {i.id: i for i in items(session, actor=actor, list_name=list_name)}
    if sorted(item_ids) != sorted(found):
        raise ValidationFailed({"order": ("options.error.order", {})})
    for position, item_id in enumerate(item_ids):
        found[item_id].sort_order = position
    session.flush()
    return [found[i] for i in item_ids]


def move_item(session: Session, *, actor: Actor, item_id: int, offset: int) -> None:
    """Move an item up (-1) or down (+1) in its list; past either end it stays."""
    item = _item(session, item_id)
    ids = [i.id for i in items(session, actor=actor, list_name=item.list_name)]
    at = ids.index(item.id)
    to = max(0, min(len(ids) - 1, at + offset))
    ids.insert(to, ids.pop(at))
    reorder(session, actor=actor, list_name=item.list_name, item_ids=ids)


def delete_item(session: Session, *, actor: Actor, item_id: int) -> None:
    """Delete an item no record uses (e.g. a typo just added); in use → OptionInUse."""
    require(actor, ACTION)
    item = _item(session, item_id)
    used = _in_use(session, item.list_name, item.value)
    if used:
        raise OptionInUse(count=used, label=item.label)
    changelog.log(
        session, actor_id=actor.user_id, entity=ENTITY, record_id=item.id, action="delete"
    )
    session.execute(delete(OptionItem).where(OptionItem.id == item.id))
    session.flush()
