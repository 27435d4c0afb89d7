"""商机 (CUS-6): a kanban board by stage or a list; the selected opportunity's detail below."""

import streamlit as st

from core.i18n import t
from core.services.opportunities import OPPORTUNITY
from core.ui.context import page_setup
from core.ui.kanban import board, board_filters
from core.ui.opportunity_detail import (
    open_new_opportunity,
    opportunity_form,
    opportunity_panel,
)
from core.ui.order_form import order_form_is_open
from core.ui.records import record_list, selected_key

actor = page_setup("crm.opportunity.view", "opportunity.title")

views = {"board": t("opportunity.view_board"), "list": t("opportunity.view_list")}
new_col, view_col = st.columns([1, 5], vertical_alignment="center")
if actor.can(OPPORTUNITY.action("create")):
    new_col.button(
        t("opportunity.new"),
        key="opportunity.new",
        type="primary",
        on_click=open_new_opportunity,
        disabled=order_form_is_open(OPPORTUNITY),
    )
view = view_col.segmented_control(
    t("opportunity.view"),
    list(views),
    format_func=views.get,
    default="board",
    key="opportunity.layout",
    label_visibility="collapsed",
)

opportunity_form(actor)
if view == "list":
    selected = record_list(OPPORTUNITY, actor)
    if selected is not None:
        opportunity_panel(actor, selected)
else:
    # On the board the opened card's detail comes first: the columns are long.
    selected = st.session_state.get(selected_key(OPPORTUNITY))
    if selected is not None:
        opportunity_panel(actor, selected)
    board(actor, *board_filters())
