"""回收站 (CUS-12): deleted records of every entity; restore, or purge for good."""

import streamlit as st

from core.i18n import t
from core.ui.context import page_setup
from core.ui.recycle_bin import recycle_bin_page

actor = page_setup("crm.recycle.restore", "recycle.title")
st.caption(t("recycle.intro"))
recycle_bin_page(actor)
