"""Customer team members (CUS-3): colleagues with read or read-write access to a customer. The
owner's side (crm.customer.edit with the owner in scope) adds, changes and removes them; every
change is in the customer's history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound, ValidationFailed
from core.models import CustomerTeamMember, TeamAccess, User
from core.permissions import Actor
from core.services import changelog
from core.services.customers import for_owner_action, get
from core.services.ownership import check_active_user


@dataclass(frozen=True)
class TeamMember:
    user_id: int
    name: str
    access: TeamAccess


def team(session: Session, *, actor: Actor, customer_id: int) -> list[TeamMember]:
    """The customer's team members by name (anyone who can see the customer may look)."""
    get(session, actor=actor, customer_id=customer_id)
    rows = session.execute(
        select(CustomerTeamMember.user_id, User.display_name, CustomerTeamMember.access)
        .join(User, User.id == CustomerTeamMember.user_id)
        .where(CustomerTeamMember.customer_id == customer_id)
        .order_by(User.display_name, User.id)
    )
    return [TeamMember(u, n, TeamAccess(a)) for u, n, a in rows]


def _user_name(session: Session, user_id: int) -> str:
    return session.scalar(select(User.display_name).where(User.id == user_id)) or f"#{user_id}"


def set_team_member(
    session: Session, *, actor: Actor, customer_id: int, user_id: int, access: str
) -> None:
    """Add a colleague to the customer's team, or change their access: "read" (sees the
    customer) or "write" (may also edit it). The owner's side decides (crm.customer.edit with
    the owner in scope); the owner is not a team member of their own customer."""
    customer = for_owner_action(session, actor, customer_id, "edit")
    if access not in tuple(TeamAccess):
        raise ValidationFailed({"access": ("records.validation.unknown_option", {})})
    check_active_user(session, user_id)
    if user_id == customer.owner_id:
        raise ValidationFailed({"user_id": ("customer.error.owner_in_team", {})})
    member = session.scalar(
        select(CustomerTeamMember).where(
            CustomerTeamMember.customer_id == customer.id, CustomerTeamMember.user_id == user_id
        )
    )
    old = TeamAccess(member.access) if member else None
    if old == access:
        return
    if member is None:
        member = CustomerTeamMember(customer_id=customer.id, user_id=user_id)
        session.add(member)
    member.access = TeamAccess(access)
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity="customer",
        record_id=customer.id,
        action=f"team_{access}",  # history: "added with read / read-write access"
        field="team_member",
        new=_user_name(session, user_id),
    )
    session.flush()


def remove_team_member(session: Session, *, actor: Actor, customer_id: int, user_id: int) -> None:
    """Take a colleague off the customer's team (same rights as adding)."""
    customer = for_owner_action(session, actor, customer_id, "edit")
    member = session.scalar(
        select(CustomerTeamMember).where(
            CustomerTeamMember.customer_id == customer.id, CustomerTeamMember.user_id == user_id
        )
    )
    if member is None:
        raise NotFound(entity="team_member", id=user_id)
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity="customer",
        record_id=customer.id,
        action="team_remove",
        field="team_member",
        old=_user_name(session, user_id),
    )
    session.delete(member)
    session.flush()
