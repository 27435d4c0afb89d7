"""The export menu of a list (CUS-11): CSV and Excel of exactly the rows the list shows (or the
ticked rows), built on click in the download's own thread with its own session, streamed from
the store, in the viewer's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from core.db import transaction
from core.entities import EntitySpec
from core.i18n import get_locale, t
from core.io import excel, export
from core.permissions import Actor


def _builder(writer: Callable, spec: EntitySpec, actor: Actor, columns, query: dict):
    locale = get_locale()

    def build():
        with transaction() as session:
            return writer(session, actor=actor, spec=spec, columns=columns, locale=locale, **query)

    return build


def export_menu(
    spec: EntitySpec,
    actor: Actor,
    *,
    query: dict,
    columns: list[str],
    key: str,
    label: str = "export.menu",
    csv_label: str = "export.csv",
    xlsx_label: str = "export.xlsx",
) -> None:
    """A popover with a CSV (widget key `key`) and an Excel (`key`.xlsx) download of `query`
    (filters / sort / search / where)."""
    stamp = f"{t(spec.title_key)}_{dt.date.today():%Y%m%d}"
    with st.popover(t(label), width="stretch"):
        st.caption(t("export.hint"))
        st.download_button(
            t(csv_label),
            data=_builder(export.csv_file, spec, actor, columns, query),
            file_name=f"{stamp}.csv",
            mime="text/csv",
            key=key,
            on_click="ignore",
            width="stretch",
        )
        st.download_button(
            t(xlsx_label),
            data=_builder(excel.xlsx_file, spec, actor, columns, query),
            file_name=f"{stamp}.xlsx",
            mime=excel.XLSX_MIME,
            key=f"{key}.xlsx",
            on_click="ignore",
            width="stretch",
        )
