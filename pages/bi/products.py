"""产品分析 (BI-5): what sold in the period by category (share of the amount) and by product —
quantity, amount, contracts; a row opens the approved contracts behind it."""

import streamlit as st

from core.i18n import t
from core.ui import bi_products
from core.ui.bi_filters import filter_bar
from core.ui.bi_mirror import ready_mirror
from core.ui.context import page_setup

actor = page_setup("bi.view", "bi_pages.products.title")
mirror = ready_mirror()
period, who = filter_bar(actor, mirror, "bi_products", ("contract",))

bi_products.categories(mirror, actor=actor, period=period, who=who)
bi_products.best_sellers(mirror, actor=actor, period=period, who=who)
st.caption(t("bi_pages.products.note"))
