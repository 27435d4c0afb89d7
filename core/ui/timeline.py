"""The follow-up timeline (CUS-10) for any lead, customer, contact, opportunity or contract:
an add form (type, content, time, next contact, files) above the entries, newest first, with
author, type, time in the business time zone, content as plain text and downloadable files.

    followup_timeline(actor, "opportunity", opportunity_id)"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.db import transaction
from core.errors import DomainError, ValidationFailed
from core.i18n import format_datetime, format_number, t, to_local, to_utc
from core.permissions import Actor
from core.services import followup_timeline as reads
from core.services import followups
from core.services.lookups import option_choices
from core.services.record_files import FILE_MAX_MB
from core.ui.context import show_error
from core.ui.record_detail import escape_markdown
from core.ui.submit_guard import already_saved, mark_saved, new_token
from core.validation import Upload

PAGE = 20


def _prefix(subject_type: str, subject_id: int) -> str:
    return f"timeline.{subject_type}.{subject_id}"


def _form_state(prefix: str) -> dict:
    """The add form's token (double submits save once) and generation (fresh widgets after a
    save, so the next entry starts empty while a failed save keeps what was typed)."""
    return st.session_state.setdefault(
        f"{prefix}.state", {"token": new_token(), "gen": 0, "errors": {}}
    )


def _error(state: dict, field: str) -> None:
    if field in state["errors"]:
        key, params = state["errors"][field]
        st.caption(f":red[{t(key, **params)}]")


def _when_row(keys: str, state: dict) -> dict:
    """Type, time (default now, business time) and next contact, side by side."""
    with transaction() as session:
        kinds = [value for value, _label in option_choices(session, "followup_type")]
    kind_col, when_col, next_col = st.columns(3)
    with kind_col:
        kind = st.selectbox(
            t("followup.kind"), kinds, index=0 if kinds else None, key=f"{keys}.kind"
        )
        _error(state, "kind")
    with when_col:
        now = to_local(followups.now())
        when = st.datetime_input(t("followup.followed_at"), value=now, key=f"{keys}.followed_at")
        _error(state, "followed_at")
    with next_col:
        label = t("followup.next_contact_at")
        following = st.datetime_input(label, value=None, key=f"{keys}.next_contact_at")
        _error(state, "next_contact_at")
    return {"kind": kind, "followed_at": when, "next_contact_at": following}


def _inputs(prefix: str, state: dict) -> dict:
    keys = f"{prefix}.{state['gen']}"
    values = _when_row(keys, state)
    values["content"] = st.text_area(
        t("followup.content"),
        key=f"{keys}.content",
        max_chars=2000,
        placeholder=t("followup.placeholder"),
        height=100,
    )
    _error(state, "content")
    values["files"] = st.file_uploader(
        t("followup.attachments"),
        accept_multiple_files=True,
        key=f"{keys}.files",
        max_upload_size=FILE_MAX_MB,
    )
    _error(state, "attachments")
    return values


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return to_utc(value) if value is not None else None


def _save(actor: Actor, subject_type: str, subject_id: int, state: dict, values: dict) -> None:
    if already_saved(st.session_state, state["token"]):
        return  # a double click of a form that already saved
    uploads = [Upload(f.name, f.type or "", f.getvalue()) for f in values["files"] or []]
    try:
        with transaction() as session:
            followups.add(
                session,
                actor=actor,
                subject_type=subject_type,
                subject_id=subject_id,
                kind=values["kind"] or "",
                content=values["content"],
                followed_at=_utc(values["followed_at"]),
                next_contact_at=_utc(values["next_contact_at"]),
                attachments=uploads,
            )
        mark_saved(st.session_state, state["token"])
    except ValidationFailed as exc:
        state["errors"] = exc.errors
        st.rerun()
    except DomainError as exc:
        show_error(exc)
        return
    state.update(token=new_token(), gen=state["gen"] + 1, errors={})
    st.toast(t("followup.saved"))
    st.rerun()


def _add_form(actor: Actor, subject_type: str, subject_id: int) -> None:
    prefix = _prefix(subject_type, subject_id)
    state = _form_state(prefix)
    with st.container(border=True):
        st.markdown(f"**{t('followup.add')}**")
        if state["errors"]:
            st.error(t("error.validation_failed"))
        with st.form(key=f"{prefix}.form", enter_to_submit=False, border=False):
            values = _inputs(prefix, state)
            posted = st.form_submit_button(t("followup.save"), type="primary", key=f"{prefix}.save")
    if posted:
        _save(actor, subject_type, subject_id, state, values)


def _file_bytes(actor: Actor, attachment_id: int):
    def load() -> bytes:
        # Runs on click: its own session, and the permission check again.
        with transaction() as session:
            return reads.file(session, actor=actor, attachment_id=attachment_id).data

    return load


def _delete(actor: Actor, followup_id: int) -> None:
    try:
        with transaction() as session:
            followups.delete(session, actor=actor, followup_id=followup_id)
    except DomainError as exc:
        show_error(exc)
        return
    st.toast(t("followup.deleted"))
    st.rerun()


def _may_delete(actor: Actor, entry) -> bool:
    owners = actor.owner_ids("crm.followup.delete")
    return actor.can("crm.followup.delete") and (owners is None or entry.owner_id in owners)


def _heading(entry, kind_label: str, titles: dict, subject_type: str) -> str:
    parts = [f"**{escape_markdown(entry.author)}**", escape_markdown(kind_label)]
    parts.append(format_datetime(entry.followed_at))
    if entry.subject_type != subject_type:
        name = titles.get((entry.subject_type, entry.subject_id), "")
        kind = t(f"followup.subject_type_choices.{entry.subject_type}")
        parts.append(escape_markdown(t("followup.on_subject", kind=kind, name=name)))
    return " · ".join(parts)


def _entry(actor: Actor, entry, prefix: str, titles: dict, subject_type: str) -> None:
    with st.container(border=True):
        head_col, action_col = st.columns([6, 1], vertical_alignment="center")
        head_col.markdown(_heading(entry, entry.kind or "—", titles, subject_type))
        if _may_delete(actor, entry) and action_col.button(
            t("followup.delete"), key=f"{prefix}.delete.{entry.id}", type="tertiary"
        ):
            _delete(actor, entry.id)
        st.text(entry.content)  # plain text: user input never renders as markup
        if entry.next_contact_at:
            st.caption(t("followup.next_contact", when=format_datetime(entry.next_contact_at)))
        for info in entry.files:
            st.download_button(
                f"📎 {info.filename} ({format_number(max(1, info.size // 1024))} KB)",
                data=_file_bytes(actor, info.id),
                file_name=info.filename,
                key=f"{prefix}.file.{info.id}",
                on_click="ignore",
                type="tertiary",
            )


def followup_timeline(
    actor: Actor, subject_type: str, subject_id: int, *, can_add: bool = True
) -> None:
    """The subject's follow-ups, newest first, with an add form when the actor may write one
    (and `can_add`, e.g. False on a converted lead). The caller has checked the subject is
    visible; the service checks again."""
    prefix = _prefix(subject_type, subject_id)
    if can_add and actor.can("crm.followup.create"):
        _add_form(actor, subject_type, subject_id)
    limit = st.session_state.get(f"{prefix}.limit", PAGE)
    with transaction() as session:
        entries, total = reads.timeline(
            session, actor=actor, subject_type=subject_type, subject_id=subject_id, limit=limit
        )
        titles = reads.subject_titles(session, [(e.subject_type, e.subject_id) for e in entries])
    if not entries:
        st.caption(t("followup.empty"))
    for entry in entries:
        _entry(actor, entry, prefix, titles, subject_type)
    if total > len(entries):
        st.button(
            t("followup.more", total=total),
            key=f"{prefix}.more",
            on_click=lambda: st.session_state.__setitem__(f"{prefix}.limit", limit + PAGE),
        )
