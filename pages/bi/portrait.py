"""客户画像分析 (BI-4): customers created in the period, all vs. dealt, by province (map of China
and ranked bars), industry, level and source; a row opens those customers."""

from core.ui import bi_portrait
from core.ui.bi_filters import filter_bar
from core.ui.bi_mirror import ready_mirror
from core.ui.context import page_setup

actor = page_setup("bi.view", "bi_pages.portrait.title")
mirror = ready_mirror()
period, who = filter_bar(actor, mirror, "bi_portrait", ("customer",), default="this_year")
dimension = bi_portrait.dimension_picker("bi_portrait.dimension")
bi_portrait.breakdown(mirror, actor=actor, period=period, who=who, dimension=dimension)
