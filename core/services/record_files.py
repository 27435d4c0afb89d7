"""Files attached to a business record (the 附件 tab of leads and customers, follow-up files):
size-checked uploads of any type, listed without their bytes, handed out only in scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.entities import EntitySpec
from core.errors import NotFound, ValidationFailed
from core.models import Attachment, User
from core.permissions import Actor
from core.services import attachments, changelog, records
from core.types import utcnow
from core.validation import Upload

FILE_MAX_BYTES = 10 * 1024 * 1024
FILE_MAX_MB = FILE_MAX_BYTES // (1024 * 1024)


def clean_upload(upload: Upload, *, field: str = "file") -> Upload:
    """A non-empty file of at most 10 MB with a usable name (any type: contracts, photos …)."""
    if not upload.data:
        raise ValidationFailed({field: ("followup.files.empty", {"name": upload.filename})})
    if len(upload.data) > FILE_MAX_BYTES:
        params = {"name": upload.filename, "max": f"{FILE_MAX_MB} MB"}
        raise ValidationFailed({field: ("followup.files.too_large", params)})
    name = upload.filename.replace("\x00", "").replace("/", "_").replace("\\", "_").strip()
    content_type = (upload.content_type or "application/octet-stream")[:100]
    return Upload((name or "file")[-200:], content_type, upload.data)


@dataclass(frozen=True)
class StoredFile:
    id: int
    filename: str
    size: int
    uploaded_at: dt.datetime
    uploaded_by: str


def attach(session: Session, *, actor: Actor, spec: EntitySpec, record_id: int, upload: Upload):
    """Attach a file to a record the actor may edit; logged in the record's history."""
    record = records.get_visible(
        session, actor=actor, spec=spec, record_id=record_id, action=spec.action("edit")
    )
    stored = attachments.store(
        session,
        actor=actor,
        upload=clean_upload(upload),
        subject_type=spec.name,
        subject_id=record.id,
    )
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity=spec.name,
        record_id=record.id,
        action="attach",
        field="attachments",
        new=stored.filename,
    )
    return stored


def listing(
    session: Session, *, actor: Actor, spec: EntitySpec, record_id: int
) -> list[StoredFile]:
    """The record's live files, oldest first, if the actor may see the record."""
    records.get_visible(session, actor=actor, spec=spec, record_id=record_id)
    rows = session.execute(
        select(
            Attachment.id,
            Attachment.filename,
            Attachment.size,
            Attachment.created_at,
            User.display_name,
        )
        .outerjoin(User, User.id == Attachment.uploaded_by_id)
        .where(
            Attachment.subject_type == spec.name,
            Attachment.subject_id == record_id,
            Attachment.deleted_at.is_(None),
        )
        .order_by(Attachment.id)
    )
    return [StoredFile(i, n, s, at, who or "") for i, n, s, at, who in rows]


def _own_file(session: Session, spec: EntitySpec, record_id: int, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.deleted_at is not None
        or attachment.subject_type != spec.name
        or attachment.subject_id != record_id
    ):
        raise NotFound(entity="attachment", id=attachment_id)
    return attachment


def download(
    session: Session, *, actor: Actor, spec: EntitySpec, record_id: int, attachment_id: int
) -> Attachment:
    """One file of the record, with its bytes, if the actor may see the record."""
    records.get_visible(session, actor=actor, spec=spec, record_id=record_id)
    return _own_file(session, spec, record_id, attachment_id)


def remove(
    session: Session, *, actor: Actor, spec: EntitySpec, record_id: int, attachment_id: int
) -> None:
    """Delete a file of a record the actor may edit; logged in the record's history."""
    records.get_visible(
        session, actor=actor, spec=spec, record_id=record_id, action=spec.action("edit")
    )
    attachment = _own_file(session, spec, record_id, attachment_id)
    attachment.deleted_at = utcnow()
    changelog.log(
        session,
        actor_id=actor.user_id,
        entity=spec.name,
        record_id=record_id,
        action="detach",
        field="attachments",
        old=attachment.filename,
    )
