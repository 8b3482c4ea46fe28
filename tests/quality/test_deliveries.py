"""Delivery bookkeeping of the raw suites: which files are pending, in which batches."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from siyu.quality.deliveries import (
    batch_suite,
    ensure_validated_files,
    file_batches,
    pending_files,
    record_validated,
    suite_fingerprint,
    table_rows,
)
from siyu.quality.runner import run_suite
from siyu.quality.suites import SuiteDefinition

# three files of 3, 2 and 4 rows; file "c" holds a negative amount
ROWS = [("a", 1), ("a", 2), ("a", 3), ("b", 4), ("b", 5), ("c", 6), ("c", -7), ("c", 8), ("c", 9)]
SUITE = SuiteDefinition(
    name="raw.amounts",
    path=Path("amounts.json"),
    table="raw.amounts",
    expectations=(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "amount", "min_value": 0},
        },
    ),
)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.amounts (_file_name varchar, _file_hash varchar, _row_number int, "
        "amount int)"
    )
    con.executemany(
        "insert into raw.amounts values (?, ?, ?, ?)",
        [
            [f"amounts/{name}.csv", f"hash-{name}", n, amount]
            for n, (name, amount) in enumerate(ROWS)
        ],
    )
    ensure_validated_files(con)
    return con


def test_pending_files_come_in_batches_of_whole_files(con):
    fingerprint = suite_fingerprint(SUITE)

    files = pending_files(con, SUITE, fingerprint)

    assert files == [("hash-a", 3), ("hash-b", 2), ("hash-c", 4)]
    assert file_batches(files, max_rows=5) == [
        ["hash-a", "hash-b"],
        ["hash-c"],
    ]
    assert file_batches(files, max_rows=2) == [
        ["hash-a"],
        ["hash-b"],
        ["hash-c"],
    ], "a file bigger than a batch is a batch of its own, never split"


def test_recorded_files_are_no_longer_pending_for_that_suite_version_only(con):
    fingerprint = suite_fingerprint(SUITE)
    record_validated(con, SUITE, fingerprint, ["hash-a", "hash-b"])
    record_validated(con, SUITE, fingerprint, ["hash-a"])  # recording twice is harmless

    assert table_rows(con, SUITE) == 9
    assert pending_files(con, SUITE, fingerprint) == [("hash-c", 4)]
    assert file_batches(pending_files(con, SUITE, fingerprint)) == [["hash-c"]]
    changed = SuiteDefinition(**{**SUITE.__dict__, "expectations": SUITE.expectations * 2})
    assert pending_files(con, changed, suite_fingerprint(changed)) == [
        ("hash-a", 3),
        ("hash-b", 2),
        ("hash-c", 4),
    ]


def test_a_batch_suite_checks_exactly_the_rows_of_its_files(con):
    good = run_suite(con, batch_suite(SUITE, ["hash-a", "hash-b"]))
    bad = run_suite(con, batch_suite(SUITE, ["hash-c"]))

    assert good.row_count == 5 and not good.failures()
    assert bad.row_count == 4
    (failure,) = bad.blocking_failures
    assert failure.unexpected_rows[0]["_file_name"] == "amounts/c.csv"
