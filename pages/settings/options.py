"""选项设置: the option lists behind select boxes (industry, source, levels, follow-up types, …)."""

import streamlit as st

from core.i18n import t
from core.ui.context import page_setup
from core.ui.options_admin import add_form, item_editor, items_table, list_chooser

actor = page_setup("settings.crm", "options.title")
st.caption(t("options.hint"))

lists_col, main_col = st.columns([1, 3], gap="large")
with lists_col:
    list_name = list_chooser()
with main_col:
    st.subheader(t(f"options.list.{list_name}"))
    add_form(actor, list_name)
    found = items_table(actor, list_name)
    item_editor(actor, found)
