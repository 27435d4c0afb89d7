"""Option list settings: add, rename, reorder, deactivate, delete only unused values."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import NotAllowed, NotFound, ValidationFailed
from core.models import ChangeLog, Customer, OptionItem
from core.services import options
from core.services.lookups import option_choices
from core.services.options import OptionInUse


@pytest.fixture
def admin(session, org):
    return org.actor(session, "admin")


def labels(session, admin, list_name="source"):
    return [i.label for i in options.items(session, actor=admin, list_name=list_name)]


def item_named(session, label, list_name="source"):
    return session.scalar(
        select(OptionItem).where(OptionItem.list_name == list_name, OptionItem.label == label)
    )


def test_admin_adds_a_value_at_the_end_of_the_list(session, admin):
    item = options.add_item(session, actor=admin, list_name="source", label=" 抖音  直播 ")
    session.commit()
    assert (item.value, item.label, item.is_active) == ("抖音 直播", "抖音 直播", True)
    assert labels(session, admin)[-1] == "抖音 直播"
    assert ("抖音 直播", "抖音 直播") in option_choices(session, "source")


def test_a_value_already_in_the_list_is_refused_ignoring_case(session, admin):
    options.add_item(session, actor=admin, list_name="industry", label="SaaS")
    with pytest.raises(ValidationFailed) as failure:
        options.add_item(session, actor=admin, list_name="industry", label="saas")
    assert failure.value.errors == {"label": ("options.error.duplicate", {})}


def test_adding_a_deactivated_value_again_says_to_reactivate_it(session, admin):
    item = item_named(session, "展会")
    options.set_active(session, actor=admin, item_id=item.id, active=False)
    with pytest.raises(ValidationFailed) as failure:
        options.add_item(session, actor=admin, list_name="source", label="展会")
    assert failure.value.errors["label"][0] == "options.error.duplicate_inactive"


def test_empty_and_too_long_values_are_refused(session, admin):
    with pytest.raises(ValidationFailed) as empty:
        options.add_item(session, actor=admin, list_name="source", label="   ")
    assert empty.value.errors["label"][0] == "records.validation.required"
    # Customer.level holds 20 characters, so customer levels may not be longer.
    with pytest.raises(ValidationFailed) as long:
        options.add_item(session, actor=admin, list_name="customer_level", label="级" * 21)
    assert long.value.errors["label"] == ("records.validation.too_long", {"max": 20})


def test_renaming_changes_the_label_but_records_keep_their_value(session, admin):
    session.add(Customer(name="甲公司", source="展会"))
    session.commit()
    item = item_named(session, "展会")
    options.rename_item(session, actor=admin, item_id=item.id, label="行业展会")
    session.commit()
    assert session.scalar(select(Customer.source)) == "展会"
    assert ("展会", "行业展会") in option_choices(session, "source")
    log = session.scalar(select(ChangeLog).where(ChangeLog.entity == "option_item"))
    assert (log.field, log.old_value, log.new_value) == ("label", "展会", "行业展会")


def test_renaming_to_another_items_label_is_refused(session, admin):
    item = item_named(session, "展会")
    with pytest.raises(ValidationFailed):
        options.rename_item(session, actor=admin, item_id=item.id, label="广告")


def test_moving_an_item_up_and_down_reorders_the_list(session, admin):
    before = labels(session, admin)
    second = item_named(session, before[1])
    options.move_item(session, actor=admin, item_id=second.id, offset=-1)
    assert labels(session, admin)[:2] == [before[1], before[0]]
    options.move_item(session, actor=admin, item_id=second.id, offset=-1)  # already first
    assert labels(session, admin)[0] == before[1]
    options.move_item(session, actor=admin, item_id=second.id, offset=+1)
    assert labels(session, admin) == before


def test_reorder_must_name_every_item_once(session, admin):
    ids = [i.id for i in options.items(session, actor=admin, list_name="source")]
    with pytest.raises(ValidationFailed):
        options.reorder(session, actor=admin, list_name="source", item_ids=ids[:-1])
    options.reorder(session, actor=admin, list_name="source", item_ids=list(reversed(ids)))
    assert [i.id for i in options.items(session, actor=admin, list_name="source")] == ids[::-1]


def test_a_deactivated_value_leaves_the_forms_but_stays_on_records(session, admin):
    item = item_named(session, "展会")
    options.set_active(session, actor=admin, item_id=item.id, active=False)
    session.commit()
    assert "展会" not in dict(option_choices(session, "source"))
    assert item_named(session, "展会").is_active is False
    options.set_active(session, actor=admin, item_id=item.id, active=True)
    assert "展会" in dict(option_choices(session, "source"))


def test_a_value_in_use_cannot_be_deleted_but_an_unused_one_can(session, admin):
    session.add(Customer(name="甲公司", industry="金融"))
    session.commit()
    with pytest.raises(OptionInUse) as failure:
        options.delete_item(
            session, actor=admin, item_id=item_named(session, "金融", "industry").id
        )
    assert failure.value.params["count"] == 1
    unused = item_named(session, "能源", "industry")
    options.delete_item(session, actor=admin, item_id=unused.id)
    session.commit()
    assert item_named(session, "能源", "industry") is None


def test_usage_counts_per_value(session, admin):
    session.add_all(
        [Customer(name="甲", level="A（重点客户）"), Customer(name="乙", level="A（重点客户）")]
    )
    session.commit()
    assert options.usage_counts(session, list_name="customer_level") == {"A（重点客户）": 2}


def test_only_admins_with_crm_settings_edit_lists(session, org):
    manager = org.actor(session, "manager")
    with pytest.raises(NotAllowed):
        options.add_item(session, actor=manager, list_name="source", label="新来源")


def test_unknown_lists_are_not_found(session, admin):
    with pytest.raises(NotFound):
        options.items(session, actor=admin, list_name="nonsense")
