"""The dbt project Dagster loads: parsed again only when what a parse reads changed."""

from __future__ import annotations

import os
import shutil

from dagster_dbt import DbtProject

from orchestration.dbt.resource import build_dbt_resource
from orchestration.resources import WarehouseResource
from siyu.dbt.parsing import (
    FINGERPRINT_FILE,
    MANIFEST_FILE,
    PARSE_LOCK_FILE,
    PARTIAL_PARSE_FILE,
    exclusive,
    parse_fingerprint,
)
from siyu.settings import DBT_PROJECT_DIR, SiyuSettings

__all__ = ["FINGERPRINT_FILE", "build_dbt_project", "parse_manifest"]


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


def parse_manifest(project: DbtProject, settings: SiyuSettings) -> None:
    """`dbt parse` into a folder of its own, then move its manifest and partial-parse state into
    the project's target by atomic renames: a reader sees the old manifest or the new one whole.

    It parses with the connection values the deployment's builds use, so the first build finds
    partial-parse state it can use."""
    staging = project.target_path / f".parse-{os.getpid()}"
    profile = WarehouseResource.from_settings(settings).dbt_environment()
    try:
        build_dbt_resource(project).cli(
            ["parse", "--quiet"], target_path=staging, env=profile
        ).wait()
        for name in (PARTIAL_PARSE_FILE, MANIFEST_FILE):
            os.replace(project.project_dir / staging / name, project.manifest_path.with_name(name))
    finally:
        shutil.rmtree(project.project_dir / staging, ignore_errors=True)
