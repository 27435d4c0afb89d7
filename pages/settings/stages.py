"""商机阶段 (CUS-6): stage groups with ordered stages and win probabilities."""

import streamlit as st

from core.ui.context import page_setup
from core.ui.stage_settings import group_editor, group_picker, new_group_form

actor = page_setup("settings.crm", "stage.settings_title")

groups_col, stages_col = st.columns([1, 3], gap="large")
with groups_col:
    group_id = group_picker()
    new_group_form(actor)
with stages_col:
    if group_id is not None:
        group_editor(actor, group_id)
