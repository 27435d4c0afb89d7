"""Tabs a sales record shares with the rest of the CRM: its follow-up timeline (CUS-10)."""

from __future__ import annotations

from core.permissions import Actor
from core.ui.timeline import followup_timeline


def followups_tab(actor: Actor, subject_type: str, record) -> None:
    """The record's follow-ups with an add form (core/ui/timeline.py)."""
    followup_timeline(actor, subject_type, record.id)
