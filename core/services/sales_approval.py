"""The approval state of contracts and receivables (CUS-7, CUS-8): a small state machine, and the
plug-in point for the approval engine (OFF-7).

    draft / rejected / withdrawn --submit--> pending --approve--> approved
                                             pending --reject---> rejected
                                             pending --withdraw-> withdrawn
    draft / rejected / withdrawn / approved --void--> void (final)

Submitting approves at once when no active ApprovalFlow exists for the category ("contract",
"receivable"), as WukongCRM does; otherwise it opens an ApprovalRequest and the record stays
pending until the engine calls `on_decision(...)`. Every change is in the record's history."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.entities import get_spec
from core.errors import InvalidTransition, NotFound
from core.models import (
    ApprovalCategory,
    ApprovalDecision,
    ApprovalFlow,
    ApprovalRequest,
    ApprovalStatus,
    ApprovalStep,
    RequestStatus,
    User,
)
from core.permissions import Actor, require
from core.services import changelog, records, sales_refs

S = ApprovalStatus
EDITABLE = frozenset({S.DRAFT, S.REJECTED, S.WITHDRAWN})
TRANSITIONS: dict[str, tuple[frozenset[ApprovalStatus], ApprovalStatus]] = {
    "submit": (EDITABLE, S.PENDING),
    "approve": (frozenset({S.PENDING}), S.APPROVED),
    "reject": (frozenset({S.PENDING}), S.REJECTED),
    "withdraw": (frozenset({S.PENDING}), S.WITHDRAWN),
    "void": (EDITABLE | {S.APPROVED}, S.VOID),
}
APPROVE_ACTION = "crm.approve"

Hook = Callable[[Session, object], None]
AfterHook = Callable[[Session, object, ApprovalStatus, ApprovalStatus], None]


@dataclass(frozen=True)
class Subject:
    """A kind of record with an approval state: its spec name is also the approval category code
    and the ApprovalRequest.subject_type. Hooks: `check` before submit and approve (may raise),
    `before_void` (may raise), `after` every change (old → new status)."""

    kind: str
    title: Callable[[object], str]
    check: Hook | None = None
    before_void: Hook | None = None
    after: AfterHook | None = None

    @property
    def spec(self):
        return get_spec(self.kind)


_SUBJECTS: dict[str, Subject] = {}
_MODULES = {"contract": "core.services.contracts", "receivable": "core.services.receivables"}


def register_subject(subject: Subject) -> None:
    _SUBJECTS[subject.kind] = subject


def subject(kind: str) -> Subject:
    if kind not in _SUBJECTS and kind in _MODULES:
        importlib.import_module(_MODULES[kind])  # registers itself on import
    if kind not in _SUBJECTS:
        raise NotFound(entity="approval_subject", id=kind)
    return _SUBJECTS[kind]


def allowed_events(status: ApprovalStatus | str) -> list[str]:
    """The events the state machine allows from `status`, in display order."""
    return [e for e, (sources, _) in TRANSITIONS.items() if ApprovalStatus(status) in sources]


def offered_events(actor: Actor, kind: str, status: ApprovalStatus | str) -> list[str]:
    """The events to offer as buttons: allowed by the state machine and by the actor's rights
    (approve / reject and voiding an approved record need crm.approve; the rest edit)."""
    edit = actor.can(f"crm.{kind}.edit")
    approver = actor.can(APPROVE_ACTION)
    found = []
    for event in allowed_events(status):
        if event in ("approve", "reject"):
            ok = approver
        elif event == "void" and ApprovalStatus(status) == S.APPROVED:
            ok = approver and edit
        else:
            ok = edit
        if ok:
            found.append(event)
    return found


def is_editable(status: ApprovalStatus | str) -> bool:
    """Draft, rejected and withdrawn records may be edited; pending, approved and void not."""
    return ApprovalStatus(status) in EDITABLE


def transition(
    session: Session, *, actor_id: int | None, kind: str, record, event: str
) -> ApprovalStatus:
    """Apply `event` to `record` or raise InvalidTransition; logs old → new in its history."""
    sources, target = TRANSITIONS[event]
    old = ApprovalStatus(record.approval_status)
    if old not in sources:
        raise InvalidTransition()
    found = subject(kind)
    if target in (S.PENDING, S.APPROVED) and found.check:
        found.check(session, record)
    if target == S.VOID and found.before_void:
        found.before_void(session, record)
    record.approval_status = target
    sales_refs.flush(session, found.spec)
    changelog.log(
        session,
        actor_id=actor_id,
        entity=kind,
        record_id=record.id,
        action=event,
        field="approval_status",
        old=old,
        new=target,
    )
    if found.after:
        found.after(session, record, old, target)
    return target


def active_flow(session: Session, kind: str) -> ApprovalFlow | None:
    """The active flow of the category `kind`, if the category is active and has one."""
    return session.scalar(
        select(ApprovalFlow)
        .join(ApprovalCategory, ApprovalCategory.id == ApprovalFlow.category_id)
        .where(
            ApprovalCategory.code == kind,
            ApprovalCategory.is_active.is_(True),
            ApprovalCategory.deleted_at.is_(None),
            ApprovalFlow.is_active.is_(True),
            ApprovalFlow.deleted_at.is_(None),
        )
        .order_by(ApprovalFlow.id)
        .limit(1)
    )


def _open_request(session: Session, actor: Actor, kind: str, flow: ApprovalFlow, record):
    first_step = session.scalar(
        select(ApprovalStep.position)
        .where(ApprovalStep.flow_id == flow.id)
        .order_by(ApprovalStep.position)
        .limit(1)
    )
    request = ApprovalRequest(
        category_id=flow.category_id,
        flow_id=flow.id,
        kind=kind,
        title=subject(kind).title(record)[:200],
        status=RequestStatus.PENDING,
        current_step=first_step,
        amount=getattr(record, "amount", None),
        subject_type=kind,
        subject_id=record.id,
        submitted_at=sales_refs.utc_now(),
        owner_id=actor.user_id,
        created_by_id=actor.user_id,
    )
    session.add(request)
    session.flush()
    return request


def _record(session: Session, actor: Actor, kind: str, record_id: int, verb: str):
    spec = subject(kind).spec
    return records.get_visible(
        session, actor=actor, spec=spec, record_id=record_id, action=spec.action(verb)
    )


def submit(session: Session, *, actor: Actor, kind: str, record_id: int) -> ApprovalStatus:
    """Submit a draft / rejected / withdrawn record for approval (needs edit in scope). With no
    active flow it is approved at once; otherwise a pending ApprovalRequest is opened."""
    record = _record(session, actor, kind, record_id, "edit")
    if S(record.approval_status) not in EDITABLE:
        raise InvalidTransition()
    flow = active_flow(session, kind)
    if flow is not None:
        record.approval_request_id = _open_request(session, actor, kind, flow, record).id
        return transition(session, actor_id=actor.user_id, kind=kind, record=record, event="submit")
    record.approval_request_id = None
    transition(session, actor_id=actor.user_id, kind=kind, record=record, event="submit")
    return transition(session, actor_id=actor.user_id, kind=kind, record=record, event="approve")


def _finish_request(session: Session, record, status: RequestStatus) -> None:
    request = session.get(ApprovalRequest, record.approval_request_id or -1)
    if request is not None and request.status == RequestStatus.PENDING:
        request.status = status
        request.finished_at = sales_refs.utc_now()
        request.current_step = None


def withdraw(session: Session, *, actor: Actor, kind: str, record_id: int) -> ApprovalStatus:
    """Take back a pending submission (needs edit in scope); its request is withdrawn too."""
    record = _record(session, actor, kind, record_id, "edit")
    if S(record.approval_status) != S.PENDING:
        raise InvalidTransition()
    _finish_request(session, record, RequestStatus.WITHDRAWN)
    return transition(session, actor_id=actor.user_id, kind=kind, record=record, event="withdraw")


def void(session: Session, *, actor: Actor, kind: str, record_id: int) -> ApprovalStatus:
    """作废: void a record that is not pending. Needs edit in scope; voiding an approved record
    also needs crm.approve. Void is final."""
    record = _record(session, actor, kind, record_id, "edit")
    if S(record.approval_status) == S.APPROVED:
        require(actor, APPROVE_ACTION)
    return transition(session, actor_id=actor.user_id, kind=kind, record=record, event="void")


def on_decision(
    session: Session, *, request_id: int, outcome: RequestStatus | str, actor_id: int | None
) -> ApprovalStatus:
    """Called by the approval engine (OFF-7) when a contract / receivable request finished:
    approved, rejected or withdrawn. The record must still be pending on this request."""
    request = session.get(ApprovalRequest, request_id)
    if request is None or request.subject_id is None:
        raise NotFound(entity="approval_request", id=request_id)
    kind = request.subject_type
    record = session.get(subject(kind).spec.model, request.subject_id)
    if record is None or record.approval_request_id != request.id:
        raise InvalidTransition()
    event = {
        RequestStatus.APPROVED: "approve",
        RequestStatus.REJECTED: "reject",
        RequestStatus.WITHDRAWN: "withdraw",
    }.get(RequestStatus(outcome))
    if event is None:
        raise InvalidTransition()
    return transition(session, actor_id=actor_id, kind=kind, record=record, event=event)


def decide(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    record_id: int,
    approve: bool,
    comment: str = "",
) -> ApprovalStatus:
    """Interim approval until the OFF-7 engine routes steps: an actor holding crm.approve who
    can see the pending record decides its request in one step (decision kept with time and
    comment), then `on_decision` applies the outcome."""
    require(actor, APPROVE_ACTION)
    record = _record(session, actor, kind, record_id, "view")
    if S(record.approval_status) != S.PENDING:
        raise InvalidTransition()
    request = session.get(ApprovalRequest, record.approval_request_id or -1)
    if request is None or request.status != RequestStatus.PENDING:
        event = "approve" if approve else "reject"
        return transition(session, actor_id=actor.user_id, kind=kind, record=record, event=event)
    session.add(
        ApprovalDecision(
            request_id=request.id,
            step_position=request.current_step or 1,
            approver_id=actor.user_id,
            decision="approved" if approve else "rejected",
            comment=(comment or "").strip()[:2000],
        )
    )
    outcome = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    _finish_request(session, record, outcome)
    session.flush()
    return on_decision(session, request_id=request.id, outcome=outcome, actor_id=actor.user_id)


@dataclass(frozen=True)
class DecisionRow:
    decided_at: object
    approver: str
    decision: str
    comment: str


def decisions(session: Session, *, request_id: int | None) -> list[DecisionRow]:
    """The decisions on a request with approver names, oldest first (the approval tab)."""
    if request_id is None:
        return []
    rows = session.execute(
        select(ApprovalDecision, User.display_name)
        .outerjoin(User, User.id == ApprovalDecision.approver_id)
        .where(ApprovalDecision.request_id == request_id)
        .order_by(ApprovalDecision.decided_at, ApprovalDecision.id)
    ).all()
    return [DecisionRow(d.decided_at, name or "", d.decision, d.comment) for d, name in rows]
