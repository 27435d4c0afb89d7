"""Click-through (CUS-1, BI-*): the records behind a number or a report row — names read from
the store within the viewer's scope — with a link to the matching list page where it exists."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from core.bi import record_rows
from core.config import PROJECT_ROOT
from core.db import transaction
from core.i18n import format_date, format_datetime, format_money, format_number, has_key, t
from core.permissions import Actor
from core.ui.navigation import PAGES
from core.ui.record_detail import escape_markdown

LIMIT = 200
TEXT_LIMIT = 60

# Record kind → its list page and the `?<entity>=<id>` parameter that opens one record there.
LIST_PAGES = {
    "customer": ("pages/crm/customers.py", "customer"),
    "contact": ("pages/crm/contacts.py", "contact"),
    "lead": ("pages/crm/leads.py", "lead"),
    "opportunity": ("pages/crm/opportunities.py", "opportunity"),
    "contract": ("pages/crm/contracts.py", "contract"),
    "receivable": ("pages/crm/receivables.py", "receivable"),
    "receivable_plan": ("pages/crm/receivables.py", "receivable_plan"),
    "follow_up": ("pages/crm/follow_ups.py", "followup"),
}
MONEY_COLUMNS = {"amount", "planned_amount"}
STATUS_COLUMNS = {"status", "approval_status"}


@dataclass(frozen=True)
class Drill:
    """The records behind a figure: their kind (core/bi/record_rows.KINDS), ids, a title."""

    kind: str
    ids: list[int] = field(default_factory=list)
    title: str = ""


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if column in MONEY_COLUMNS:
        return format_money(value)
    if column in STATUS_COLUMNS:
        key = f"bi_pages.record.status.{value}"
        return t(key) if has_key(key) else str(value)
    if column.endswith("_at"):
        return format_datetime(value)
    if column.endswith("_date"):
        return format_date(value)
    if isinstance(value, int | float) and column != "id":
        return format_number(value)
    text = str(value)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _list_page(actor: Actor, kind: str) -> str | None:
    path = LIST_PAGES.get(kind, ("", ""))[0]
    entry = next((p for p in PAGES if p.path == path), None)
    if entry is None or not (PROJECT_ROOT / path).exists() or not actor.can(entry.action):
        return None
    return path


def _open_picked(event, drill: Drill, frame, page: str) -> None:
    """A record picked in the list opens on its own page (`?customer=12`)."""
    picked = event["selection"]["rows"]
    if picked:
        entity = LIST_PAGES[drill.kind][1]
        st.switch_page(page, query_params={entity: str(frame["id"][picked[0]])})


def show_drill(actor: Actor, drill: Drill, *, key: str) -> None:
    """A bordered panel: title, the first LIMIT records (a pick opens one), a count, and a link
    to the list page."""
    with st.container(border=True, key=key):
        st.markdown(f"**{escape_markdown(drill.title)}**")
        if not drill.ids:
            st.info(t("bi_pages.drill.none"))
            return
        with transaction() as session:
            frame = record_rows.rows(session, actor=actor, kind=drill.kind, ids=drill.ids,
                                     limit=LIMIT)  # fmt: skip
        data = {
            t(f"bi_pages.record.column.{c}"): [_cell(c, v) for v in frame[c].to_list()]
            for c in frame.columns
            if c != "id"
        }
        page = _list_page(actor, drill.kind)
        event = st.dataframe(data, hide_index=True, width="stretch", key=f"{key}.table",
                             on_select="rerun" if page else "ignore",
                             selection_mode="single-row")  # fmt: skip
        total = len(drill.ids)
        note = "bi_pages.drill.count" if total <= LIMIT else "bi_pages.drill.count_first"
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.caption(t(note, total=format_number(total), shown=LIMIT))
        if page:
            label = t(f"bi_pages.drill.open_list.{drill.kind}")
            right.page_link(page, label=label, width="stretch")
            _open_picked(event, drill, frame, page)
