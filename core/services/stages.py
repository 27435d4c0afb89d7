"""Opportunity stage groups (CUS-6): groups of ordered stages, each with a win probability; one
default group for new opportunities; inactive groups are kept for the opportunities that use them.
Editing needs settings.crm; every change is in the group's change history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.entities import FieldSpec, Kind, audit_fields, define
from core.errors import DomainError, NotFound, ValidationFailed
from core.models import Opportunity, OpportunityStageChange, Stage, StageGroup
from core.permissions import Actor, require
from core.services import changelog
from core.services.record_query import not_deleted

SETTINGS_ACTION = "settings.crm"
NAME_MAX = 50
GROUP_NAME_MAX = 100
E = "stage.error."


class StageInUse(DomainError):
    key = "stage.error.in_use"


class LastStage(DomainError):
    key = "stage.error.last_stage"


class DefaultGroupRequired(DomainError):
    key = "stage.error.default_required"


def _stage_choices(session: Session, _actor) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Stage.id, Stage.name, StageGroup.name)
        .join(StageGroup, StageGroup.id == Stage.group_id)
        .order_by(StageGroup.id, Stage.position)
    ).all()
    return [(i, name) for i, name, _group in rows]


def _group_choices(session: Session, _actor) -> list[tuple[int, str]]:
    return [(g.id, g.name) for g in list_groups(session, active_only=True)]


STAGE_GROUP = define(
    "stage_group",
    StageGroup,
    i18n="stage.group",
    actions="crm.opportunity",
    owned=False,
    default_sort="name",
    ref_choices=_group_choices,
    fields=[
        FieldSpec("name", required=True),
        FieldSpec("is_default", Kind.BOOL),
        FieldSpec("is_active", Kind.BOOL),
        *audit_fields(),
    ],
)

STAGE = define(
    "stage",
    Stage,
    i18n="stage",
    actions="crm.opportunity",
    owned=False,
    default_sort="position",
    ref_choices=_stage_choices,
    fields=[
        FieldSpec("name", required=True),
        FieldSpec("position", Kind.INT),
        FieldSpec("win_probability", Kind.INT, min_value=0, max_value=100),
    ],
)


def list_groups(session: Session, *, active_only: bool = False) -> list[StageGroup]:
    """Live groups, the default first, then by name."""
    query = select(StageGroup).where(not_deleted(StageGroup))
    if active_only:
        query = query.where(StageGroup.is_active.is_(True))
    return list(
        session.scalars(
            query.order_by(StageGroup.is_default.desc(), StageGroup.name, StageGroup.id)
        )
    )


def default_group(session: Session) -> StageGroup | None:
    """The group new opportunities start in: the default one, else the first active one."""
    groups = list_groups(session, active_only=True)
    return next((g for g in groups if g.is_default), groups[0] if groups else None)


def stages_of(session: Session, *, group_id: int) -> list[Stage]:
    return list(
        session.scalars(select(Stage).where(Stage.group_id == group_id).order_by(Stage.position))
    )


def get_group(session: Session, *, group_id: int) -> StageGroup:
    group = session.get(StageGroup, group_id)
    if group is None or group.deleted_at is not None:
        raise NotFound(entity="stage_group", id=group_id)
    return group


def get_stage(session: Session, *, stage_id: int) -> Stage:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound(entity="stage", id=stage_id)
    return stage


def _clean_name(name: str, limit: int) -> str:
    value = (name or "").replace("\x00", "").strip()
    if not value:
        raise ValidationFailed({"name": ("records.validation.required", {})})
    if len(value) > limit:
        raise ValidationFailed({"name": ("records.validation.too_long", {"max": limit})})
    return value


def _clean_probability(raw) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationFailed({"win_probability": (E + "probability", {})}) from None
    if not 0 <= value <= 100:
        raise ValidationFailed({"win_probability": (E + "probability", {})})
    return value


def _unique_stage_name(session: Session, group_id: int, name: str, stage_id=None) -> None:
    query = select(Stage.id).where(
        Stage.group_id == group_id, func.lower(Stage.name) == name.lower()
    )
    if stage_id is not None:
        query = query.where(Stage.id != stage_id)
    if session.scalar(query.limit(1)) is not None:
        raise ValidationFailed({"name": (E + "duplicate_stage", {})})


def _unique_group_name(session: Session, name: str, group_id=None) -> None:
    query = select(StageGroup.id).where(
        not_deleted(StageGroup), func.lower(StageGroup.name) == name.lower()
    )
    if group_id is not None:
        query = query.where(StageGroup.id != group_id)
    if session.scalar(query.limit(1)) is not None:
        raise ValidationFailed({"name": (E + "duplicate_group", {})})


def _log(session, actor: Actor, group_id: int, action: str, field="", old=None, new=None):
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity="stage_group",
        record_id=group_id,
        action=action,
        field=field,
        old=old,
        new=new,
    )


def create_group(
    session: Session, *, actor: Actor, name: str, stages: Sequence[tuple[str, int]]
) -> StageGroup:
    """A new active group with at least one stage; stage names are unique within the group.
    The first group ever becomes the default."""
    require(actor, SETTINGS_ACTION)
    name = _clean_name(name, GROUP_NAME_MAX)
    _unique_group_name(session, name)
    cleaned = [(_clean_name(n, NAME_MAX), _clean_probability(p)) for n, p in stages]
    if not cleaned:
        raise LastStage()
    if len({n.lower() for n, _ in cleaned}) != len(cleaned):
        raise ValidationFailed({"name": (E + "duplicate_stage", {})})
    group = StageGroup(name=name, is_default=default_group(session) is None, is_active=True)
    group.created_by_id = actor.user_id
    session.add(group)
    session.flush()
    for position, (stage_name, probability) in enumerate(cleaned, start=1):
        session.add(
            Stage(
                group_id=group.id, name=stage_name, position=position, win_probability=probability
            )
        )
    session.flush()
    _log(session, actor, group.id, "create")
    return group


def rename_group(session: Session, *, actor: Actor, group_id: int, name: str) -> StageGroup:
    require(actor, SETTINGS_ACTION)
    group = get_group(session, group_id=group_id)
    name = _clean_name(name, GROUP_NAME_MAX)
    _unique_group_name(session, name, group_id)
    if name != group.name:
        _log(session, actor, group.id, "update", "name", group.name, name)
        group.name = name
        session.flush()
    return group


def set_default_group(session: Session, *, actor: Actor, group_id: int) -> StageGroup:
    """Make an active group the default (the previous default stops being it)."""
    require(actor, SETTINGS_ACTION)
    group = get_group(session, group_id=group_id)
    if not group.is_active:
        raise DefaultGroupRequired()
    for other in list_groups(session):
        if other.is_default and other.id != group.id:
            other.is_default = False
            _log(session, actor, other.id, "update", "is_default", True, False)
    if not group.is_default:
        group.is_default = True
        _log(session, actor, group.id, "update", "is_default", False, True)
    session.flush()
    return group


def set_group_active(session: Session, *, actor: Actor, group_id: int, active: bool) -> StageGroup:
    """Deactivate a group (not the default): new opportunities cannot choose it; existing
    ones keep working in it. Reactivating is always allowed."""
    require(actor, SETTINGS_ACTION)
    group = get_group(session, group_id=group_id)
    if not active and group.is_default:
        raise DefaultGroupRequired()
    if group.is_active != active:
        _log(session, actor, group.id, "update", "is_active", group.is_active, active)
        group.is_active = active
        session.flush()
    return group


def add_stage(
    session: Session, *, actor: Actor, group_id: int, name: str, win_probability: int
) -> Stage:
    """Append a stage at the end of the group."""
    require(actor, SETTINGS_ACTION)
    group = get_group(session, group_id=group_id)
    name = _clean_name(name, NAME_MAX)
    probability = _clean_probability(win_probability)
    _unique_stage_name(session, group.id, name)
    last = session.scalar(select(func.max(Stage.position)).where(Stage.group_id == group.id))
    stage = Stage(
        group_id=group.id, name=name, position=(last or 0) + 1, win_probability=probability
    )
    session.add(stage)
    session.flush()
    _log(session, actor, group.id, "update", "stages", None, f"{name} ({probability}%)")
    return stage


def update_stage(
    session: Session, *, actor: Actor, stage_id: int, name: str, win_probability: int
) -> Stage:
    """Rename a stage and/or change its win probability."""
    require(actor, SETTINGS_ACTION)
    stage = get_stage(session, stage_id=stage_id)
    name = _clean_name(name, NAME_MAX)
    probability = _clean_probability(win_probability)
    _unique_stage_name(session, stage.group_id, name, stage.id)
    old = f"{stage.name} ({stage.win_probability}%)"
    new = f"{name} ({probability}%)"
    if old != new:
        stage.name, stage.win_probability = name, probability
        session.flush()
        _log(session, actor, stage.group_id, "update", "stages", old, new)
    return stage


def move_stage(session: Session, *, actor: Actor, stage_id: int, offset: int) -> list[Stage]:
    """Swap a stage with its neighbour (offset −1: earlier, +1: later); at an end, no change."""
    require(actor, SETTINGS_ACTION)
    stage = get_stage(session, stage_id=stage_id)
    ordered = stages_of(session, group_id=stage.group_id)
    index = next(i for i, s in enumerate(ordered) if s.id == stage.id)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(ordered):
        return ordered
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    session.flush()
    order = " → ".join(s.name for s in ordered)
    _log(session, actor, stage.group_id, "update", "stage_order", None, order)
    return ordered


def stage_in_use(session: Session, stage_id: int) -> bool:
    """A stage is used while an opportunity is in it or its stage history mentions it."""
    current = select(Opportunity.id).where(Opportunity.stage_id == stage_id).limit(1)
    history = (
        select(OpportunityStageChange.id)
        .where(
            or_(
                OpportunityStageChange.from_stage_id == stage_id,
                OpportunityStageChange.to_stage_id == stage_id,
            )
        )
        .limit(1)
    )
    return session.scalar(current) is not None or session.scalar(history) is not None


def delete_stage(session: Session, *, actor: Actor, stage_id: int) -> None:
    """Delete an unused stage (never the group's last one); later stages move up."""
    require(actor, SETTINGS_ACTION)
    stage = get_stage(session, stage_id=stage_id)
    if stage_in_use(session, stage.id):
        raise StageInUse(name=stage.name)
    remaining = [s for s in stages_of(session, group_id=stage.group_id) if s.id != stage.id]
    if not remaining:
        raise LastStage()
    group_id, name = stage.group_id, stage.name
    session.delete(stage)
    session.flush()
    for position, item in enumerate(remaining, start=1):
        item.position = position
    session.flush()
    _log(session, actor, group_id, "update", "stages", name, None)


def opportunity_counts(session: Session) -> dict[int, int]:
    """Live opportunities per stage (for the settings page: which stages can be deleted)."""
    rows = session.execute(
        select(Opportunity.stage_id, func.count())
        .where(not_deleted(Opportunity), Opportunity.stage_id.is_not(None))
        .group_by(Opportunity.stage_id)
    )
    return {stage_id: n for stage_id, n in rows}
