"""公海规则 (CUS-5): pools with their limits, members and admins, and recall rules per level."""

import streamlit as st

from core.i18n import t
from core.ui.context import page_setup
from core.ui.pool_admin import basic_form, members_form, pool_chooser, rules_form

actor = page_setup("settings.crm", "pool.settings.title")

pools_col, main_col = st.columns([1, 3], gap="large")
with pools_col:
    pool = pool_chooser(actor)
with main_col:
    if pool is not None:
        basic_tab, members_tab, rules_tab = st.tabs(
            [
                t("pool.settings.tab_basic"),
                t("pool.settings.tab_members"),
                t("pool.settings.tab_rules"),
            ]
        )
        with basic_tab:
            basic_form(actor, pool)
        with members_tab:
            members_form(actor, pool)
        with rules_tab:
            rules_form(actor, pool)
