"""Fetch the rows a suite checks from DuckDB into a pandas DataFrame (through Arrow).

Only the columns the suite's expectations name are fetched, plus the columns that locate a failing
row (its key columns: for raw tables the lineage columns `_file_name`, `_row_number`, and the
file's hash `_file_hash`, which names the file to withdraw); derived
columns are computed by DuckDB in the same query. A column the table lacks is simply not fetched,
so the expectations naming it fail (which is what a missing required column should do) instead of
the whole query erroring.

Numbers are converted after the fetch to int64 or float64, for Great Expectations' pandas metrics
(see with_vectorised_numbers).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from siyu.quality.deliveries import FILE_HASH_COLUMN
from siyu.quality.suites import SuiteDefinition

# table-shape expectations that must see every column of the table, not only the named ones
WHOLE_TABLE_EXPECTATIONS = frozenset(
    {
        "expect_table_columns_to_match_ordered_list",
        "expect_table_column_count_to_equal",
        "expect_table_column_count_to_be_between",
    }
)


class MissingTableError(LookupError):
    """The suite's table (or query) cannot be read at all."""


@dataclass
class Batch:
    """The fetched rows, with what could not be fetched and how long it took."""

    frame: pd.DataFrame
    table_columns: list[str]
    problems: dict[str, str] = field(default_factory=dict)  # column -> why it is missing
    seconds: float = 0.0


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def source_relation(suite: SuiteDefinition) -> str:
    """The CTE every fetch reads from: the suite's query, else its table."""
    body = suite.query or f"select * from {suite.table}"
    return f"with source as ({body})"


def relation_columns(con: duckdb.DuckDBPyConnection, suite: SuiteDefinition) -> list[str]:
    try:
        rows = con.execute(f"describe {source_relation(suite)} select * from source").fetchall()
    except duckdb.Error as error:
        raise MissingTableError(f"{suite.table}: {str(error).splitlines()[0]}") from error
    return [row[0] for row in rows]


def needs_whole_table(suite: SuiteDefinition) -> bool:
    for expectation in suite.expectations:
        kwargs = expectation.get("kwargs", {})
        if expectation["type"] in WHOLE_TABLE_EXPECTATIONS:
            return True
        if expectation["type"] == "expect_table_columns_to_match_set" and kwargs.get(
            "exact_match", True
        ):
            return True
    return False


def derived_problem(
    con: duckdb.DuckDBPyConnection, suite: SuiteDefinition, name: str
) -> str | None:
    """Why a derived column cannot be computed on this table (None when it can)."""
    expression = suite.derived_columns[name]
    try:
        con.execute(f"describe {source_relation(suite)} select {expression} from source")
    except duckdb.Error as error:
        return f"derived column {name} = {expression}: {str(error).splitlines()[0]}"
    return None


def derived_sources(suite: SuiteDefinition, name: str, table_columns: list[str]) -> list[str]:
    """The table columns a derived column's expression mentions (shown beside it in examples)."""
    expression = suite.derived_columns.get(name, "")
    return [
        column
        for column in table_columns
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(column)}(?![A-Za-z0-9_])", expression)
    ]


def raw_columns_to_fetch(suite: SuiteDefinition, table_columns: list[str]) -> list[str]:
    """Named table columns, the sources of named derived columns and the row locators."""
    if needs_whole_table(suite):
        return list(table_columns)
    wanted = suite.referenced_columns()
    for name in wanted & set(suite.derived_columns):
        wanted.update(derived_sources(suite, name, table_columns))
    wanted.update(suite.key_columns)
    wanted.add(FILE_HASH_COLUMN)  # only tables with file lineage have it
    return [column for column in table_columns if column in wanted]


def derived_to_fetch(
    con: duckdb.DuckDBPyConnection, suite: SuiteDefinition, table_columns: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Named derived columns that bind ({name: sql}), and named columns that cannot be had."""
    derived: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name in sorted(suite.referenced_columns() - set(table_columns)):
        if name not in suite.derived_columns:
            problems[name] = f"column {name} is not in {suite.table}"
        elif problem := derived_problem(con, suite, name):
            problems[name] = problem
        else:
            derived[name] = suite.derived_columns[name]
    return derived, problems


def batch_sql(suite: SuiteDefinition, raw: list[str], derived: dict[str, str]) -> str:
    items = [quote(column) for column in raw]
    items += [f"{expression} as {quote(name)}" for name, expression in derived.items()]
    if not items:  # only table-level expectations: one constant column keeps the row count
        items.append("true as _present")
    columns = ",\n    ".join(items)
    return f"{source_relation(suite)}\nselect\n    {columns}\nfrom source"


def failing_at_run_time(
    con: duckdb.DuckDBPyConnection, suite: SuiteDefinition, derived: dict[str, str]
) -> dict[str, str]:
    """Derived columns whose expression errors on some row (e.g. malformed JSON), with why."""
    problems = {}
    for name, expression in derived.items():
        try:
            con.execute(f"{source_relation(suite)} select count({expression}) from source")
        except duckdb.Error as error:
            problems[name] = f"derived column {name} = {expression}: {str(error).splitlines()[0]}"
    return problems


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The rows as a DataFrame; the file hash as a pandas Categorical (a few files per batch: a
    million rows hold 10 MB of codes instead of 80 MB of strings)."""
    return con.execute(sql).to_arrow_table().to_pandas(categories=[FILE_HASH_COLUMN])


# numpy number types that Great Expectations' range check (ColumnValuesBetween: vectorised only
# on int64, float64 and datetime64[ns]) compares one value at a time, and what they become
SMALLER_NUMPY_NUMBERS = {
    np.dtype(name): np.dtype("int64" if name.startswith("int") else "float64")
    for name in ("int8", "int16", "int32", "float16", "float32")
}


def with_vectorised_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Number columns as int64 or float64: DuckDB's DECIMAL (money) arrives as Python Decimal
    objects and INTEGER as int32, which Great Expectations' range check compares one value at a
    time (scale 1: 780,000 Python calls in the mart suites). Every such column is converted, not
    only the range-checked ones, so that two columns a pair expectation compares stay of one
    type. A decimal becomes the nearest double: for amounts with two decimals below 10^13, that
    keeps how each compares with another and with any bound (the suites' bounds are JSON numbers,
    doubles, which a Decimal compares with exactly: Decimal('0.10') < 0.1)."""
    for column in frame.columns:
        dtype = frame[column].dtype
        if pd.api.types.is_object_dtype(dtype) and (
            pd.api.types.infer_dtype(frame[column], skipna=True) == "decimal"
        ):
            frame[column] = frame[column].astype("float64")
        elif dtype in SMALLER_NUMPY_NUMBERS:
            frame[column] = frame[column].astype(SMALLER_NUMPY_NUMBERS[dtype])
    return frame


def fetch_batch(con: duckdb.DuckDBPyConnection, suite: SuiteDefinition) -> Batch:
    """The suite's rows as a DataFrame; raises MissingTableError when the table is unreadable.

    A derived column that cannot be computed is left out and reported in `problems`, so the
    expectations on it fail while the rest of the suite still runs.
    """
    started = time.perf_counter()
    table_columns = relation_columns(con, suite)
    raw = raw_columns_to_fetch(suite, table_columns)
    derived, problems = derived_to_fetch(con, suite, table_columns)
    try:
        frame = fetch_frame(con, batch_sql(suite, raw, derived))
    except duckdb.Error:
        broken = failing_at_run_time(con, suite, derived)
        problems.update(broken)
        derived = {name: sql for name, sql in derived.items() if name not in broken}
        frame = fetch_frame(con, batch_sql(suite, raw, derived))
    frame = with_vectorised_numbers(frame)
    return Batch(frame, table_columns, problems, time.perf_counter() - started)


def try_fetch_batch(
    con: duckdb.DuckDBPyConnection, suite: SuiteDefinition
) -> Batch | MissingTableError:
    """fetch_batch, or the MissingTableError it raised (the result of a suite on no table)."""
    try:
        return fetch_batch(con, suite)
    except MissingTableError as error:
        return error
