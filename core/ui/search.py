"""Global search on screen: the box in the sidebar of every page, and the results page with hits
grouped by entity, each linking to its record (the list page opens `?<entity>=<id>`)."""

from __future__ import annotations

import streamlit as st

from core.config import PROJECT_ROOT
from core.db import transaction
from core.i18n import t
from core.permissions import Actor
from core.services import search
from core.services.search import TARGETS, Hit
from core.ui.record_detail import escape_markdown

SEARCH_PAGE = "pages/crm/search.py"
BOX_KEY = "shell.search"
QUERY_KEY = "search.query"
GO_KEY = "shell.search_go"
# The page that shows each entity's records (its record_list opens ?<entity>=<id>).
RECORD_PAGES = {
    "customer": "pages/crm/customers.py",
    "contact": "pages/crm/contacts.py",
    "lead": "pages/crm/leads.py",
    "opportunity": "pages/crm/opportunities.py",
    "contract": "pages/crm/contracts.py",
}


def can_search(actor: Actor) -> bool:
    return any(actor.can(target.view_action) for target in TARGETS)


def _go() -> None:
    st.session_state[GO_KEY] = True


def sidebar_search_box(actor: Actor) -> None:
    """A search box on every page; Enter opens the results page with the text."""
    if not can_search(actor) or not (PROJECT_ROOT / SEARCH_PAGE).exists():
        return
    text = st.text_input(
        t("search.box"),
        key=BOX_KEY,
        placeholder=t("search.box"),
        label_visibility="collapsed",
        on_change=_go,
    )
    if st.session_state.pop(GO_KEY, False) and text.strip():
        st.session_state[QUERY_KEY] = text.strip()
        st.switch_page(SEARCH_PAGE, query_params={"q": text.strip()})


def _hit(hit: Hit, actor: Actor) -> None:
    page = RECORD_PAGES.get(hit.entity)
    detail = " · ".join(d for d in hit.detail if d)
    owner = t("search.owner", name=hit.owner) if hit.owner else t("search.pool")
    title_col, info_col = st.columns([2, 3], vertical_alignment="center")
    with title_col:
        if page and (PROJECT_ROOT / page).exists():
            st.page_link(
                page, label=escape_markdown(hit.title), query_params={hit.entity: str(hit.id)}
            )
        else:
            st.text(hit.title)
    info_col.caption(" · ".join(p for p in (detail, owner) if p))


def results(actor: Actor) -> None:
    """The search page body: box (from ?q= or the sidebar), match-anywhere option, groups."""
    if "q" in st.query_params:
        st.session_state[QUERY_KEY] = st.query_params["q"]
        del st.query_params["q"]
    box_col, option_col = st.columns([3, 1], vertical_alignment="bottom")
    text = box_col.text_input(
        t("search.title"), key=QUERY_KEY, placeholder=t("search.placeholder"),
        label_visibility="collapsed",
    )  # fmt: skip
    contains = option_col.toggle(t("search.contains"), key="search.contains")
    st.caption(t("search.hint"))
    if not text.strip():
        st.info(t("search.nothing_yet"))
        return
    with transaction() as session:
        groups = search.search(session, actor=actor, text=text, contains=contains)
    if not any(groups.values()):
        st.info(t("search.empty"))
        return
    for entity, hits in groups.items():
        if not hits:
            continue
        with st.container(border=True):
            st.markdown(f"**{t(f'search.entity.{entity}')}** · {t('search.count', n=len(hits))}")
            for hit in hits:
                _hit(hit, actor)
            if len(hits) >= search.PER_ENTITY:
                st.caption(t("search.more", n=search.PER_ENTITY))
