"""The dbt project as Dagster assets: models, seeds and snapshots, with dbt tests as checks."""

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration import spark
from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR, SiyuSettings


def build_dbt_project(settings: SiyuSettings) -> DbtProject:
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target=settings.dbt_target
    )
    # Parse on every load (partial parsing keeps it to seconds): a manifest left from an earlier
    # checkout would hide new models from Dagster. No database is touched.
    build_dbt_resource(project).cli(["parse", "--quiet"], target_path=Path("target")).wait()
    return project


class SiyuDbtTranslator(DagsterDbtTranslator):
    """Raw sources map to the ingestion assets; models are grouped by their dbt folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            table = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return dg.AssetKey(["raw", table])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        meta = dbt_resource_props.get("config", {}).get("meta", {}) or {}
        if meta.get("dagster", {}).get("group"):
            return meta["dagster"]["group"]
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else None
        if layer in ("staging", None):
            return "staging" if layer else None
        # intermediate/<area>/... and marts/<area>/... are grouped by area (identity, tags, ...)
        return fqn[2] if len(fqn) > 3 else layer


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=SiyuDbtTranslator(),
    )
    def siyu_dbt_models(
        context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ):
        # dbt reads the working warehouse's path from the environment (profiles.yml).
        os.environ["SIYU_WORK_WAREHOUSE"] = warehouse.warehouse_path
        on_spark = warehouse.dbt_target == "spark"
        if on_spark:
            spark_dir = Path(warehouse.spark_dir or "warehouse/spark")
            spark.require_java()
            with warehouse.connect() as con:
                rows = spark.export_raw_tables(con, spark_dir / "raw")
            context.log.info(f"raw layer handed to Spark: {sum(rows.values())} rows, {spark_dir}")
            os.environ.update(spark.spark_env(spark_dir))
        yield from dbt.cli(["build"], context=context).stream()
        if on_spark:
            with warehouse.connect() as con:
                tables = spark.import_spark_tables(con, spark_dir)
            context.log.info(f"{len(tables)} tables built on Spark copied into the warehouse")

    return siyu_dbt_models


def build_dbt_resource(project: DbtProject) -> DbtCliResource:
    """The dbt CLI of this Python environment (the venv's), whatever PATH says."""
    beside_python = Path(sys.executable).with_name("dbt")
    executable = str(beside_python) if beside_python.exists() else shutil.which("dbt") or "dbt"
    return DbtCliResource(project_dir=project, dbt_executable=executable)


def mart_asset_keys(dbt_models: dg.AssetsDefinition) -> list[dg.AssetKey]:
    """Asset keys of the dbt models in the marts schema (what publishing copies)."""
    return sorted((key for key in dbt_models.keys if key.path[0] == "marts"), key=str)
