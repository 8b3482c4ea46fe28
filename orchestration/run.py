"""`python -m orchestration.run`: run the daily_refresh job in-process and print a summary.

This is what `make run` calls. It uses the Dagster instance in DAGSTER_HOME when set (the
Makefile points it at the git-ignored .dagster_home/), else an ephemeral one.

Before anything else, even importing the pipeline (4 s), the run passes the run guard
(siyu/run_guard): one run at a time, the leftovers of an interrupted run removed, the
folders it writes checked. So the modules of the pipeline are imported inside the functions that
use them, not here.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from siyu.hash_key import HashKeyError
from siyu.publish.record import describe_published
from siyu.run_guard.guard import guarded_run
from siyu.run_guard.lock import RunLockedError
from siyu.run_guard.preflight import PreflightError
from siyu.settings import SiyuSettings

if TYPE_CHECKING:
    import dagster as dg

    from siyu.hash_key import HashKey

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
    # (siyu/dbt/build_inputs.py); the marts, checks and publish are those of that version
    build_skipped: bool = False
    # why the job did not run at all: another run holds the lock, a folder check failed, or an
    # error before its first step
    not_started: str | None = None
    # what the start removed after an interrupted run (orphaned dbt, publish debris)
    cleaned: list[str] = field(default_factory=list)
    # what the landing folder holds that no step reads (unknown folders, stray files)
    landing_unread: list[str] = field(default_factory=list)
    # which hash key the run used (HashKey.notice: never the key)
    hash_key_line: str = ""


def _metadata_int(metadata: dict, key: str) -> int:
    value = metadata.get(key)
    return int(value.value) if value is not None else 0


def failure_message(error: object | None) -> str:
    """What went wrong in a failed step: the innermost cause (Dagster wraps what a step raised
    in an error of its own, which says only which step it was); a `dg.Failure`, which a step
    raises to say why in its own words, without its class name."""
    if error is None:
        return "unknown error"
    while getattr(error, "cause", None) is not None:
        error = error.cause
    message = error.message.strip()
    if error.cls_name == "Failure":
        message = message.split(": ", 1)[-1]
    return message


def summarise(result: dg.ExecuteInProcessResult, seconds: float) -> RunSummary:
    import dagster as dg

    from orchestration.dbt.assets import DBT_BUILD_METADATA
    from orchestration.quality.checks import CHECK_NAME as SUITE_CHECK_NAME
    from orchestration.quality.checks import FILES_AT_FAULT_METADATA

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
            message = failure_message(event.step_failure_data.error)
            summary.failures.append(f"{event.step_key}: {message}")
    return summary


def format_summary(summary: RunSummary, settings: SiyuSettings) -> str:
    outcome = "SUCCESS" if summary.success else "FAILED"
    header = f"siyu {JOB_NAME}: {outcome} in {summary.seconds:.1f} s"
    places = [
        f"working warehouse: {settings.work_warehouse_path}",
        f"landing:   {settings.landing_dir}",
    ]
    if summary.not_started is not None:
        return "\n".join(["", header, "", *publish_lines(summary, settings), *places])
    lines = [
        "",
        header,
        *(f"after an interrupted run: {line}" for line in summary.cleaned),
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
    lines += [*places, "quarantined rows: select * from raw.quarantine"]
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


def why_not_published(summary: RunSummary) -> str:
    """The first reason nothing was published, in a sentence."""
    if summary.not_started is not None:
        return f"the run did not start: {summary.not_started}"
    if summary.failures:
        step, _, message = summary.failures[0].partition(": ")
        first_line = message.splitlines()[0] if message else "no message"
        return f"step {step} failed: {first_line}"
    if summary.checks_failed:
        return f"a blocking check failed: {', '.join(summary.checks_failed)}"
    return "the run did not finish"


def publish_lines(summary: RunSummary, settings: SiyuSettings) -> list[str]:
    """What BI tools see after this run; read from the publish record beside the working
    warehouse, never from the published file (a BI tool may hold it)."""
    version = describe_published(settings.work_warehouse_path, settings.warehouse_path)
    if summary.build_skipped and not summary.failures:
        return [
            f"unchanged: {settings.warehouse_path}, version {version}: nothing the dbt build "
            "reads changed since, so the build, its checks and publishing were skipped "
            "(SIYU_FORCE_BUILD=1 rebuilds)"
        ]
    if summary.published:
        lines = [
            f"published: {settings.warehouse_path} (version {summary.published['publish_id']})"
        ]
        if "parquet_manifest" in summary.published:
            lines.append(f"parquet:   {summary.published['parquet_manifest']}")
        return lines
    kept = "nothing has been published yet" if version == "none" else f"version {version}"
    return [
        f"NOT PUBLISHED: {why_not_published(summary)}",
        f"The published warehouse {settings.warehouse_path} is untouched: {kept}.",
    ]


def run_daily_refresh(
    settings: SiyuSettings,
    instance: dg.DagsterInstance | None = None,
    run_id: str | None = None,
) -> RunSummary:
    """Run the job in this process; the instance defaults to DAGSTER_HOME's, else ephemeral.
    Raises HashKeyError, before anything runs, when the hash key is refused."""
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.ingestion.assets import unread_in_landing
    from orchestration.resources import WarehouseResource

    hash_key = WarehouseResource.from_settings(settings).hash_key()
    definitions = build_definitions(settings)
    job = definitions.resolve_job_def(JOB_NAME)
    if instance is None:
        has_home = bool(os.environ.get("DAGSTER_HOME"))
        instance = dg.DagsterInstance.get() if has_home else dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    result = job.execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET_LOGS, run_id=run_id
    )
    summary = summarise(result, time.perf_counter() - started)
    summary.landing_unread = unread_in_landing(settings.landing_dir).lines()
    summary.hash_key_line = hash_key.notice()
    if result.success:
        try:
            summary.mart_lines = mart_summary_lines(settings, hash_key)
        except Exception as error:  # figures only: the run's outcome stands
            summary.mart_lines = [f"headline figures not read from the marts: {error}"]
    return summary


def mart_summary_lines(settings: SiyuSettings, hash_key: HashKey) -> list[str]:
    """Headline figures read back from the marts just built."""
    import duckdb

    from orchestration.reports.assets import report_summary_lines
    from siyu.audiences import format_tag_audience_summary, summarise_tags_and_audiences
    from siyu.identity.summary import identity_summary_lines
    from siyu.reports.roi import top_campaigns_text

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


def guarded_daily_refresh(settings: SiyuSettings) -> RunSummary:
    """The job inside the run guard; whatever stops it, a summary that says why."""
    run_id = str(uuid.uuid4())
    started = time.perf_counter()
    try:
        with guarded_run(settings, run_id) as leftovers:
            summary = run_daily_refresh(settings, run_id=run_id)
    except (RunLockedError, PreflightError, HashKeyError) as refused:
        return RunSummary(False, time.perf_counter() - started, not_started=str(refused))
    except Exception as error:  # the summary says what stopped the run
        traceback.print_exc()
        return RunSummary(
            False,
            time.perf_counter() - started,
            not_started=f"{type(error).__name__}: {str(error).strip() or 'no message'}",
        )
    summary.cleaned = leftovers.lines()
    return summary


def main() -> int:
    settings = SiyuSettings.from_env()
    summary = guarded_daily_refresh(settings)
    print(format_summary(summary, settings))
    if summary.not_started is not None:
        return 2
    is_current = summary.published or summary.build_skipped
    return 0 if summary.success and not summary.checks_failed and is_current else 1


if __name__ == "__main__":
    sys.exit(main())
