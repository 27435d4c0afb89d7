"""业绩目标完成情况 (BI-7): the year's contract or receipt targets against approved amounts, per
employee or department and per month, with completion %. Targets are set in 系统设置 › 业绩目标设置."""

import streamlit as st

from core.ui import bi_targets
from core.ui.bi_filters import who_filter
from core.ui.bi_mirror import ready_mirror
from core.ui.context import page_setup

actor = page_setup("bi.view", "bi_pages.targets.title")
mirror = ready_mirror()
with st.container(border=True):
    year, metric, by = bi_targets.pickers("bi_targets")
    who = who_filter(actor, mirror, "bi_targets", bi_targets.scope_keys(metric))
scoped = {"actor": actor, "year": year, "metric": metric, "who": who}

left, right = st.columns(2, gap="large")
with left:
    bi_targets.holders(mirror, **scoped, by=by)
with right:
    bi_targets.months(mirror, **scoped)
