"""Reading follow-ups (CUS-10): a record's timeline newest first with authors and files, a
follow-up's file for download, and the names of the records follow-ups are about."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.models import Attachment, FollowUp, User
from core.permissions import Actor
from core.services import attachments
from core.services.followups import SUBJECTS, visible_subject
from core.services.record_query import not_deleted


@dataclass(frozen=True)
class FileInfo:
    id: int
    filename: str
    size: int


@dataclass(frozen=True)
class Entry:
    """One follow-up in a timeline, with its author's name and files (without their bytes)."""

    id: int
    subject_type: str
    subject_id: int
    kind: str
    content: str
    followed_at: dt.datetime
    next_contact_at: dt.datetime | None
    owner_id: int | None
    author: str
    files: tuple[FileInfo, ...]


def _subject_clause(subject_type: str, subject_id: int):
    if subject_type == "customer":
        # A customer's timeline holds everything about it: its contacts, deals, the old lead.
        return FollowUp.customer_id == subject_id
    return (FollowUp.subject_type == subject_type) & (FollowUp.subject_id == subject_id)


def _files(session: Session, ids: list[int]) -> dict[int, list[FileInfo]]:
    found: dict[int, list[FileInfo]] = {}
    if not ids:
        return found
    rows = session.execute(
        select(Attachment.id, Attachment.subject_id, Attachment.filename, Attachment.size)
        .where(
            Attachment.subject_type == "followup",
            Attachment.subject_id.in_(ids),
            Attachment.deleted_at.is_(None),
        )
        .order_by(Attachment.id)
    )
    for a_id, owner, name, size in rows:
        found.setdefault(owner, []).append(FileInfo(a_id, name, size))
    return found


def timeline(
    session: Session, *, actor: Actor, subject_type: str, subject_id: int, limit: int = 20
) -> tuple[list[Entry], int]:
    """The subject's follow-ups, newest first (at most `limit`), and how many there are. Anyone
    who can see the subject sees its whole timeline, whoever wrote each entry (CUS-10)."""
    visible_subject(session, actor=actor, subject_type=subject_type, subject_id=subject_id)
    where = (_subject_clause(subject_type, subject_id), not_deleted(FollowUp))
    total = session.scalar(select(func.count()).select_from(FollowUp).where(*where)) or 0
    rows = session.execute(
        select(FollowUp, User.display_name)
        .outerjoin(User, User.id == FollowUp.owner_id)
        .where(*where)
        .order_by(FollowUp.followed_at.desc(), FollowUp.id.desc())
        .limit(limit)
    ).all()
    files = _files(session, [r.id for r, _ in rows])
    entries = [
        Entry(
            id=r.id,
            subject_type=r.subject_type,
            subject_id=r.subject_id,
            kind=r.kind,
            content=r.content,
            followed_at=r.followed_at,
            next_contact_at=r.next_contact_at,
            owner_id=r.owner_id,
            author=name or "",
            files=tuple(files.get(r.id, ())),
        )
        for r, name in rows
    ]
    return entries, total


def file(session: Session, *, actor: Actor, attachment_id: int) -> Attachment:
    """A follow-up's file, if the actor may see the follow-up's subject."""
    attachment = attachments.get(session, attachment_id=attachment_id)
    record = (
        session.get(FollowUp, attachment.subject_id)
        if attachment.subject_type == "followup"
        else None
    )
    if record is None or record.deleted_at is not None or attachment.deleted_at is not None:
        raise NotFound(entity="attachment", id=attachment_id)
    subject_type, subject_id = record.subject_type, record.subject_id
    visible_subject(session, actor=actor, subject_type=subject_type, subject_id=subject_id)
    return attachment


def subject_titles(session: Session, pairs) -> dict[tuple[str, int], str]:
    """Names of follow-up subjects {(type, id): name} for timelines and the follow-up list."""
    wanted: dict[str, set[int]] = {}
    for subject_type, subject_id in pairs:
        if subject_type in SUBJECTS:
            wanted.setdefault(subject_type, set()).add(subject_id)
    found = {}
    for subject_type, ids in wanted.items():
        model = SUBJECTS[subject_type]
        rows = session.execute(select(model.id, model.name).where(model.id.in_(sorted(ids))))
        found |= {(subject_type, i): n for i, n in rows}
    return found
