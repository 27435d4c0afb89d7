"""业绩目标设置 (BI-7): managers enter monthly contract or receipt targets as a 12-month grid per
department and per employee, for those within their scope; one all-or-nothing save."""

import streamlit as st

from core.i18n import t
from core.ui.context import page_setup
from core.ui.targets_grid import target_grid

actor = page_setup("settings.targets", "targets.title")
st.caption(t("targets.intro"))
target_grid(actor)
