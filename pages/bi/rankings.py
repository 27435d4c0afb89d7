"""排行榜 (BI-6): employees in the viewer's scope ranked by contract amount, receipts, contracts
signed, product sales, new customers and contacts, customers followed, follow-ups, business
trips or visits; a row opens that employee's records behind the figure."""

from core.ui import bi_rankings
from core.ui.bi_filters import filter_bar
from core.ui.bi_mirror import ready_mirror
from core.ui.context import page_setup

actor = page_setup("bi.view", "bi_pages.rankings.title")
mirror = ready_mirror()
metric = bi_rankings.metric_picker("bi_rankings.metric")
period, who = filter_bar(actor, mirror, "bi_rankings", bi_rankings.scope_keys(metric))
bi_rankings.ranking(mirror, actor=actor, period=period, who=who, metric=metric)
