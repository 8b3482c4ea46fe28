"""Run a suite file against DuckDB with Great Expectations' pandas execution engine.

GE 1.24's SQL path does not work on DuckDB (duckdb_engine results are empty, "list index out of
range"; see expectations/README.md), so the rows are fetched through Arrow into a DataFrame and
validated there, one `batch.validate(suite)` per table.
"""

from __future__ import annotations

import hashlib
import threading
import time
import warnings
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)
from great_expectations.data_context import EphemeralDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.execution_engine import pandas_execution_engine
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from siyu.quality.batch import (
    Batch,
    MissingTableError,
    derived_sources,
    try_fetch_batch,
)
from siyu.quality.deliveries import FILE_HASH_COLUMN
from siyu.quality.results import (
    BLOCKING,
    ExpectationOutcome,
    FileAtFault,
    SuiteResult,
    plain,
    shown,
)
from siyu.quality.suites import RAW_FILE_COLUMN, SuiteDefinition, expectation_columns

EXAMPLE_COUNT = 5
# GE result formats: what every expectation reports (counts, observed values), and what a failed
# one reports besides (unexpected values with counts, and the index of the rows they are on)
MEASURE_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}
EXAMPLES_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLE_COUNT}
# ... and on delivered rows (they carry their file's name and hash), the index of every failing
# row, so that every file at fault is named, not only those of the first few rows
FILES_FORMAT = {
    **EXAMPLES_FORMAT,
    "result_format": "COMPLETE",
    "return_unexpected_index_query": False,
}
# failing rows shown for each file at fault
EXAMPLES_PER_FILE = 3
INDEX_KEY = "siyu_index"
# pandas warns about capture groups in str.contains; suites use (a|b) groups for readability.
# Ignored for the whole process: suites validate on several threads, and warnings.catch_warnings
# is not thread-safe.
REGEX_GROUP_WARNING = "This pattern is interpreted as a regular expression, and has match groups"
warnings.filterwarnings("ignore", message=REGEX_GROUP_WARNING, category=UserWarning)


def ephemeral_context() -> EphemeralDataContext:
    """An in-memory GE context: no files, no usage statistics, no progress bars."""
    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def build_expectation_suite(
    suite: SuiteDefinition, indexes: Collection[int] | None = None
) -> gx.ExpectationSuite:
    """The GE suite of a suite file (only the expectations at `indexes`, when given); raises on
    an unknown type or a bad keyword argument.

    (GE's own ExpectationSuite(**json) logs and drops an invalid expectation, which would turn
    a typo into a check that can no longer fail.)
    """
    expectations = []
    for index, entry in enumerate(suite.expectations):
        if indexes is not None and index not in indexes:
            continue
        configuration = ExpectationConfiguration(
            type=entry["type"],
            kwargs=entry.get("kwargs", {}),
            meta={**entry.get("meta", {}), INDEX_KEY: index},
            notes=entry.get("notes"),
            severity=suite.severity_of(index),
        )
        try:
            expectations.append(configuration.to_domain_obj())
        except Exception as error:
            raise ValueError(
                f"{suite.path}: expectation {index} ({entry['type']}) is invalid: {error}"
            ) from error
    return gx.ExpectationSuite(name=suite.name, expectations=expectations)


def personal_columns(suite: SuiteDefinition, frame_columns: list[str]) -> set[str]:
    """PII columns and the derived columns computed from them."""
    derived = {
        name
        for name in suite.derived_columns
        if set(derived_sources(suite, name, frame_columns)) & suite.pii_columns
    }
    return set(suite.pii_columns) | derived


def row_samples(
    frame: pd.DataFrame,
    indexes: list[Any],
    columns: list[str],
    personal: set[str],
) -> tuple[dict[str, Any], ...]:
    present = [column for column in columns if column in frame.columns]
    samples = []
    for index in indexes[:EXAMPLE_COUNT]:
        if index not in frame.index:
            continue
        row = frame.loc[index, present]
        samples.append({column: shown(row[column], column in personal) for column in present})
    return tuple(samples)


def names_files(frame: pd.DataFrame) -> bool:
    """Whether the rows carry their file's name and hash (delivered rows of a raw table)."""
    return {RAW_FILE_COLUMN, FILE_HASH_COLUMN} <= set(frame.columns)


def files_at_fault(
    frame: pd.DataFrame,
    indexes: list[Any] | None,
    columns: list[str],
    personal: set[str],
) -> tuple[FileAtFault, ...]:
    """The files of the failing rows at `indexes` (every failing row), each with how many fail
    and the first few (row number and values)."""
    if not indexes or not names_files(frame):
        return ()
    failing = frame.loc[indexes, [RAW_FILE_COLUMN, FILE_HASH_COLUMN]]
    shown_columns = [column for column in columns if column != RAW_FILE_COLUMN]
    files = []
    for (file_name, file_hash), rows in failing.groupby(
        [RAW_FILE_COLUMN, FILE_HASH_COLUMN], sort=True, observed=True
    ):
        first = list(rows.index[:EXAMPLES_PER_FILE])
        examples = row_samples(frame, first, shown_columns, personal)
        files.append(FileAtFault(str(file_name), str(file_hash), len(rows), examples))
    return tuple(files)


def exception_message(result: ExpectationValidationResult) -> str | None:
    info = result.exception_info or {}
    if "raised_exception" in info:  # one flat record
        return info.get("exception_message") if info.get("raised_exception") else None
    messages = [entry.get("exception_message") for entry in info.values() if entry]
    return "; ".join(str(message) for message in messages if message) or None


def to_outcome(
    result: ExpectationValidationResult,
    suite: SuiteDefinition,
    batch: Batch,
    personal: set[str],
) -> ExpectationOutcome:
    index = result_index(result)
    entry = suite.expectations[index]
    columns = expectation_columns(entry)
    details = result.result or {}
    is_personal = any(column in personal for column in columns)
    sample_columns = [*suite.key_columns, *columns]
    for column in columns:
        sample_columns += derived_sources(suite, column, batch.table_columns)
    problems = [batch.problems[column] for column in columns if column in batch.problems]
    return ExpectationOutcome(
        index=index,
        expectation_type=entry["type"],
        columns=tuple(columns),
        kwargs=dict(entry.get("kwargs", {})),
        severity=suite.severity_of(index),
        success=bool(result.success),
        observed_value=shown(details.get("observed_value"), is_personal),
        element_count=details.get("element_count"),
        unexpected_count=details.get("unexpected_count"),
        unexpected_percent=details.get("unexpected_percent"),
        unexpected_values=tuple(
            {"value": shown(item["value"], is_personal), "count": plain(item["count"])}
            for item in details.get("partial_unexpected_counts", [])[:EXAMPLE_COUNT]
        ),
        unexpected_rows=row_samples(
            batch.frame,
            details.get("partial_unexpected_index_list") or [],
            list(dict.fromkeys(sample_columns)),
            personal,
        ),
        files_at_fault=files_at_fault(
            batch.frame,
            details.get("unexpected_index_list"),
            list(dict.fromkeys(sample_columns)),
            personal,
        ),
        error="; ".join(problems) if problems else exception_message(result),
    )


def shape_fingerprint(frame: pd.DataFrame) -> str:
    """A batch marker from the frame's shape and columns, in place of GE's content hash."""
    described = f"{len(frame)}|{'|'.join(map(str, frame.columns))}|{id(frame)}"
    return hashlib.md5(described.encode(), usedforsecurity=False).hexdigest()


_content_hash_lock = threading.Lock()
_content_hash_users = 0
_content_hash_patch = mock.patch.object(
    pandas_execution_engine, "hash_pandas_dataframe", shape_fingerprint
)


@contextmanager
def without_content_hash() -> Iterator[None]:
    """GE's pandas engine hashes every cell of a batch (twice per validation) only to write a
    `pandas_data_fingerprint` batch marker, which siyu never reads: about 60% of the validation
    time of a million-row mart. The marker gets a shape fingerprint instead; nothing that
    decides an expectation changes. (`mock.patch.object` fails loudly if GE moves the function.)

    Suites validate on several threads at once: the first to enter patches, the last to leave
    restores (patching per thread would restore out of order).
    """
    global _content_hash_users
    with _content_hash_lock:
        if _content_hash_users == 0:
            _content_hash_patch.start()
        _content_hash_users += 1
    try:
        yield
    finally:
        with _content_hash_lock:
            _content_hash_users -= 1
            if _content_hash_users == 0:
                _content_hash_patch.stop()


_thread_state = threading.local()


def frame_batch_definition() -> BatchDefinition:
    """A whole-DataFrame batch definition in an ephemeral context, one per thread, that every
    suite the thread validates reuses (the DataFrame is a batch parameter). Adding a data source,
    asset and batch definition saves GE's project config three times, about 35 ms, which every
    suite paid when each had its own; the result of a validation does not depend on the names.
    One per thread: a GE context is not known to be thread-safe."""
    definition = getattr(_thread_state, "batch_definition", None)
    if definition is None:
        definition = (
            ephemeral_context()
            .data_sources.add_pandas(name="siyu")
            .add_dataframe_asset(name="fetched_rows")
            .add_batch_definition_whole_dataframe(name="whole_frame")
        )
        _thread_state.batch_definition = definition
    return definition


def release_batch_data(definition: BatchDefinition) -> None:
    """Drop the execution engine's hold on the last validated DataFrame. A reused batch definition
    keeps it until the next suite's validation replaces it, so a thread would hold two marts'
    rows while it fetches the next (at scale 10, gigabytes)."""
    manager = definition.data_asset.datasource.get_execution_engine().batch_manager
    manager.batch_data_cache.clear()
    manager.reset_batch_cache()


def result_index(result: ExpectationValidationResult) -> int:
    """The position in its suite file of the expectation a result belongs to."""
    return int(result.expectation_config.meta[INDEX_KEY])


def validate_batch(batch: Batch, suite: SuiteDefinition) -> SuiteResult:
    """Validate fetched rows against the suite: one GE validation of the whole suite that
    measures (counts and observed values), then one of only the failed expectations that also
    collects the examples (unexpected values with their counts, and the rows they are on).

    Collecting examples (GE's SUMMARY result format) filters the rows of every expectation, most
    of which pass: it took 40-50% of validating the scale-1 suites (marts 3.8 -> 2.6 s, raw
    2.4 -> 1.4 s of validation). An expectation's success does not depend on the result format.
    """
    started = time.perf_counter()
    definition = frame_batch_definition()
    try:
        with without_content_hash():
            gx_batch = definition.get_batch(batch_parameters={"dataframe": batch.frame})
            measured: ExpectationSuiteValidationResult = gx_batch.validate(
                build_expectation_suite(suite), result_format=MEASURE_FORMAT
            )
            results = {result_index(result): result for result in measured.results}
            failed = [index for index, result in results.items() if not result.success]
            if failed:
                described = gx_batch.validate(
                    build_expectation_suite(suite, indexes=failed),
                    result_format=FILES_FORMAT if names_files(batch.frame) else EXAMPLES_FORMAT,
                )
                results.update({result_index(result): result for result in described.results})
    finally:
        release_batch_data(definition)
    personal = personal_columns(suite, batch.table_columns)
    outcomes = sorted(
        (to_outcome(result, suite, batch, personal) for result in results.values()),
        key=lambda outcome: outcome.index,
    )
    return SuiteResult(
        suite_name=suite.name,
        table=suite.table,
        row_count=len(batch.frame),
        outcomes=tuple(outcomes),
        problems=dict(batch.problems),
        fetch_seconds=batch.seconds,
        validate_seconds=time.perf_counter() - started,
    )


def missing_table_result(suite: SuiteDefinition, error: MissingTableError) -> SuiteResult:
    """Every expectation fails (blocking) when the table itself cannot be read."""
    outcome = ExpectationOutcome(
        index=-1,
        expectation_type="table_is_readable",
        columns=(),
        kwargs={"table": suite.table},
        severity=BLOCKING,
        success=False,
        error=str(error),
    )
    return SuiteResult(suite.name, suite.table, 0, (outcome,), {suite.table: str(error)})


def validate_fetched(suite: SuiteDefinition, fetched: Batch | MissingTableError) -> SuiteResult:
    """The suite's result on what try_fetch_batch returned."""
    if isinstance(fetched, MissingTableError):
        return missing_table_result(suite, fetched)
    return validate_batch(fetched, suite)


def run_suite(con: duckdb.DuckDBPyConnection, suite: SuiteDefinition) -> SuiteResult:
    """Fetch the suite's rows from DuckDB and validate them."""
    return validate_fetched(suite, try_fetch_batch(con, suite))
