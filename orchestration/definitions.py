"""Assembles siyu's Dagster definitions; holds no logic."""

import dagster as dg

from orchestration.audiences.assets import build_audience_export_assets
from orchestration.dbt.assets import build_dbt_assets, mart_asset_keys
from orchestration.dbt.project import build_dbt_project
from orchestration.dbt.resource import build_dbt_resource
from orchestration.erasure.assets import build_erasure_copies_asset, deletion_requests
from orchestration.ingestion.assets import build_ingestion_assets
from orchestration.jobs import daily_refresh
from orchestration.loggers import console_logger
from orchestration.publish.assets import build_publish_assets
from orchestration.quality.checks import build_mart_checks, build_raw_source_checks
from orchestration.reports.assets import build_report_asset
from orchestration.resources import WarehouseResource
from orchestration.run_guard.executor import build_guarded_executor
from orchestration.schedules import build_refresh_schedule
from orchestration.sensors import landing_files_sensor
from orchestration.withdraw.jobs import withdraw_file_job
from siyu.settings import SiyuSettings


def build_definitions(settings: SiyuSettings | None = None) -> dg.Definitions:
    settings = settings or SiyuSettings.from_env()
    project = build_dbt_project(settings)
    dbt_models = build_dbt_assets(project)
    marts = mart_asset_keys(dbt_models)
    return dg.Definitions(
        assets=[
            deletion_requests,
            *build_ingestion_assets(),
            dbt_models,
            *build_publish_assets(marts),
            build_report_asset(),
            *build_audience_export_assets(),
            build_erasure_copies_asset(),
        ],
        # Great Expectations suites (expectations/raw/, expectations/marts/): a critical failure
        # stops everything downstream, publishing included
        asset_checks=[
            *build_raw_source_checks(blocking=True),
            *build_mart_checks(marts, blocking=True),
        ],
        jobs=[daily_refresh, withdraw_file_job],
        # every job (daily_refresh, withdraw_file, a launch from the UI): in-process, one at a time
        executor=build_guarded_executor(settings),
        loggers={"console": console_logger},
        schedules=[build_refresh_schedule(settings)],
        sensors=[landing_files_sensor],
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": build_dbt_resource(project, settings.dbt_targets_kept),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Dagster's entry point, loaded lazily: importing this module builds nothing (run.py builds
    its own definitions from its settings, so a run parses the dbt project once)."""
    return build_definitions()
