"""Settings for numbering rules (CUS-7, CUS-8): segments edited in a table (text, date with a
format, sequence with a width), the reset period, and a live preview of the next number."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.db import transaction
from core.errors import DomainError, ValidationFailed
from core.i18n import t
from core.permissions import Actor
from core.services import numbering
from core.ui.context import show_error

KINDS = numbering.SEGMENT_KINDS


def _frame(segments: list[dict]) -> pd.DataFrame:
    rows = [
        {
            "kind": s.get("kind"),
            "value": s.get("value") if s.get("kind") == "text" else None,
            "format": s.get("format") if s.get("kind") == "date" else None,
            "width": s.get("width") if s.get("kind") == "seq" else None,
        }
        for s in segments
    ]
    frame = pd.DataFrame(rows, columns=["kind", "value", "format", "width"])
    frame["width"] = frame["width"].astype("Int64")
    return frame


def _segments(frame: pd.DataFrame) -> list[dict]:
    """Editor rows → segment dicts (blank rows dropped; missing details get defaults)."""
    found = []
    for row in frame.to_dict("records"):
        kind = row.get("kind")
        if kind == "text":
            found.append({"kind": "text", "value": str(row.get("value") or "")})
        elif kind == "date":
            found.append({"kind": "date", "format": row.get("format") or "%Y%m%d"})
        elif kind == "seq":
            width = row.get("width")
            found.append({"kind": "seq", "width": 4 if pd.isna(width) else int(width)})
    return found


def _editor(entity: str, rule) -> list[dict]:
    formats = {
        f: numbering.render([{"kind": "date", "format": f}], numbering.local_today(), 1)
        for f in numbering.DATE_FORMATS
    }
    edited = st.data_editor(
        _frame(rule.segments),
        key=f"numbering.{entity}.segments",
        placeholder="",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "kind": st.column_config.SelectboxColumn(
                t("numbering.kind"),
                options=list(KINDS),
                format_func=lambda k: t(f"numbering.kinds.{k}"),
                required=True,
            ),
            "value": st.column_config.TextColumn(
                t("numbering.value"), max_chars=numbering.MAX_TEXT
            ),
            "format": st.column_config.SelectboxColumn(
                t("numbering.format"), options=list(formats), format_func=formats.get
            ),
            "width": st.column_config.NumberColumn(
                t("numbering.width"), min_value=1, max_value=numbering.MAX_WIDTH, step=1
            ),
        },
    )
    return _segments(edited)


def rule_editor(actor: Actor, entity: str) -> None:
    """One rule: reset period, segments, live preview, save."""
    with transaction() as session:
        rule = numbering.get_rule(session, entity=entity)
    resets = list(numbering.RESETS)
    reset = st.selectbox(
        t("numbering.reset"),
        resets,
        index=resets.index(rule.reset) if rule.reset in resets else 0,
        format_func=lambda r: t(f"numbering.resets.{r}"),
        key=f"numbering.{entity}.reset",
    )
    st.caption(t("numbering.segments_hint"))
    segments = _editor(entity, rule)
    try:
        example = numbering.preview(segments, reset)
    except ValidationFailed as problem:
        for key, params in problem.errors.values():
            st.error(t(key, **params))
        example = None
    if example:
        st.metric(t("numbering.preview"), example)
    if st.button(
        t("records.save"), key=f"numbering.{entity}.save", type="primary", disabled=example is None
    ):
        try:
            with transaction() as session:
                numbering.save_rule(
                    session, actor=actor, entity=entity, segments=segments, reset=reset
                )
        except DomainError as exc:
            show_error(exc)
            return
        st.toast(t("records.saved"))
