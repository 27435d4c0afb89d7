"""The generic record components in one import: list, form and detail driven by an EntitySpec.

selected = record_list(spec, actor, where=..., context=...)
st.button(t("records.new"), on_click=open_form, args=(spec,))
if form_is_open(spec): record_form(spec, actor)
record_detail(spec, actor, record)"""

from core.ui.record_detail import escape_markdown, record_detail, record_panel
from core.ui.record_form import (
    close_form,
    flash_key,
    form_is_open,
    open_form,
    record_form,
    selected_key,
)
from core.ui.record_list import record_list

__all__ = [
    "close_form",
    "escape_markdown",
    "flash_key",
    "form_is_open",
    "open_form",
    "record_detail",
    "record_form",
    "record_list",
    "record_panel",
    "selected_key",
]
