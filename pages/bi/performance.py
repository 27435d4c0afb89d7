"""员工业绩分析 (BI-3): contracts signed, contract amount and received amount per day or month
and per employee, with month-on-month and year-on-year change (approved records only)."""

from core.ui import bi_performance
from core.ui.bi_filters import filter_bar
from core.ui.bi_mirror import ready_mirror
from core.ui.context import page_setup

actor = page_setup("bi.view", "bi_pages.performance.title")
mirror = ready_mirror()
period, who = filter_bar(actor, mirror, "bi_performance", ("contract", "receivable"),
                         default="this_year")  # fmt: skip
bi_performance.trend(mirror, actor=actor, period=period, who=who)
bi_performance.employees(mirror, actor=actor, period=period, who=who)
