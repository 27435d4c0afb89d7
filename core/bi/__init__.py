"""Business intelligence (BI-1 … BI-7, CUS-1): the DuckDB analytic mirror and one module per
report, each a function `(mirror, *, actor, period, who, …) -> polars.DataFrame`."""
