"""Dagster asset checks: the Great Expectations suites of expectations/, on the assets they check.

- `expectations/raw/<source>.json` is the check `expectations` on the ingestion asset
  `raw/<source>`. One step (`raw_expectations`) runs all of them after ingestion, several suites
  at once, each on the rows of the files it has not validated yet;
- `expectations/marts/<mart>.json` is the check `expectations` on the dbt asset `marts/<mart>`,
  and `expectations/marts/<mart>__<topic>.json` (a second view of the same mart, e.g. over an
  aggregate query) the check `expectations__<topic>`. A mart without a suite has no such check
  (its keys and rules are dbt tests). One step (`mart_expectations`) runs all of them, several
  suites at once.

A failed `critical` expectation fails the check with severity ERROR, a failed `warning` one with
WARN; `info` expectations are reported but never fail the check. Great Expectations is imported
only when a check runs, so loading the definitions stays fast.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster import AssetCheckExecutionContext

from orchestration.resources import WarehouseResource
from siyu.cursors import on_cursors
from siyu.ingestion.specs import load_source_specs
from siyu.quality.batch import try_fetch_batch
from siyu.quality.deliveries import (
    batch_suite,
    ensure_validated_files,
    file_batches,
    has_file_hashes,
    pending_files,
    record_validated,
    suite_fingerprint,
    table_rows,
)
from siyu.quality.preload import import_suite_runner
from siyu.quality.results import SuiteResult
from siyu.quality.suites import (
    MART_SUITES_DIR,
    RAW_ROW_COLUMN,
    RAW_SUITES_DIR,
    SuiteDefinition,
    load_suite,
    suite_paths,
)
from siyu.settings import REPO_ROOT, worker_threads
from siyu.withdraw.log import HASH_PREFIX_LENGTH, withdraw_command

CHECK_NAME = "expectations"
MAX_FAILURES_SHOWN = 20
# a failed raw check's files at fault, with the commands that withdraw them (the run summary
# prints it)
FILES_AT_FAULT_METADATA = "files_at_fault"
MAX_FILES_SHOWN = 10
# the step that runs every raw suite (see build_raw_source_checks)
RAW_CHECKS_STEP = "raw_expectations"
# the step that runs every mart suite (see build_mart_checks)
MART_CHECKS_STEP = "mart_expectations"
# each suite holds its mart's checked columns in memory while it runs (scale 10: 11.3 -> 14.5 GB
# peak with two at once), and more than two threads were not measured
MAX_SUITE_WORKERS = 2


def check_severity(result: SuiteResult) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if result.blocking_failures else dg.AssetCheckSeverity.WARN


def check_passed(result: SuiteResult) -> bool:
    return not (result.blocking_failures or result.warning_failures)


def failures_markdown(result: SuiteResult) -> str:
    lines = ["| severity | expectation | unexpected | examples |", "|---|---|---|---|"]
    for outcome in result.failures()[:MAX_FAILURES_SHOWN]:
        if outcome.error:
            detail = outcome.error
        elif outcome.unexpected_values:
            detail = ", ".join(
                f"`{item['value']}` x{item['count']}" for item in outcome.unexpected_values
            )
        else:
            detail = f"observed `{outcome.observed_value}`"
        count = "" if outcome.unexpected_count is None else f"{outcome.unexpected_count:,}"
        lines.append(f"| {outcome.severity} | `{outcome.label}` | {count} | {detail} |")
    return "\n".join(lines)


def example_text(example: dict[str, Any]) -> str:
    """`row 17: order_time__year=2099, order_time=2099-05-03 10:00:00`"""
    values = ", ".join(
        f"{name}={value}" for name, value in example.items() if name != RAW_ROW_COLUMN
    )
    return f"row {example.get(RAW_ROW_COLUMN, '?')}: {values}"


def files_at_fault_lines(result: SuiteResult) -> list[str]:
    """Each file holding rows that fail a critical expectation: its name and hash prefix, its
    failing rows per expectation with the first few, and the command that withdraws it."""
    by_file = result.blocking_files()
    if not by_file:
        return []
    lines = [
        f"{len(by_file)} file(s) hold rows that fail a critical expectation. Withdraw each "
        "(docs/withdrawing-files.md), then run again; a corrected file loads as a new delivery:"
    ]
    for file_hash, found in list(by_file.items())[:MAX_FILES_SHOWN]:
        lines.append(f"- {found[0][1].file_name} (hash {file_hash[:HASH_PREFIX_LENGTH]})")
        for outcome, file in found:
            examples = "; ".join(example_text(example) for example in file.examples)
            lines.append(f"    {outcome.label}: {file.failing_rows:,} row(s), e.g. {examples}")
        reason = "fails " + ", ".join(outcome.label for outcome, _ in found)
        lines.append(f"    {withdraw_command(file_hash, reason)}")
    if len(by_file) > MAX_FILES_SHOWN:
        lines.append(f"... and {len(by_file) - MAX_FILES_SHOWN} more file(s) (failing_examples)")
    return lines


def suite_file_label(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def check_metadata(result: SuiteResult, suite_path: Path) -> dict[str, Any]:
    failures = result.failures()
    metadata: dict[str, Any] = {
        "suite": suite_file_label(suite_path),
        "rows": dg.MetadataValue.int(result.row_count),
        "expectations": dg.MetadataValue.int(len(result.outcomes)),
        "expectations_passed": dg.MetadataValue.int(len(result.outcomes) - len(failures)),
        "failed_blocking": dg.MetadataValue.int(len(result.blocking_failures)),
        "failed_warning": dg.MetadataValue.int(len(result.warning_failures)),
        "fetch_seconds": dg.MetadataValue.float(round(result.fetch_seconds, 3)),
        "validate_seconds": dg.MetadataValue.float(round(result.validate_seconds, 3)),
        "observed": dg.MetadataValue.json(
            {f"{outcome.index}: {outcome.label}": outcome.observed() for outcome in result.outcomes}
        ),
    }
    if at_fault := files_at_fault_lines(result):
        metadata[FILES_AT_FAULT_METADATA] = dg.MetadataValue.text("\n".join(at_fault))
    if failures:
        metadata["failures"] = dg.MetadataValue.md(failures_markdown(result))
        metadata["failing_examples"] = dg.MetadataValue.json(
            [outcome.summary() for outcome in failures[:MAX_FAILURES_SHOWN]]
        )
    return metadata


def check_result(result: SuiteResult, suite_path: Path) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=check_passed(result),
        severity=check_severity(result),
        metadata=check_metadata(result, suite_path),
        description="\n".join(
            [
                f"{len(result.blocking_failures)} blocking and {len(result.warning_failures)} "
                f"warning expectation(s) failed on {result.row_count:,} rows",
                *files_at_fault_lines(result),
            ]
        ),
    )


@dataclass(frozen=True)
class SuiteRun:
    """What a check ran: the suite's result (None when there was nothing new to validate) and
    the delivery bookkeeping of a raw suite."""

    result: SuiteResult | None
    metadata: dict[str, Any] = field(default_factory=dict)


def validate(con: duckdb.DuckDBPyConnection, suite: SuiteDefinition) -> SuiteResult:
    """Fetch the suite's rows, then validate them. Great Expectations is imported only when a
    suite runs, after the fetch: a fetch (DuckDB's work, outside the GIL) overlaps the import
    that another suite's thread has under way (one thread imports, the others wait:
    preload.import_suite_runner)."""
    fetched = try_fetch_batch(con, suite)
    return import_suite_runner().validate_fetched(suite, fetched)


def validate_new_deliveries(
    con: duckdb.DuckDBPyConnection,
    suite_path: Path,
    write_lock: AbstractContextManager[Any] | None = None,
) -> SuiteRun:
    """The suite on the rows of delivered files it has not validated yet (deliveries.py), in
    batches of whole files of at most MAX_BATCH_ROWS rows; stops at the first batch that fails a
    critical expectation (its files stay pending) and reports that batch. `raw.validated_files`
    must exist; `write_lock` serialises the recording when suites run side by side."""
    suite = load_suite(suite_path)
    fingerprint = suite_fingerprint(suite)
    if not has_file_hashes(con, suite):  # no lineage (or unreadable): the whole table
        return SuiteRun(validate(con, suite))
    total_rows = table_rows(con, suite)
    files = pending_files(con, suite, fingerprint)
    metadata: dict[str, Any] = {
        "table_rows": dg.MetadataValue.int(total_rows),
        "files_to_validate": dg.MetadataValue.int(len(files)),
    }
    if not total_rows:  # an empty table: validated as it is, so the row-count rule warns
        return SuiteRun(validate(con, suite), metadata)
    if not files:
        metadata["files_recorded_valid"] = dg.MetadataValue.int(0)
        return SuiteRun(None, metadata)
    batches = file_batches(files)
    recorded, rows, result = 0, 0, None
    for file_hashes in batches:
        result = validate(con, batch_suite(suite, file_hashes))
        rows += result.row_count
        if result.blocking_failures:
            break
        with write_lock or nullcontext():
            recorded += record_validated(con, suite, fingerprint, file_hashes)
    metadata["files_recorded_valid"] = dg.MetadataValue.int(recorded)
    metadata["batches"] = dg.MetadataValue.int(len(batches))
    metadata["rows_validated"] = dg.MetadataValue.int(rows)
    return SuiteRun(result, metadata)


def run_new_deliveries(warehouse: WarehouseResource, suite_path: Path) -> SuiteRun:
    """validate_new_deliveries on a connection of its own."""
    with warehouse.connect() as con:
        ensure_validated_files(con)
        return validate_new_deliveries(con, suite_path)


def nothing_new_result(
    run: SuiteRun, suite_path: Path, check_key: dg.AssetCheckKey | None = None
) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=check_key.asset_key if check_key else None,
        check_name=check_key.name if check_key else None,
        passed=True,
        metadata={
            "suite": suite_file_label(suite_path),
            "rows": dg.MetadataValue.int(0),
            **run.metadata,
        },
        description="no new deliveries: every file in the table already passed this suite",
    )


def reported_result(
    context: AssetCheckExecutionContext,
    table: str,
    run: SuiteRun,
    suite_path: Path,
    check_key: dg.AssetCheckKey | None = None,
) -> dg.AssetCheckResult:
    """The check result of a suite's run, each failed expectation also logged as a warning.
    `check_key` names the check when one step runs several."""
    assert run.result is not None
    for outcome in run.result.failures():
        summary = json.dumps(outcome.summary(), ensure_ascii=False, default=str)
        context.log.warning(f"{table}: {summary}")
    checked = check_result(run.result, suite_path)
    return dg.AssetCheckResult(
        asset_key=check_key.asset_key if check_key else None,
        check_name=check_key.name if check_key else None,
        passed=checked.passed,
        severity=checked.severity,
        metadata={**checked.metadata, **run.metadata},
        description=checked.description,
    )


def suite_source(path: Path) -> str:
    """The raw source a suite file checks, from its meta.siyu.table (`raw.<source>`)."""
    suite: SuiteDefinition = load_suite(path)
    schema, _, source = suite.table.partition(".")
    if schema != "raw" or not source:
        raise ValueError(f"{path}: meta.siyu.table must be raw.<source>, not {suite.table!r}")
    return source


@dataclass(frozen=True)
class SuiteCheck:
    """A suite file and the asset check it is."""

    path: Path
    check_key: dg.AssetCheckKey

    @property
    def table(self) -> str:
        return ".".join(self.check_key.asset_key.path)


def raw_suites(suites_dir: Path = RAW_SUITES_DIR) -> list[SuiteCheck]:
    """The check `expectations` on `raw/<source>` of each suite in `suites_dir`."""
    sources = load_source_specs()
    suites = []
    for path in suite_paths(suites_dir):
        source = suite_source(path)
        if source not in sources:
            raise ValueError(f"{path}: raw.{source} is not a source in sources.yml")
        suites.append(SuiteCheck(path, dg.AssetCheckKey(dg.AssetKey(["raw", source]), CHECK_NAME)))
    return suites


def suite_workers() -> int:
    """Threads that validate suites at once: DuckDB's fetches and much of pandas' work run
    outside the GIL (2 threads: 7.2 -> 5.3 s for the 25 mart suites of then at scale 1, 2 cores)."""
    return worker_threads(MAX_SUITE_WORKERS)


def check_specs(
    suites: list[SuiteCheck], blocking: bool, checked: str = ""
) -> list[dg.AssetCheckSpec]:
    """The check spec of each suite; its description names the suite file and what it checks
    (`checked` + the table)."""
    return [
        dg.AssetCheckSpec(
            name=suite.check_key.name,
            asset=suite.check_key.asset_key,
            blocking=blocking,
            description=f"Great Expectations suite {suite_file_label(suite.path)} on "
            f"{checked}{suite.table}.",
        )
        for suite in suites
    ]


def selected_suites(
    context: AssetCheckExecutionContext, suites: list[SuiteCheck]
) -> list[SuiteCheck]:
    return [suite for suite in suites if suite.check_key in context.selected_asset_check_keys]


def build_raw_source_checks(
    suites_dir: Path = RAW_SUITES_DIR, blocking: bool = False
) -> list[dg.AssetChecksDefinition]:
    """One asset check per suite in `suites_dir`, on the ingestion asset `raw/<source>`, all run
    by one step (`raw_expectations`) after ingestion, each suite on the rows of the files it has
    not validated yet, several suites side by side.

    `blocking=True` makes a failed ERROR-severity check stop assets downstream of that source in
    the same run (Dagster's blocking asset checks). A run that selects some of the checks (a
    run of one source) runs only those.
    """
    suites = raw_suites(suites_dir)
    if not suites:
        return []

    @dg.multi_asset_check(
        name=RAW_CHECKS_STEP,
        specs=check_specs(suites, blocking, "the rows of newly delivered files of "),
        can_subset=True,
        description="The Great Expectations suites of expectations/raw/ on new deliveries.",
    )
    def _raw_suites(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        write_lock = threading.Lock()

        def run_one(cursor: duckdb.DuckDBPyConnection, suite: SuiteCheck) -> SuiteRun:
            return validate_new_deliveries(cursor, suite.path, write_lock)

        with warehouse.connect() as con:
            ensure_validated_files(con)
            selected = selected_suites(context, suites)
            # every suite finishes before Dagster handles a result: handling one imports
            # SQLAlchemy modules that Great Expectations imports too, and a thread importing them
            # while another does can meet a half-initialised module (a run with nothing new failed
            # so, when the first results came while a suite imported Great Expectations)
            runs = list(on_cursors(con, selected, suite_workers(), run_one))
        for suite, run in runs:
            if run.result is None:
                yield nothing_new_result(run, suite.path, suite.check_key)
            else:
                yield reported_result(context, suite.table, run, suite.path, suite.check_key)

    return [_raw_suites]


def mart_check_name(path: Path, mart: str) -> str:
    """`expectations` for <mart>.json, `expectations__<topic>` for <mart>__<topic>.json."""
    if path.stem == mart:
        return CHECK_NAME
    prefix = f"{mart}__"
    if not path.stem.startswith(prefix) or path.stem == prefix:
        raise ValueError(
            f"{path}: a suite on marts.{mart} must be named {mart}.json or {prefix}<topic>.json"
        )
    return f"{CHECK_NAME}__{path.stem.removeprefix(prefix)}"


def mart_suites(mart_keys: list[dg.AssetKey], suites_dir: Path) -> list[SuiteCheck]:
    known = set(mart_keys)
    suites = []
    for path in suite_paths(suites_dir):
        suite = load_suite(path)
        if suite.schema != "marts":
            raise ValueError(f"{path}: meta.siyu.table must be marts.<mart>, not {suite.table!r}")
        key = dg.AssetKey(["marts", suite.source])
        if key not in known:
            raise ValueError(f"{path}: {suite.table} is not a dbt model in the marts schema")
        suites.append(SuiteCheck(path, dg.AssetCheckKey(key, mart_check_name(path, suite.source))))
    return suites


def validate_whole_table(cursor: duckdb.DuckDBPyConnection, suite: SuiteCheck) -> SuiteRun:
    return SuiteRun(validate(cursor, load_suite(suite.path)))


def run_suites_in_threads(
    warehouse: WarehouseResource, suites: list[SuiteCheck], workers: int
) -> Iterator[tuple[SuiteCheck, SuiteRun]]:
    """Each suite on every row of its mart, `workers` at a time (each on its own cursor of one
    read-only connection), in the order given."""
    with warehouse.connect(read_only=True) as con:
        yield from on_cursors(con, suites, workers, validate_whole_table)


def build_mart_checks(
    mart_keys: list[dg.AssetKey], suites_dir: Path = MART_SUITES_DIR, blocking: bool = True
) -> list[dg.AssetChecksDefinition]:
    """One asset check per suite in `suites_dir`, on the dbt mart asset `marts/<mart>`, all run
    by one step (`mart_expectations`) that validates suites side by side.

    They run in the working warehouse after dbt builds the marts and before publishing; with
    `blocking=True` a failed critical expectation stops the publish assets downstream, so the
    previously published marts stay in place. A run that selects some of the checks runs only
    those.
    """
    suites = mart_suites(mart_keys, suites_dir)
    if not suites:
        return []

    @dg.multi_asset_check(
        name=MART_CHECKS_STEP,
        specs=check_specs(suites, blocking),
        can_subset=True,
        description="The Great Expectations suites of expectations/marts/ on the built marts.",
    )
    def _mart_suites(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = selected_suites(context, suites)
        for suite, run in run_suites_in_threads(warehouse, selected, suite_workers()):
            yield reported_result(context, suite.table, run, suite.path, suite.check_key)

    return [_mart_suites]
