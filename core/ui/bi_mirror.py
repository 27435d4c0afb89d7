"""The analytic mirror for BI pages (DESIGN.md §4): one per process and store, built on first
use with a progress bar (a minute at scale L), refreshed before every render (throttled)."""

from __future__ import annotations

import threading

import streamlit as st

from core.bi.mirror import Mirror, get_mirror
from core.config import get_settings
from core.i18n import t

_build_lock = threading.Lock()


@st.cache_resource(show_spinner=False)
def _mirror(store_url: str, path: str) -> Mirror:
    return get_mirror(store_url, path)


def _build(mirror: Mirror) -> None:
    note = st.info(t("bi_pages.mirror.first_build"))
    bar = st.progress(0.0, text=t("bi_pages.mirror.building"))

    def progress(fraction: float, table: str) -> None:
        text = (
            t("bi_pages.mirror.building_table", table=table)
            if table
            else t("bi_pages.mirror.building")
        )
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=text)

    mirror.build(progress)
    bar.empty()
    note.empty()


def ready_mirror() -> Mirror:
    """The mirror of the configured store (read from the environment now), up to date."""
    settings = get_settings()
    mirror = _mirror(settings.database_url, str(settings.mirror_path))
    if not mirror.is_built:
        with _build_lock:  # two sessions arriving at once build it once
            if not mirror.is_built:
                _build(mirror)
    mirror.refresh()
    return mirror
