"""The 附件 tab of a record: upload (any type, ≤ 10 MB), list with uploader and time, download,
delete. The page passes the entity service's functions, which check the rights."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.db import transaction
from core.errors import DomainError
from core.i18n import format_datetime, format_number, t
from core.services.record_files import FILE_MAX_MB
from core.ui.context import show_error
from core.validation import Upload

# listing(session) -> [StoredFile]; fetch(session, id) -> Attachment; attach(session, Upload);
# remove(session, id). attach/remove are None when the actor may only look.
Listing = Callable[..., list]


def _run(action: Callable, message: str, *args) -> None:
    try:
        with transaction() as session:
            action(session, *args)
    except DomainError as exc:
        show_error(exc)
        return
    st.toast(t(message))
    st.rerun()


def _upload(key: str, attach: Callable) -> None:
    generation = st.session_state.get(f"{key}.gen", 0)
    picked = st.file_uploader(
        t("customer.files.upload"), key=f"{key}.upload.{generation}", max_upload_size=FILE_MAX_MB
    )
    if picked is not None and st.button(t("customer.files.upload"), key=f"{key}.save"):
        st.session_state[f"{key}.gen"] = generation + 1  # an empty picker after the upload
        _run(
            attach,
            "customer.files.uploaded",
            Upload(picked.name, picked.type or "", picked.getvalue()),
        )


def _bytes(fetch: Callable, attachment_id: int):
    def load() -> bytes:
        with transaction() as session:
            return fetch(session, attachment_id).data

    return load


def files_panel(
    key: str,
    *,
    listing: Listing,
    fetch: Callable,
    attach: Callable | None,
    remove: Callable | None,
) -> None:
    """Render the files of one record; `key` prefixes every widget key."""
    if attach is not None:
        _upload(key, attach)
    with transaction() as session:
        files = listing(session)
    if not files:
        st.caption(t("customer.files.empty"))
    for f in files:
        name_col, meta_col, get_col, drop_col = st.columns(
            [4, 3, 1, 1], vertical_alignment="center"
        )
        name_col.text(f.filename)
        size = f"{format_number(max(1, f.size // 1024))} KB"
        meta_col.caption(f"{size} · {f.uploaded_by} · {format_datetime(f.uploaded_at)}")
        get_col.download_button(
            t("customer.files.download"),
            data=_bytes(fetch, f.id),
            file_name=f.filename,
            key=f"{key}.download.{f.id}",
            on_click="ignore",
            type="tertiary",
        )
        if remove is not None and drop_col.button(
            t("customer.files.delete"), key=f"{key}.delete.{f.id}", type="tertiary"
        ):
            _run(remove, "customer.files.deleted", f.id)
