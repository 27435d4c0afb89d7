"""The opportunity board (CUS-6): one column per stage of the chosen group with the count and
amount of every visible open opportunity in it; cards move one stage with ◀ ▶ (Streamlit has no
drag and drop) and open the detail with a click on their name. Closed ones are summed below."""

from __future__ import annotations

import streamlit as st

from core.db import transaction
from core.errors import DomainError
from core.i18n import format_money, t
from core.permissions import Actor
from core.services import opportunities, stages
from core.services.lookups import Lookups
from core.services.opportunities import OPPORTUNITY
from core.ui.record_detail import escape_markdown
from core.ui.record_form import selected_key

GROUP = "opportunity.board_group"
SEARCH = "opportunity.board_search"
MINE = "opportunity.board_mine"
ERROR = "opportunity.board_error"
PER_COLUMN = 20
COLUMN_HEIGHT = 640  # px: columns scroll on their own, like a board


def _move(actor: Actor, opportunity_id: int, stage_id: int) -> None:
    try:
        with transaction() as session:
            opportunities.change_stage(
                session, actor=actor, opportunity_id=opportunity_id, stage_id=stage_id
            )
    except DomainError as exc:
        st.session_state[ERROR] = (exc.key, exc.params)


def _open(opportunity_id: int) -> None:
    st.session_state[selected_key(OPPORTUNITY)] = opportunity_id


def board_filters() -> tuple[int | None, str, bool]:
    """Group, search text and "mine only" above the board."""
    with transaction() as session:
        groups = {g.id: g.name for g in stages.list_groups(session, active_only=True)}
        default = stages.default_group(session)
    if st.session_state.get(GROUP) not in groups:
        st.session_state[GROUP] = default.id if default else None
    group_col, search_col, mine_col = st.columns([2, 3, 1.2], vertical_alignment="bottom")
    group_id = group_col.selectbox(
        t("opportunity.stage_group_id"), list(groups), format_func=groups.get, key=GROUP
    )
    search = search_col.text_input(
        t("records.search"),
        key=SEARCH,
        placeholder=t("opportunity.search_hint"),
        label_visibility="collapsed",
    )
    mine = mine_col.toggle(t("opportunity.board_mine"), key=MINE)
    return group_id, search, mine


def _card(actor: Actor, card, lookups: Lookups, previous, following) -> None:
    customer = lookups.display(OPPORTUNITY.field("customer_id"), card.customer_id)
    owner = lookups.display(OPPORTUNITY.field("owner_id"), card.owner_id)
    with st.container(border=True, gap="small"):
        st.button(
            escape_markdown(card.name),
            key=f"opportunity.card.{card.id}",
            type="tertiary",
            on_click=_open,
            args=(card.id,),
        )
        st.caption(f"{customer} · {owner}")
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.markdown(f"**{format_money(card.amount)}**")
            st.space("stretch")
            if actor.can("crm.opportunity.edit"):
                _arrows(actor, card, previous, following)


def _arrows(actor: Actor, card, previous, following) -> None:
    for target, label, name in ((previous, "◀", "back"), (following, "▶", "forward")):
        st.button(
            label,
            key=f"opportunity.card.{card.id}.{name}",
            type="tertiary",
            disabled=target is None,
            on_click=_move,
            args=(actor, card.id, target.id if target else None),
            help=t("opportunity.move_to", stage=target.name) if target else None,
        )


def _column_head(column) -> None:
    st.markdown(f"**{escape_markdown(column.stage.name)}** · {column.stage.win_probability}%")
    st.caption(
        t("opportunity.board_column", count=column.count, amount=format_money(column.amount))
    )


def board(actor: Actor, group_id: int | None, search: str, mine: bool) -> None:
    """The columns of the group's stages with their cards, then the closed totals."""
    if group_id is None:
        st.info(t("opportunity.no_groups"))
        return
    if ERROR in st.session_state:
        key, params = st.session_state.pop(ERROR)
        st.error(t(key, **params))
    with transaction() as session:
        columns = opportunities.kanban(
            session,
            actor=actor,
            group_id=group_id,
            search=search,
            mine_only=mine,
            per_column=PER_COLUMN,
        )
        cards = [c for column in columns for c in column.cards]
        fields = [OPPORTUNITY.field("customer_id"), OPPORTUNITY.field("owner_id")]
        lookups = Lookups.for_rows(session, OPPORTUNITY, cards, fields)
        closed = opportunities.closed_summary(
            session, actor=actor, group_id=group_id, search=search, mine_only=mine
        )
    for i, (place, column) in enumerate(zip(st.columns(len(columns)), columns, strict=True)):
        previous = columns[i - 1].stage if i > 0 else None
        following = columns[i + 1].stage if i + 1 < len(columns) else None
        with place:
            _column_head(column)
            with st.container(height=COLUMN_HEIGHT, border=False):
                for card in column.cards:
                    _card(actor, card, lookups, previous, following)
                if column.count > len(column.cards):
                    st.caption(t("opportunity.board_more", n=column.count - len(column.cards)))
    _closed_totals(closed)


def _closed_totals(closed: dict) -> None:
    st.divider()
    for place, status in zip(st.columns(3), ("won", "lost", "invalid"), strict=True):
        count, amount = closed[status]
        label = t(f"opportunity.status_choices.{status}")
        place.metric(f"{label} · {t('opportunity.board_count', count=count)}", format_money(amount))
