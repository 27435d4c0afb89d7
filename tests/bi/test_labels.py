"""Every figure a BI page shows has a label: each column of each report frame (bi.column.*),
each metric, to-do item, dimension and period preset — in every language."""

from __future__ import annotations

import pytest

from core.bi import (
    customer_analysis,
    dashboard,
    funnel,
    performance,
    portrait,
    products,
    rankings,
    targets,
)
from core.bi.periods import PRESETS, month
from core.i18n import has_key
from tests.bi import scenario

MARCH = month(2026, 3)


def _frames(mirror, actor):
    p = {"actor": actor, "period": MARCH}
    yield from (
        dashboard.briefing(mirror, **p), dashboard.indicators(mirror, **p),
        dashboard.funnel(mirror, **p), dashboard.trend(mirror, actor=actor, today=scenario.TODAY),
        dashboard.forgotten(mirror, actor=actor), dashboard.todo(mirror, actor=actor),
        customer_analysis.by_employee(mirror, **p), customer_analysis.trend(mirror, **p),
        customer_analysis.follow_up_kinds(mirror, **p),
        customer_analysis.deal_cycle(mirror, **p, by="province"),
        funnel.by_stage(mirror, **p), funnel.conversion(mirror, **p), funnel.win_rate(mirror, **p),
        funnel.new_by_bucket(mirror, **p),
        performance.by_employee(mirror, **p), performance.trend(mirror, **p),
        portrait.portrait(mirror, **p, dimension="level"), portrait.portrait_all(mirror, **p),
        products.by_product(mirror, **p), products.by_category(mirror, **p),
        rankings.ranking(mirror, **p, metric="visits"),
        targets.monthly(mirror, actor=actor, year=2026, metric="contract"),
        targets.yearly(mirror, actor=actor, year=2026, metric="receivable", by="department"),
        targets.monthly_targets(mirror, **p, metric="contract"),
    )  # fmt: skip


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_report_column_has_a_label(session, org, make_mirror):
    scenario.add_activity(session, org, scenario.build(session, org))
    mirror = make_mirror()
    columns = {c for frame in _frames(mirror, org.actor(session, "admin")) for c in frame.columns}
    assert sorted(c for c in columns if not has_key(f"bi.column.{c}")) == []


def test_every_metric_item_dimension_and_period_has_a_label():
    keys = (
        [f"bi.metric.{m}" for m in (*dashboard.BRIEFING, *rankings.METRICS, *targets.METRICS)]
        + [f"bi.todo.{i}" for i in dashboard.TODO_ITEMS]
        + [f"bi.dimension.{d}" for d in portrait.DIMENSIONS]
        + [f"bi.period.{p}" for p in PRESETS]
    )
    assert [k for k in keys if not has_key(k)] == []
