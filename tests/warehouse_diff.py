"""Row-for-row comparison of the tables of one schema in two warehouse files.

Used wherever a test claims that two ways of building give the same warehouse: a daily run and a
full rebuild (tests/incremental/), base + delta and a build from scratch (tests/bench/). Each
table is compared both ways with EXCEPT ALL, so duplicates count; doubles are rounded, since
parallel sums may differ in the last bits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

FLOAT_DIGITS = 6


@dataclass(frozen=True)
class Comparison:
    """What is compared in a schema: the columns left out of every table, the tables left out,
    and tables compared on part of their rows only (table -> (where clause, columns left out))."""

    schema: str
    columns_left_out: frozenset[str] = frozenset()
    tables_left_out: frozenset[str] = frozenset()
    row_filters: Mapping[str, tuple[str, Collection[str]]] = field(default_factory=dict)


# customer_tags.computed_at is since when a tag is carried: the build that first computed the value,
# which a rebuild from scratch has not seen (the table is kept from run to run, full_refresh off)
SINCE_WHEN_LEFT_OUT: Mapping[str, tuple[str, Collection[str]]] = {
    "customer_tags": ("true", frozenset({"computed_at"}))
}


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = 'right_side' and schema_name = ? and table_name = ? "
        "order by column_index",
        [schema, table],
    ).fetchall()


def _comparable(
    con: duckdb.DuckDBPyConnection, comparison: Comparison, table: str
) -> tuple[str, str]:
    """(select list, where clause) of what must be equal in the table."""
    condition, left_out = comparison.row_filters.get(table, ("true", ()))
    expressions = [
        f'round("{name}", {FLOAT_DIGITS}) as "{name}"'
        if data_type in ("DOUBLE", "FLOAT")
        else f'"{name}"'
        for name, data_type in _columns(con, comparison.schema, table)
        if name not in comparison.columns_left_out | set(left_out)
    ]
    return ", ".join(expressions), condition


def _rows_only_in(
    con: duckdb.DuckDBPyConnection, comparison: Comparison, table: str, first: str, second: str
) -> int:
    columns, condition = _comparable(con, comparison, table)
    schema = comparison.schema
    return con.execute(
        f"select count(*) from ("
        f"select {columns} from {first}.{schema}.{table} where {condition} except all "
        f"select {columns} from {second}.{schema}.{table} where {condition})"
    ).fetchone()[0]


def _tables(con: duckdb.DuckDBPyConnection, database: str, schema: str) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = ?",
            [database, schema],
        ).fetchall()
    }


def table_differences(
    left: Path, right: Path, comparison: Comparison
) -> dict[str, tuple[int, int]]:
    """Table -> (rows only in `left`, rows only in `right`), for each differing table of the
    schema; a table in one file only is a difference of every row. Both files must hold tables
    in the schema."""
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as left_side (read_only)")
        con.execute(f"attach '{right}' as right_side (read_only)")
        in_left = _tables(con, "left_side", comparison.schema) - comparison.tables_left_out
        in_right = _tables(con, "right_side", comparison.schema) - comparison.tables_left_out
        assert in_left and in_right, f"no tables in {comparison.schema}"
        differences = {table: (-1, 0) for table in in_left - in_right}
        differences |= {table: (0, -1) for table in in_right - in_left}
        for table in sorted(in_left & in_right):
            only_left = _rows_only_in(con, comparison, table, "left_side", "right_side")
            only_right = _rows_only_in(con, comparison, table, "right_side", "left_side")
            if only_left or only_right:
                differences[table] = (only_left, only_right)
    return differences
