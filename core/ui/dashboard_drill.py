"""Dashboard click-through (CUS-1): a card's button stores what was clicked; the page then shows
the records behind it in a dialog (opened from session state, so a rerun can drive it)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.bi import dashboard, drilldown, measures
from core.bi.periods import Period
from core.bi.scope import Who
from core.i18n import t
from core.permissions import Actor
from core.ui.drill import Drill, show_drill

STATE = "dashboard.drill"


def open_drill(*what) -> None:
    """Button callback: ("measure", name) | ("forgotten", days) | ("todo", item) |
    ("funnel", status, stage_id, stage_name)."""
    st.session_state[STATE] = what


def close_drill() -> None:
    st.session_state.pop(STATE, None)


def _drill(mirror, actor: Actor, period: Period, who: Who, today: dt.date, what) -> Drill:
    match what:
        case ("measure", name):
            ids = measures.ids(mirror, name, actor=actor, period=period, who=who)
            return Drill(drilldown.RECORD_OF[name], ids, t(f"dashboard.metric.{name}"))
        case ("forgotten", days):
            ids = dashboard.forgotten_ids(mirror, actor=actor, who=who, days=days, today=today)
            return Drill("customer", ids, t("dashboard.forgotten.title_days", days=days))
        case ("todo", item):
            ids = dashboard.todo_ids(mirror, actor=actor, who=who, item=item, today=today)
            return Drill(drilldown.RECORD_OF[item], ids, t(f"dashboard.todo.{item}"))
        case ("funnel", status, stage_id, stage_name):
            ids = drilldown.funnel_ids(mirror, actor=actor, period=period, who=who,
                                       status=status, stage_id=stage_id)  # fmt: skip
            return Drill("opportunity", ids, stage_name)
    raise ValueError(f"unknown dashboard drill {what!r}")


def drill_dialog(mirror, actor: Actor, period: Period, who: Who, today: dt.date) -> None:
    """The dialog with the records behind the clicked number, while one is open."""
    what = st.session_state.get(STATE)
    if not what:
        return
    drill = _drill(mirror, actor, period, who, today, tuple(what))

    def body() -> None:
        show_drill(actor, drill, key="dashboard.drill_panel")

    st.dialog(t("dashboard.drill_title"), width="large", on_dismiss=close_drill)(body)()
