"""Assembles siyu's Dagster definitions; holds no logic."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt.assets import build_dbt_assets, build_dbt_project, build_dbt_resource
from orchestration.ingestion.assets import build_ingestion_assets
from orchestration.jobs import daily_refresh
from orchestration.resources import WarehouseResource
from orchestration.settings import SiyuSettings


def build_definitions(settings: SiyuSettings | None = None) -> dg.Definitions:
    settings = settings or SiyuSettings.from_env()
    project = build_dbt_project(settings)
    return dg.Definitions(
        assets=[*build_ingestion_assets(), build_dbt_assets(project)],
        jobs=[daily_refresh],
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": build_dbt_resource(project),
        },
    )


defs = build_definitions()
