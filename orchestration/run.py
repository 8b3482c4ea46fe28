"""`python -m orchestration.run`: run the daily_refresh job in-process and print a summary.

This is what `make run` calls. It uses the Dagster instance in DAGSTER_HOME when set (the
Makefile points it at the git-ignored .dagster_home/), else an ephemeral one.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import dagster as dg
import duckdb

from orchestration.audiences import format_tag_audience_summary, summarise_tags_and_audiences
from orchestration.dbt.assets import DBT_BUILD_METADATA
from orchestration.hash_key import HashKey, HashKeyError
from orchestration.identity.summary import identity_summary_lines
from orchestration.ingestion.assets import unread_in_landing
from orchestration.publish.publisher import last_publish, published_version
from orchestration.quality.checks import CHECK_NAME as SUITE_CHECK_NAME
from orchestration.quality.checks import FILES_AT_FAULT_METADATA
from orchestration.reports.assets import report_summary_lines
from orchestration.reports.roi import top_campaigns_text
from orchestration.resources import WarehouseResource
from orchestration.settings import SiyuSettings

JOB_NAME = "daily_refresh"
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


@dataclass
class RunSummary:
    success: bool
    seconds: float
    mart_lines: list[str] = field(default_factory=list)
    published: dict[str, str] = field(default_factory=dict)
    sources: dict[str, dict[str, int]] = field(default_factory=dict)
    models_built: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    # failed checks of severity WARN (a warning expectation, a dbt test with severity warn): listed,
    # they block nothing
    checks_warned: list[str] = field(default_factory=list)
    # Great Expectations suites run as checks: "<asset>:<check>" -> passed
    suites: dict[str, bool] = field(default_factory=dict)
    # a failed raw suite's files at fault and the commands that withdraw them, per check
    files_at_fault: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    # the dbt build was skipped: nothing it reads changed since the published version
    # (orchestration/dbt/build_inputs.py); the marts, checks and publish are those of that version
    build_skipped: bool = False
    # what the landing folder holds that no step reads (unknown folders, stray files)
    landing_unread: list[str] = field(default_factory=list)
    # which hash key the run used (HashKey.notice: never the key)
    hash_key_line: str = ""


def _metadata_int(metadata: dict, key: str) -> int:
    value = metadata.get(key)
    return int(value.value) if value is not None else 0


def summarise(result: dg.ExecuteInProcessResult, seconds: float) -> RunSummary:
    summary = RunSummary(success=result.success, seconds=seconds)
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        path = materialization.asset_key.path
        if path[0] == "raw" and "rows_loaded" in materialization.metadata:
            metadata = materialization.metadata
            summary.sources[path[-1]] = {
                key: _metadata_int(metadata, key)
                for key in ("rows_loaded", "rows_quarantined", "files_loaded", "files_skipped")
            }
        elif path == ["publish", "published_warehouse"]:
            summary.published = {
                key: str(value.value) for key, value in materialization.metadata.items()
            }
        elif path[0] not in ("publish", "raw", "reports", "exports"):
            summary.models_built += 1
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.check_name.startswith(SUITE_CHECK_NAME):
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            summary.suites[name] = evaluation.passed
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        if evaluation.passed:
            summary.checks_passed += 1
        elif evaluation.severity == dg.AssetCheckSeverity.WARN:
            summary.checks_warned.append(name)
        else:
            summary.checks_failed.append(name)
            if FILES_AT_FAULT_METADATA in evaluation.metadata:
                summary.files_at_fault[name] = evaluation.metadata[FILES_AT_FAULT_METADATA].value
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_OBSERVATION:
            observation = event.asset_observation_data.asset_observation
            summary.build_skipped |= DBT_BUILD_METADATA in observation.metadata
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "unknown error"
            summary.failures.append(f"{event.step_key}: {message}")
    return summary


def format_summary(summary: RunSummary, settings: SiyuSettings) -> str:
    lines = [
        "",
        f"siyu {JOB_NAME}: {'SUCCESS' if summary.success else 'FAILED'} in {summary.seconds:.1f} s",
        "",
        f"{'source':<18}{'loaded':>10}{'quarantined':>13}{'files new':>11}{'skipped':>9}",
    ]
    totals = {"rows_loaded": 0, "rows_quarantined": 0, "files_loaded": 0, "files_skipped": 0}
    for source, counts in sorted(summary.sources.items()):
        lines.append(
            f"{source:<18}{counts['rows_loaded']:>10,}{counts['rows_quarantined']:>13,}"
            f"{counts['files_loaded']:>11,}{counts['files_skipped']:>9,}"
        )
        for key in totals:
            totals[key] += counts[key]
    lines.append(
        f"{'total':<18}{totals['rows_loaded']:>10,}{totals['rows_quarantined']:>13,}"
        f"{totals['files_loaded']:>11,}{totals['files_skipped']:>9,}"
    )
    lines += [f"landing folder: {line}" for line in summary.landing_unread]
    lines += [
        "",
        f"dbt models built: {summary.models_built}"
        + (" (build skipped: nothing it reads changed)" if summary.build_skipped else ""),
        f"checks passed: {summary.checks_passed}, failed: {len(summary.checks_failed)}, "
        f"warnings: {len(summary.checks_warned)}",
        suites_line(summary),
    ]
    for name in summary.checks_failed:
        lines.append(f"  FAILED check {name}")
        lines += [f"    {line}" for line in summary.files_at_fault.get(name, "").splitlines()]
    lines += [f"  WARNING check {name}" for name in summary.checks_warned]
    lines += [f"  FAILED step {failure}" for failure in summary.failures]
    lines += ["", *summary.mart_lines] if summary.mart_lines else []
    lines += ["", *publish_lines(summary, settings)]
    lines += [summary.hash_key_line] if summary.hash_key_line else []
    lines += [
        f"working warehouse: {settings.work_warehouse_path}",
        f"landing:   {settings.landing_dir}",
        "quarantined rows: select * from raw.quarantine",
    ]
    return "\n".join(lines)


def suites_line(summary: RunSummary) -> str:
    """How the Great Expectations suites of each layer (raw, marts) fared."""
    layers: dict[str, list[bool]] = {}
    for name, passed in summary.suites.items():
        layers.setdefault(name.split("/", 1)[0], []).append(passed)
    parts = [
        f"{layer} {sum(results)}/{len(results)} passed" for layer, results in sorted(layers.items())
    ]
    return "expectation suites (expectations/): " + (", ".join(parts) or "none ran")


def publish_lines(summary: RunSummary, settings: SiyuSettings) -> list[str]:
    if summary.build_skipped and not summary.failures:
        return [
            f"unchanged: {settings.warehouse_path}, version "
            f"{published_version(settings.warehouse_path)}: nothing the dbt build reads changed "
            "since, so the build, its checks and publishing were skipped (SIYU_FORCE_BUILD=1 "
            "rebuilds)"
        ]
    if summary.published:
        lines = [
            f"published: {settings.warehouse_path} (version {summary.published['publish_id']})"
        ]
        if "parquet_manifest" in summary.published:
            lines.append(f"parquet:   {summary.published['parquet_manifest']}")
        return lines
    previous = last_publish(settings.warehouse_path)
    kept = (
        f"version {previous[0]} published {previous[1]:%Y-%m-%d %H:%M} UTC"
        if previous
        else ("nothing has been published yet")
    )
    return [
        "NOT PUBLISHED: a blocking check failed or a step did not finish; the published "
        f"warehouse {settings.warehouse_path} is untouched ({kept})"
    ]


def run_daily_refresh(
    settings: SiyuSettings, instance: dg.DagsterInstance | None = None
) -> RunSummary:
    """Run the job in this process; the instance defaults to DAGSTER_HOME's, else ephemeral.
    Raises HashKeyError, before anything runs, when the hash key is refused."""
    from orchestration.definitions import build_definitions

    hash_key = WarehouseResource.from_settings(settings).hash_key()
    definitions = build_definitions(settings)
    job = definitions.resolve_job_def(JOB_NAME)
    if instance is None:
        has_home = bool(os.environ.get("DAGSTER_HOME"))
        instance = dg.DagsterInstance.get() if has_home else dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET_LOGS)
    summary = summarise(result, time.perf_counter() - started)
    summary.landing_unread = unread_in_landing(settings.landing_dir).lines()
    summary.hash_key_line = hash_key.notice()
    if result.success:
        summary.mart_lines = mart_summary_lines(settings, hash_key)
    return summary


def mart_summary_lines(settings: SiyuSettings, hash_key: HashKey) -> list[str]:
    """Headline figures read back from the marts just built."""
    with duckdb.connect(str(settings.work_warehouse_path), read_only=True) as con:
        return [
            *identity_summary_lines(con, hash_key, settings.ground_truth_dir),
            "",
            *top_campaigns_text(con).splitlines(),
            "",
            *format_tag_audience_summary(summarise_tags_and_audiences(con)).splitlines(),
            "",
            *report_summary_lines(con),
        ]


def main() -> int:
    settings = SiyuSettings.from_env()
    try:
        summary = run_daily_refresh(settings)
    except HashKeyError as refused:
        print(f"siyu {JOB_NAME}: NOT STARTED: {refused}", file=sys.stderr)
        return 2
    print(format_summary(summary, settings))
    is_current = summary.published or summary.build_skipped
    return 0 if summary.success and not summary.checks_failed and is_current else 1


if __name__ == "__main__":
    sys.exit(main())
