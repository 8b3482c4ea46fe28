"""The dbt project as Dagster assets: models, seeds and snapshots, with dbt tests as checks."""

import fcntl
import hashlib
import os
import re
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from orchestration.resources import WarehouseResource
from siyu import spark
from siyu.dbt.build_inputs import (
    FORCE_BUILD_TAG,
    BuildDecision,
    clear_recorded_build,
    decide_build,
    inputs_fingerprint,
    record_build,
    recorded_build,
)
from siyu.dbt.incremental import (
    FULL_REFRESH_NOTE,
    FULL_REFRESH_TAG,
    INCREMENTAL_BUILD_NOTE,
    full_refresh_reason,
    incremental_basis,
    record_basis,
)
from siyu.dbt.targets import prune_invocation_targets
from siyu.erasure.requests import erase_history
from siyu.publish.record import current_publish, describe_published
from siyu.quality.preload import start_loading_great_expectations
from siyu.settings import (
    DBT_PROJECT_DIR,
    DEFAULT_DBT_TARGETS_KEPT,
    SiyuSettings,
    environment_set,
    is_switched_on,
)

# metadata key of the observation a run logs for each mart when it skips the build
DBT_BUILD_METADATA = "dbt_build"

# what `dbt parse` reads: a change to any of these makes a new manifest
PARSE_INPUTS = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "seeds",
    "snapshots",
    "tests",
    "analyses",
)
FINGERPRINT_FILE = "siyu_parse_fingerprint.txt"
PARSE_LOCK_FILE = ".siyu_parse.lock"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
MANIFEST_FILE = "manifest.json"
DBT = "dbt"
# the console script of siyu/dbt/child_process.py (pyproject.toml)
DBT_CHILD = "siyu-dbt"


ENV_VAR_PATTERN = re.compile(rb"env_var\(\s*['\"]([A-Za-z0-9_]+)['\"]")
# connection settings: they decide where dbt builds, not what the project's graph is
CONNECTION_FILES = frozenset({"profiles.yml"})


def parse_fingerprint(project_dir: Path, target: str, environ: Mapping[str, str]) -> str:
    """A digest of everything the parsed graph depends on: the project's files, the target, the
    dbt version, and the values of the environment variables the project reads with env_var()
    (outside the connection profile, whose paths differ per run and do not shape the graph)."""
    from dbt.version import __version__ as dbt_version

    digest = hashlib.sha256(f"{dbt_version}\0{target}\0".encode())
    read_vars: set[str] = set()
    for entry in PARSE_INPUTS:
        root = project_dir / entry
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                content = path.read_bytes()
                digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
                digest.update(hashlib.sha256(content).digest())
                if path.name not in CONNECTION_FILES:
                    read_vars.update(name.decode() for name in ENV_VAR_PATTERN.findall(content))
    for name in sorted(read_vars):
        digest.update(f"{name}={environ.get(name)}\0".encode())
    return digest.hexdigest()


def build_dbt_project(settings: SiyuSettings, reparse: bool = False) -> DbtProject:
    """The dbt project with an up-to-date manifest.

    The manifest is parsed again only when the project's files, the target or the environment
    changed since the last parse (a stale manifest would hide new models from Dagster; parsing
    every time costs seconds on every run and every `dagster dev` reload). No database is touched.
    Processes that load the definitions at the same time (a run beside `dagster dev`, the workers
    of `make test`) take turns: one parses, the others then find the manifest current.

    `reparse` parses whatever the stamp says, with `settings`' connection values: afterwards the
    next dbt build on these warehouses finds partial-parse state it can use (the benchmark
    prepares each new warehouse path so; see bench/pipeline.py).
    """
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target=settings.dbt_target
    )
    fingerprint = parse_fingerprint(DBT_PROJECT_DIR, settings.dbt_target, os.environ)
    target = project.manifest_path.parent
    stamp = target / FINGERPRINT_FILE
    with exclusive(target / PARSE_LOCK_FILE):
        is_current = (
            not reparse
            and project.manifest_path.exists()
            and stamp.exists()
            and stamp.read_text(encoding="utf-8") == fingerprint
        )
        if not is_current:
            parse_manifest(project, settings)
            stamp.write_text(fingerprint, encoding="utf-8")
    return project


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (created if missing) across processes."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def dbt_profile_environment(warehouse: WarehouseResource) -> dict[str, str]:
    """The variables the connection profile (profiles.yml) reads, as a build sets them.

    dbt keeps its partial-parse state only while the profile's connection values stay the same;
    a parse with other values makes the next build parse the whole project again (8 s here).
    """
    environment = {"SIYU_WORK_WAREHOUSE": warehouse.warehouse_path}
    if warehouse.dbt_target == "spark":
        environment.update(spark.spark_env(Path(warehouse.spark_dir or "warehouse/spark")))
    return environment


def parse_manifest(project: DbtProject, settings: SiyuSettings) -> None:
    """`dbt parse` into a folder of its own, then move its manifest and partial-parse state into
    the project's target by atomic renames: a reader sees the old manifest or the new one whole.

    It parses with the connection values the deployment's builds use, so the first build finds
    partial-parse state it can use."""
    staging = project.target_path / f".parse-{os.getpid()}"
    profile = dbt_profile_environment(WarehouseResource.from_settings(settings))
    try:
        with environment_set(profile):
            build_dbt_resource(project).cli(["parse", "--quiet"], target_path=staging).wait()
        for name in (PARTIAL_PARSE_FILE, MANIFEST_FILE):
            os.replace(project.project_dir / staging / name, project.manifest_path.with_name(name))
    finally:
        shutil.rmtree(project.project_dir / staging, ignore_errors=True)


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
        # dbt reads the working warehouse's path (and Spark's folder) from the environment.
        os.environ.update(dbt_profile_environment(warehouse))
        builds_everything = builds_every_dbt_asset(context)
        project_fingerprint = parse_fingerprint(
            project.project_dir, warehouse.dbt_target, os.environ
        )
        # the key's fingerprint (a digest that tells nothing of it) with the hashing scheme
        hash_key = warehouse.hash_key()
        # what is published, as recorded beside the working warehouse: the published file itself
        # is never opened (a BI tool may hold it)
        published = current_publish(Path(warehouse.warehouse_path), Path(warehouse.published_path))
        with warehouse.connect() as con:
            fingerprint = inputs_fingerprint(
                con,
                source_tables(context.assets_def),
                project_fingerprint,
                {"hash_key": hash_key.fingerprint()},
            )
            decision = decide_build(
                current=fingerprint,
                built=recorded_build(con),
                published=published.inputs_fingerprint if published else None,
                builds_everything=builds_everything,
                forced=warehouse.force_build or is_forced(context),
            )
            if decision.build:
                clear_recorded_build(con)
                basis = incremental_basis(project_fingerprint, hash_key.fingerprint())
                full_refresh = full_refresh_reason(
                    con, basis, asked=warehouse.full_refresh or is_full_refresh_asked(context)
                )
        if not decision.build:
            yield from unchanged_observations(context, warehouse, decision, fingerprint)
            return
        context.log.info(
            f"dbt build: {decision.reason}; "
            + (f"{FULL_REFRESH_NOTE}: {full_refresh}" if full_refresh else INCREMENTAL_BUILD_NOTE)
        )
        start_loading_great_expectations()  # the mart suites run next
        on_spark = warehouse.dbt_target == "spark"
        if on_spark:
            spark_dir = Path(warehouse.spark_dir or "warehouse/spark")
            spark.require_java()
            with warehouse.connect() as con:
                rows = spark.export_raw_tables(con, spark_dir / "raw")
            context.log.info(f"raw layer handed to Spark: {sum(rows.values())} rows, {spark_dir}")
        # dbt reads the key blocks from its environment, never from SQL text (orchestration/
        # hash_key.py); they leave this process's environment once dbt has started
        with environment_set(hash_key.blocks().dbt_environment()):
            invocation = dbt.cli(
                ["build", "--full-refresh"] if full_refresh else ["build"], context=context
            )
        yield from invocation.stream()
        run_target = project.project_dir / invocation.target_path  # relative: the project's
        project_target = project.project_dir / project.target_path
        keep_partial_parse(run_target, project_target)
        pruned = prune_invocation_targets(project_target, dbt.targets_kept, current=run_target)
        if pruned:
            context.log.info(
                f"removed {len(pruned)} old dbt target folder(s); {dbt.targets_kept} kept "
                "(SIYU_DBT_TARGETS_KEPT)"
            )
        if on_spark:
            with warehouse.connect() as con:
                tables = spark.import_spark_tables(con, spark_dir)
                erased = erase_history(con, hash_key)  # as on DuckDB, whatever Spark kept
            context.log.info(
                f"{len(tables)} tables built on Spark copied into the warehouse; "
                f"{sum(erased.values())} history row(s) of erased customers left out"
            )
        if builds_everything:
            with warehouse.connect() as con:
                record_build(con, fingerprint)
                record_basis(con, basis)

    return siyu_dbt_models


def source_tables(dbt_models: dg.AssetsDefinition) -> list[str]:
    """The tables the dbt project reads: its sources, which map to the raw assets raw/<table>."""
    upstream = dbt_models.dependency_keys - set(dbt_models.keys)
    return sorted(".".join(key.path) for key in upstream)


def builds_every_dbt_asset(context: AssetExecutionContext) -> bool:
    assets_def = context.assets_def
    return set(context.selected_asset_keys) == set(assets_def.keys) and set(
        context.selected_asset_check_keys
    ) == set(assets_def.check_keys)


def is_forced(context: AssetExecutionContext) -> bool:
    return is_switched_on(context.run.tags.get(FORCE_BUILD_TAG))


def is_full_refresh_asked(context: AssetExecutionContext) -> bool:
    return is_switched_on(context.run.tags.get(FULL_REFRESH_TAG))


def unchanged_observations(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    decision: BuildDecision,
    fingerprint: str,
) -> Iterator[dg.AssetObservation]:
    """Nothing is materialized, so the mart checks, the audit and publishing are skipped too;
    each mart is observed as current, with the version that holds it."""
    version = describe_published(Path(warehouse.warehouse_path), Path(warehouse.published_path))
    context.log.info(
        f"dbt build skipped: {decision.reason}; the marts stay at version {version}. "
        f"Force a rebuild with SIYU_FORCE_BUILD=1 or the run tag {FORCE_BUILD_TAG}=true."
    )
    for key in mart_asset_keys(context.assets_def):
        yield dg.AssetObservation(
            asset_key=key,
            metadata={
                DBT_BUILD_METADATA: "skipped: inputs unchanged",
                "published_version": version,
                "inputs_fingerprint": fingerprint,
            },
        )


def keep_partial_parse(run_target: Path, project_target: Path) -> None:
    """Keep the build's partial-parse state for the next run.

    dagster-dbt starts each invocation from the project target's `partial_parse.msgpack`; dbt
    throws that state away (a full parse, 8-13 s here) when the profile differs, e.g. another
    working warehouse path. Copying the state of the last build back means the next run of the
    same deployment parses only what changed. Replaced atomically: runs may overlap.
    """
    built = Path(run_target) / PARTIAL_PARSE_FILE
    if not built.exists():
        return
    project_target.mkdir(parents=True, exist_ok=True)
    staged = project_target / f".{PARTIAL_PARSE_FILE}.{os.getpid()}"
    shutil.copyfile(built, staged)
    os.replace(staged, project_target / PARTIAL_PARSE_FILE)


class SiyuDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs siyu does not need.

    Before every dbt command, DbtCliResource runs `dbt --version` in a subprocess (about 2.9 s
    here) and builds a dbt adapter in this process (about 1.9 s, loading every macro); the
    adapter serves only `fetch_row_counts()` and `fetch_column_metadata()`, which siyu does not
    call. When the executable is this environment's own dbt, its version is the installed
    dbt-core's; the adapter handle is left out.

    `targets_kept`: the invocation target folders a build leaves (siyu/dbt/targets.py).
    """

    targets_kept: int = DEFAULT_DBT_TARGETS_KEPT

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) in {beside_python(DBT), beside_python(DBT_CHILD)}:
            from dbt.version import __version__ as installed

            return version.parse(installed)
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def beside_python(name: str) -> Path:
    """An executable of this Python environment (the venv's bin folder)."""
    return Path(sys.executable).with_name(name)


def dbt_executable() -> str:
    """This environment's dbt, started as a child that dies with the run (siyu-dbt,
    siyu/dbt/child_process.py); plain dbt where siyu is not installed as a package."""
    for name in (DBT_CHILD, DBT):
        if beside_python(name).exists():
            return str(beside_python(name))
    return shutil.which(DBT) or DBT


def build_dbt_resource(
    project: DbtProject, targets_kept: int = DEFAULT_DBT_TARGETS_KEPT
) -> SiyuDbtCliResource:
    """The dbt CLI of this Python environment (the venv's), whatever PATH says."""
    executable = dbt_executable()
    return SiyuDbtCliResource(
        project_dir=project, dbt_executable=executable, targets_kept=targets_kept
    )


def mart_asset_keys(dbt_models: dg.AssetsDefinition) -> list[dg.AssetKey]:
    """Asset keys of the dbt models in the marts schema (what publishing copies)."""
    return sorted((key for key in dbt_models.keys if key.path[0] == "marts"), key=str)
