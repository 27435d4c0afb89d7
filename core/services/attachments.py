"""Files kept in the relational store (DESIGN.md §2): store a checked upload, read it back.

Callers check that the actor may see the record a file belongs to before handing it out."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.models import Attachment
from core.permissions import Actor
from core.types import utcnow
from core.validation import Upload

__all__ = ["Upload", "for_subject", "get", "retire", "store"]


def store(
    session: Session,
    *,
    actor: Actor,
    upload: Upload,
    subject_type: str,
    subject_id: int | None = None,
) -> Attachment:
    """Save an upload that validation already checked (type sniffed, size bounded)."""
    attachment = Attachment(
        subject_type=subject_type,
        subject_id=subject_id,
        filename=upload.filename,
        content_type=upload.content_type,
        size=len(upload.data),
        data=upload.data,
        uploaded_by_id=actor.user_id,
    )
    session.add(attachment)
    session.flush()
    return attachment


def get(session: Session, *, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(entity="attachment", id=attachment_id)
    return attachment


def retire(session: Session, *, attachment_id: int | None) -> None:
    """Mark a replaced file deleted (the change log still names it; a purge job may drop it)."""
    if attachment_id is not None:
        attachment = session.get(Attachment, attachment_id)
        if attachment is not None and attachment.deleted_at is None:
            attachment.deleted_at = utcnow()


def for_subject(session: Session, *, subject_type: str, subject_id: int) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(
                Attachment.subject_type == subject_type,
                Attachment.subject_id == subject_id,
                Attachment.deleted_at.is_(None),
            )
            .order_by(Attachment.id)
        )
    )
