"""Tabs a sales record shares with the rest of the CRM: its follow-up timeline (CUS-10)."""

from __future__ import annotations

import importlib.util

import streamlit as st

from core.i18n import t


def followups_tab(subject_type: str, record) -> None:
    """The record's follow-up timeline (core/ui/timeline.py) once that module exists."""
    if importlib.util.find_spec("core.ui.timeline") is None:
        st.caption(t("order.followups_pending"))
        return
    from core.ui.timeline import followup_timeline

    followup_timeline(subject_type, record)
