"""Choices the report filters offer that come from the data: the opportunity stage groups
(BI-2), default group first."""

from __future__ import annotations

import polars as pl

STAGE_GROUPS_SQL = """
SELECT id, name FROM live_stage_groups
WHERE is_active OR is_default
ORDER BY is_default DESC, id"""


def stage_groups(mirror) -> pl.DataFrame:
    """id, name — the default stage group first."""
    return mirror.query(STAGE_GROUPS_SQL)
