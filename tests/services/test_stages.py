"""Stage groups (CUS-6): ordered stages with win probabilities, one default group, deactivation,
and stages that can only be deleted while no opportunity uses them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import NotAllowed, ValidationFailed
from core.models import ChangeLog, StageGroup
from core.services import opportunities, stages
from tests.services.sales_data import customer


def names(session, group_id):
    return [(s.name, s.win_probability) for s in stages.stages_of(session, group_id=group_id)]


@pytest.fixture
def admin(session, org):
    return org.actor(session, "admin")


def test_a_new_group_keeps_its_stages_in_order(session, admin):
    group = stages.create_group(
        session, actor=admin, name="大客户流程", stages=[("立项", 10), ("招投标", 40), ("签约", 90)]
    )
    assert names(session, group.id) == [("立项", 10), ("招投标", 40), ("签约", 90)]
    assert not group.is_default  # the seeded group stays the default


def test_stages_are_added_renamed_and_reordered(session, admin):
    group = stages.default_group(session)
    added = stages.add_stage(
        session, actor=admin, group_id=group.id, name="签约", win_probability=95
    )
    stages.update_stage(
        session, actor=admin, stage_id=added.id, name="合同签订", win_probability=90
    )
    stages.move_stage(session, actor=admin, stage_id=added.id, offset=-1)
    assert [n for n, _ in names(session, group.id)][-2:] == ["合同签订", "谈判审核"]
    logged = session.scalars(
        select(ChangeLog.field).where(
            ChangeLog.entity == "stage_group", ChangeLog.record_id == group.id
        )
    ).all()
    assert logged == ["stages", "stages", "stage_order"]


@pytest.mark.parametrize(
    ("name", "probability", "field"),
    [
        ("", 10, "name"),
        ("x" * 51, 10, "name"),
        ("新阶段", 101, "win_probability"),
        ("新阶段", -1, "win_probability"),
        ("新阶段", "三十", "win_probability"),
        ("初步接洽", 10, "name"),  # duplicate within the group
    ],
)
def test_bad_stage_input_is_refused_and_changes_nothing(session, admin, name, probability, field):
    group = stages.default_group(session)
    before = names(session, group.id)
    with pytest.raises(ValidationFailed) as failed:
        stages.add_stage(
            session, actor=admin, group_id=group.id, name=name, win_probability=probability
        )
    assert field in failed.value.errors
    assert names(session, group.id) == before


def test_a_stage_in_use_cannot_be_deleted_but_an_unused_one_can(session, org, admin):
    group = stages.default_group(session)
    first, second, *_ = stages.stages_of(session, group_id=group.id)
    opportunities.create(
        session,
        actor=org.actor(session, "sales1"),
        values={"name": "商机", "customer_id": customer(session, org).id},
    )
    with pytest.raises(stages.StageInUse):
        stages.delete_stage(session, actor=admin, stage_id=first.id)
    stages.delete_stage(session, actor=admin, stage_id=second.id)
    assert [n for n, _ in names(session, group.id)] == ["初步接洽", "方案/报价", "谈判审核"]
    assert [s.position for s in stages.stages_of(session, group_id=group.id)] == [1, 2, 3]


def test_the_last_stage_of_a_group_cannot_be_deleted(session, admin):
    group = stages.create_group(session, actor=admin, name="简单流程", stages=[("跟进", 50)])
    only = stages.stages_of(session, group_id=group.id)[0]
    with pytest.raises(stages.LastStage):
        stages.delete_stage(session, actor=admin, stage_id=only.id)


def test_the_default_group_moves_and_cannot_be_deactivated(session, admin):
    seeded = stages.default_group(session)
    other = stages.create_group(session, actor=admin, name="渠道流程", stages=[("接洽", 20)])
    with pytest.raises(stages.DefaultGroupRequired):
        stages.set_group_active(session, actor=admin, group_id=seeded.id, active=False)
    stages.set_default_group(session, actor=admin, group_id=other.id)
    stages.set_group_active(session, actor=admin, group_id=seeded.id, active=False)
    assert stages.default_group(session).id == other.id
    assert [g.name for g in stages.list_groups(session, active_only=True)] == ["渠道流程"]
    assert session.get(StageGroup, seeded.id).is_active is False


def test_only_settings_admins_edit_stage_groups(session, org):
    group = stages.default_group(session)
    for username in ("manager", "sales1", "office"):
        with pytest.raises(NotAllowed):
            stages.add_stage(
                session,
                actor=org.actor(session, username),
                group_id=group.id,
                name="签约",
                win_probability=90,
            )
