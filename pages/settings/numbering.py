"""编号规则 (CUS-7, CUS-8): contract and receivable numbers with a live preview."""

import streamlit as st

from core.i18n import t
from core.ui.context import page_setup
from core.ui.numbering_settings import rule_editor

actor = page_setup("settings.crm", "numbering.title")

st.caption(t("numbering.intro"))
contract_tab, receivable_tab = st.tabs(
    [t("numbering.entity.contract"), t("numbering.entity.receivable")]
)
with contract_tab:
    rule_editor(actor, "contract")
with receivable_tab:
    rule_editor(actor, "receivable")
