"""The generic list (DESIGN.md §6): views (built-in and saved), quick search, filters per
filterable field, sort, column chooser, server-side pagination with the total, CSV/Excel export
of exactly the filtered rows, an empty state, stars, ticked rows for bulk actions, and a click
on a cell opening its record (the page shows the selected record's detail; `?<entity>=<id>` in
the URL opens one too)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st
from sqlalchemy.sql import ColumnElement

from core.db import transaction
from core.entities import NUMBER_KINDS, EntitySpec, FieldSpec, Kind
from core.i18n import format_number, t
from core.permissions import Actor
from core.services import records, saved_views
from core.services.lookups import Lookups
from core.services.saved_views import ViewQuery
from core.ui.bulk_bar import (
    ExtraActions,
    bulk_bar,
    checked_key,
    clear_checked,
    show_flash,
    table_generation,
)
from core.ui.export_menu import export_menu
from core.ui.fields import Choices, filter_widget
from core.ui.record_form import flash_key, selected_key
from core.ui.views_bar import save_view_popover, views_bar

PAGE_SIZES = (20, 50, 100)
STAR_WIDTH = 36  # pixels: one ★ and its cell padding
COUNT_LIMIT = 10_000  # past this a list says "10,000+" instead of counting millions of rows
# extra_columns(rows) -> {header: [cell per row]}: columns a page adds in front (e.g. a star).
ExtraColumns = Callable[[list], dict[str, list[str]]]


def _search(spec: EntitySpec) -> str:
    if not spec.search_fields:
        return ""
    return st.text_input(
        t("records.search"),
        key=f"{spec.name}.search",
        placeholder=t(spec.search_hint),
        label_visibility="collapsed",
    )


def _filters(spec: EntitySpec, actor: Actor) -> dict[str, Any]:
    fields = spec.filter_fields()
    filters: dict[str, Any] = {}
    if fields:
        with st.expander(t("records.filters")), transaction() as session:
            choices = Choices.load(session, actor, spec, fields)
            columns = st.columns(3)
            for i, f in enumerate(fields):
                with columns[i % 3]:
                    filters[f.name] = filter_widget(spec, f, choices)
    return filters


def _sort(spec: EntitySpec) -> str:
    sortable = [f for f in spec.fields if f.sortable and f.kind != Kind.IMAGE]
    options = [""] + [p + f.name for f in sortable for p in ("", "-")]

    def label(option: str) -> str:
        if not option:
            return t("records.sort_default")
        arrow = "↓" if option.startswith("-") else "↑"
        return f"{t(spec.field(option.lstrip('-')).label)} {arrow}"

    chosen = st.selectbox(
        t("records.sort"),
        options,
        key=f"{spec.name}.sort",
        format_func=label,
        label_visibility="collapsed",
    )
    # After a language switch Streamlit may hand back the old label instead of the option.
    return chosen if chosen in options else ""


def _page_size(spec: EntitySpec) -> int:
    """The chosen page size; a stale value (e.g. an old label after a language switch) → default."""
    value = st.session_state.get(f"{spec.name}.page_size", PAGE_SIZES[0])
    return value if value in PAGE_SIZES else PAGE_SIZES[0]


def _columns(spec: EntitySpec) -> list[str]:
    with st.popover(t("records.columns"), width="stretch"):
        chosen = st.multiselect(
            t("records.columns"),
            [f.name for f in spec.column_choices()],
            default=[f.name for f in spec.list_fields()],
            key=f"{spec.name}.columns",
            format_func=lambda n: t(spec.field(n).label),
        )
    return chosen or [f.name for f in spec.list_fields()]


def _active(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(v is not None for v in value)
    return value not in (None, "")


def _requested_page(spec: EntitySpec, signature: str) -> int:
    """Back to page 1 whenever the query changes (before the pagination widget renders)."""
    page_key, sig_key = f"{spec.name}.page", f"{spec.name}.query_signature"
    if st.session_state.get(sig_key) != signature:
        st.session_state[sig_key] = signature
        if st.session_state.get(page_key, 1) != 1:
            st.session_state[page_key] = 1
    return int(st.session_state.get(page_key, 1))


def _star_column(spec: EntitySpec, actor: Actor, rows: list) -> dict[str, list[str]]:
    with transaction() as session:
        starred = saved_views.starred_ids(session, actor=actor, spec=spec, ids=[r.id for r in rows])
    return {t("bulk.star_header"): ["★" if r.id in starred else "" for r in rows]}


def _table(
    spec, actor: Actor, page, fields: list[FieldSpec], extra, *, stars: bool, tickable: bool
):
    with transaction() as session:
        lookups = Lookups.for_rows(session, spec, page.rows, fields)
    data: dict[str, list] = _star_column(spec, actor, page.rows) if stars else {}
    data |= dict(extra(page.rows)) if extra else {}
    for f in fields:
        data[t(f.label)] = [lookups.display(f, getattr(r, f.name)) for r in page.rows]
    ids = [r.id for r in page.rows]
    table_key = f"{spec.name}.table.{table_generation(spec)}"

    def on_select() -> None:
        # A click on a cell opens its row; ticked rows are what bulk actions apply to.
        selection = st.session_state[table_key].selection
        cells = [cell[0] for cell in selection.get("cells", [])]
        rows = [i for i in selection.rows if i < len(ids)]
        if tickable:
            st.session_state[checked_key(spec)] = [ids[i] for i in rows]
        else:
            cells = rows + cells
        if cells and cells[0] < len(ids):
            st.session_state[selected_key(spec)] = ids[cells[0]]

    # No column is pinned: Streamlit greys out the text of pinned columns, which reads as
    # disabled. The star column is only as wide as its one character.
    config = {header: st.column_config.TextColumn(width="small") for header in data} | {
        t(f.label): st.column_config.TextColumn(
            alignment="right" if f.kind in NUMBER_KINDS else None
        )
        for f in fields
    }
    if stars:
        config[t("bulk.star_header")] = st.column_config.TextColumn(
            width=STAR_WIDTH, alignment="center"
        )
    # st.dataframe shows every cell as text: user input is never rendered as HTML/markdown.
    st.dataframe(
        data,
        key=table_key,
        hide_index=True,
        column_config=config,
        on_select=on_select,
        selection_mode=["multi-row" if tickable else "single-row", "single-cell"],
        width="stretch",
    )


def _open_from_url(spec: EntitySpec) -> None:
    """`?customer=12` (links from search and elsewhere) selects that record once."""
    value = st.query_params.get(spec.name)
    if value is not None:
        if value.isdigit():
            st.session_state[selected_key(spec)] = int(value)
        del st.query_params[spec.name]


def _keep_ticks_on_this_page(spec: EntitySpec, signature: str, page: int) -> None:
    """Ticks belong to the rows on screen: a new query or page starts without any."""
    marker = f"{spec.name}.checked_for"
    if st.session_state.get(marker) != (signature, page):
        st.session_state[marker] = (signature, page)
        if st.session_state.get(checked_key(spec)):
            clear_checked(spec)


def _toolbar(spec: EntitySpec) -> tuple[str, str, list[str], Any]:
    search_col, sort_col, columns_col, export_col = st.columns(
        [4, 2, 1.3, 1.3], vertical_alignment="bottom"
    )
    with search_col:
        search = _search(spec)
    with sort_col:
        sort = _sort(spec)
    with columns_col:
        columns = _columns(spec)
    return search, sort, columns, export_col


def record_list(
    spec: EntitySpec,
    actor: Actor,
    *,
    where: Iterable[ColumnElement[bool]] = (),
    context: object = None,
    extra_columns: ExtraColumns | None = None,
    views: bool = True,
    bulk: bool = True,
    bulk_actions: ExtraActions | None = None,
) -> int | None:
    """Render the list of `spec` rows the actor may see; return the selected record id.
    `where` adds the page's domain clauses (e.g. a category subtree); `context` identifies the
    user's choice behind them: a change returns to page 1, and a truthy one counts as a filter.
    `views` shows the views bar (built-in and saved views) and a star column; `bulk` lets rows be
    ticked for the bulk bar (transfer, pool, delete, star, export of the ticked rows);
    `bulk_actions(ids)` adds the page's own actions on the ticked rows to that bar."""
    _open_from_url(spec)
    flash = st.session_state.pop(flash_key(spec), None)
    if flash:
        st.toast(t(flash))
    show_flash(spec)
    view_key, view, save_col = "all", ViewQuery(), None
    if views:
        bar_col, save_col = st.columns([6.3, 1.3], vertical_alignment="center")
        with bar_col:
            view_key, view = views_bar(spec, actor)
    where = (*where, *view.where)
    search, sort, columns, export_col = _toolbar(spec)
    filters = _filters(spec, actor)
    if save_col is not None:
        with save_col:
            save_view_popover(spec, actor, filters=filters, search=search, sort=sort)
    page_size = _page_size(spec)
    signature = repr((search, sorted(filters.items(), key=str), sort, page_size, context, view_key))
    query = {"filters": filters, "sort": sort, "search": search, "where": where}
    with transaction() as session:
        page = records.list_visible(
            session,
            actor=actor,
            spec=spec,
            page=_requested_page(spec, signature),
            page_size=page_size,
            count_limit=COUNT_LIMIT,
            **query,
        )
    if actor.can(spec.action("export")):
        with export_col:
            export_menu(spec, actor, query=query, columns=columns, key=f"{spec.name}.export")
    if page.total == 0:
        active = bool(search) or bool(context) or any(_active(v) for v in filters.values())
        st.info(t("records.empty_filtered" if active or view_key != "all" else "records.empty"))
        return st.session_state.get(selected_key(spec))
    _keep_ticks_on_this_page(spec, signature, page.page)
    if bulk:
        ticked = st.session_state.get(checked_key(spec)) or []
        bulk_bar(spec, actor, ticked, columns, extra=bulk_actions)
    fields = [spec.field(n) for n in columns]
    _table(spec, actor, page, fields, extra_columns, stars=views, tickable=bulk)
    if st.session_state.get(f"{spec.name}.page", 1) != page.page:
        st.session_state[f"{spec.name}.page"] = page.page  # past the end: the last page
    left, middle, right = st.columns([2, 3, 2], vertical_alignment="center")
    if page.total_capped:
        left.caption(t("views.total_capped", total=format_number(COUNT_LIMIT)))
    else:
        left.caption(t("records.total", total=page.total))
    with middle:
        st.pagination(page.pages, key=f"{spec.name}.page")
    right.selectbox(
        t("records.page_size"),
        PAGE_SIZES,
        key=f"{spec.name}.page_size",
        format_func=lambda n: t("records.per_page", n=n),
        label_visibility="collapsed",
    )
    return st.session_state.get(selected_key(spec))
