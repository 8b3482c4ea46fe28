"""The dbt project as Dagster assets: models, seeds and snapshots, with dbt tests as checks.

The asset is the dbt build and the steps around it, each its own function: the build policy
(skip, incremental or full refresh: siyu/dbt/build_policy.py), the Spark hand-off and the
erasure of history on the spark target (spark_handoff.py), and tidying dbt's target folders.
dbt gets its environment (the profile's connection values, the hash key blocks) per command.
"""

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtProject, dbt_assets

from orchestration.dbt.resource import SiyuDbtCliResource
from orchestration.dbt.spark_handoff import (
    copy_spark_tables_back,
    erase_history_spark_kept,
    hand_raw_layer_to_spark,
)
from orchestration.resources import WarehouseResource
from siyu.dbt.build_inputs import FORCE_BUILD_TAG
from siyu.dbt.build_policy import (
    BuildInputs,
    BuildPlan,
    BuildRequest,
    plan_build,
    record_build_plan,
)
from siyu.dbt.incremental import FULL_REFRESH_TAG
from siyu.dbt.parsing import keep_partial_parse, parse_fingerprint
from siyu.dbt.targets import prune_invocation_targets
from siyu.hash_key import HashKey
from siyu.publish.record import current_publish, describe_published
from siyu.quality.preload import start_loading_great_expectations
from siyu.settings import is_switched_on

# metadata key of the observation a run logs for each mart when it skips the build
DBT_BUILD_METADATA = "dbt_build"


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
        context: AssetExecutionContext, dbt: SiyuDbtCliResource, warehouse: WarehouseResource
    ):
        hash_key = warehouse.hash_key()
        plan = plan_dbt_build(context, project, warehouse, hash_key)
        if not plan.decision.build:
            yield from unchanged_observations(context, warehouse, plan)
            return
        context.log.info(plan.describe())
        start_loading_great_expectations()  # the mart suites run next
        on_spark = warehouse.dbt_target == "spark"
        if on_spark:
            hand_raw_layer_to_spark(warehouse, context.log)
        environment = dbt_build_environment(warehouse, hash_key)
        invocation = dbt.cli(plan.dbt_args, context=context, env=environment)
        yield from invocation.stream()
        tidy_dbt_targets(context, project, dbt, invocation)
        if on_spark:
            copy_spark_tables_back(warehouse, context.log)
            erase_history_spark_kept(warehouse, hash_key, context.log)
        if plan.builds_everything:
            with warehouse.connect() as con:
                record_build_plan(con, plan)

    return siyu_dbt_models


def plan_dbt_build(
    context: AssetExecutionContext,
    project: DbtProject,
    warehouse: WarehouseResource,
    hash_key: HashKey,
) -> BuildPlan:
    """Whether this run builds (siyu/dbt/build_policy.py), from what the run asks and what the
    build reads: the project (as dbt sees it with the build's environment), the key's
    fingerprint (a digest that tells nothing of it) and the raw tables."""
    environ = {**os.environ, **warehouse.dbt_environment()}
    # what is published, as recorded beside the working warehouse: the published file itself
    # is never opened (a BI tool may hold it)
    published = current_publish(Path(warehouse.warehouse_path), Path(warehouse.published_path))
    inputs = BuildInputs(
        source_tables=source_tables(context.assets_def),
        project_fingerprint=parse_fingerprint(project.project_dir, warehouse.dbt_target, environ),
        hash_key_fingerprint=hash_key.fingerprint(),
        published_fingerprint=published.inputs_fingerprint if published else None,
    )
    with warehouse.connect() as con:
        return plan_build(con, build_request(context, warehouse), inputs)


def build_request(context: AssetExecutionContext, warehouse: WarehouseResource) -> BuildRequest:
    """What the run asks: every dbt asset or a subset; a rebuild or a full refresh, by the
    deployment's settings or the run's tags."""
    tags = context.run.tags
    return BuildRequest(
        builds_everything=builds_every_dbt_asset(context),
        forced=warehouse.force_build or is_switched_on(tags.get(FORCE_BUILD_TAG)),
        full_refresh_asked=warehouse.full_refresh or is_switched_on(tags.get(FULL_REFRESH_TAG)),
    )


def dbt_build_environment(warehouse: WarehouseResource, hash_key: HashKey) -> dict[str, str]:
    """What dbt reads from its environment: where it builds (profiles.yml) and the key blocks,
    which dbt reads from its environment, never from SQL text (siyu/hash_key.py)."""
    return {**warehouse.dbt_environment(), **hash_key.blocks().dbt_environment()}


def tidy_dbt_targets(
    context: AssetExecutionContext,
    project: DbtProject,
    dbt: SiyuDbtCliResource,
    invocation: DbtCliInvocation,
) -> None:
    """Keep the build's partial-parse state for the next run, and prune old invocation target
    folders to the newest `dbt.targets_kept` (siyu/dbt/targets.py)."""
    run_target = project.project_dir / invocation.target_path  # relative: the project's
    project_target = project.project_dir / project.target_path
    keep_partial_parse(run_target, project_target)
    pruned = prune_invocation_targets(project_target, dbt.targets_kept, current=run_target)
    if pruned:
        context.log.info(
            f"removed {len(pruned)} old dbt target folder(s); {dbt.targets_kept} kept "
            "(SIYU_DBT_TARGETS_KEPT)"
        )


def source_tables(dbt_models: dg.AssetsDefinition) -> list[str]:
    """The tables the dbt project reads: its sources, which map to the raw assets raw/<table>."""
    upstream = dbt_models.dependency_keys - set(dbt_models.keys)
    return sorted(".".join(key.path) for key in upstream)


def builds_every_dbt_asset(context: AssetExecutionContext) -> bool:
    assets_def = context.assets_def
    return set(context.selected_asset_keys) == set(assets_def.keys) and set(
        context.selected_asset_check_keys
    ) == set(assets_def.check_keys)


def unchanged_observations(
    context: AssetExecutionContext, warehouse: WarehouseResource, plan: BuildPlan
) -> Iterator[dg.AssetObservation]:
    """Nothing is materialized, so the mart checks, the audit and publishing are skipped too;
    each mart is observed as current, with the version that holds it."""
    version = describe_published(Path(warehouse.warehouse_path), Path(warehouse.published_path))
    context.log.info(
        f"dbt build skipped: {plan.decision.reason}; the marts stay at version {version}. "
        f"Force a rebuild with SIYU_FORCE_BUILD=1 or the run tag {FORCE_BUILD_TAG}=true."
    )
    for key in mart_asset_keys(context.assets_def):
        yield dg.AssetObservation(
            asset_key=key,
            metadata={
                DBT_BUILD_METADATA: "skipped: inputs unchanged",
                "published_version": version,
                "inputs_fingerprint": plan.inputs_fingerprint,
            },
        )


def mart_asset_keys(dbt_models: dg.AssetsDefinition) -> list[dg.AssetKey]:
    """Asset keys of the dbt models in the marts schema (what publishing copies)."""
    return sorted((key for key in dbt_models.keys if key.path[0] == "marts"), key=str)
