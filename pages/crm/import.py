"""数据导入 (CUS-11): leads, customers, contacts and products from CSV or Excel."""

import streamlit as st

from core.i18n import t
from core.ui.context import page_setup
from core.ui.import_wizard import import_wizard

actor = page_setup("crm.customer.import", "import.title")
st.caption(t("import.intro"))
import_wizard(actor)
