"""销售漏斗分析 (BI-2): opportunities created in the period — win rate, open ones by stage with
weighted amounts, stage-to-stage conversion, new opportunities per day or month."""

import streamlit as st

from core.ui import bi_funnel
from core.ui.bi_filters import filter_bar
from core.ui.bi_mirror import ready_mirror
from core.ui.context import page_setup

actor = page_setup("bi.view", "bi_pages.funnel.title")
mirror = ready_mirror()
period, who = filter_bar(actor, mirror, "bi_funnel", ("opportunity",), default="this_year")
group = bi_funnel.group_picker(mirror, "bi_funnel.stage_group")
scoped = {"actor": actor, "period": period, "who": who}

bi_funnel.win_rate(mirror, **scoped, stage_group_id=group)
left, right = st.columns(2, gap="large")
with left:
    bi_funnel.stages(mirror, **scoped, stage_group_id=group)
with right:
    bi_funnel.conversion(mirror, **scoped, stage_group_id=group)
bi_funnel.new_opportunities(mirror, **scoped)
