"""The daily refresh: ingest every source, then build and test the dbt project."""

from __future__ import annotations

import dagster as dg

daily_refresh = dg.define_asset_job(
    name="daily_refresh",
    selection=dg.AssetSelection.all(),
    description="Load new channel exports into raw, then dbt build (models + tests).",
    # the executor is the definitions' default: in-process, inside the run guard
    # (orchestration/run_guard/executor.py)
)
