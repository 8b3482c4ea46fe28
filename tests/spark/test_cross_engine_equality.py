"""Every mart has the same rows whether dbt built it on DuckDB or on Spark (the same raw layer)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from siyu.marts import contract_marts
from tests.spark.conftest import LATER_AS_OF
from tests.warehouse_diff import SINCE_WHEN_LEFT_OUT

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

# contract marts (docs/marts-contract.md; every model under dbt_project/models/marts) and all others
CONTRACT_MARTS = contract_marts()
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
# doubles (rates, medians, elapsed days) may differ in their last bits between engines
FLOAT_DIGITS = 9


def mart_columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'marts' and table_name = ? "
        "order by ordinal_position",
        [database, table],
    ).fetchall()
    return dict(rows)


# columns whose meaning differs between engines on purpose (docs/spark.md): the since-when
# columns, which on Spark (tables rebuilt whole) hold the build's as_of
ENGINE_SPECIFIC = {table: columns for table, (_, columns) in SINCE_WHEN_LEFT_OUT.items()}


def comparable(database: str, table: str, columns: dict[str, str]) -> str:
    select_list = ", ".join(
        f'round("{name}", {FLOAT_DIGITS}) as "{name}"'
        if column_type in FLOAT_TYPES
        else f'"{name}"'
        for name, column_type in columns.items()
        if name not in ENGINE_SPECIFIC.get(table, ())
    )
    return f"select {select_list} from {database}.marts.{table}"


def rows_only_in(con, left: str, right: str, limit: int = 5) -> tuple[int, list[tuple]]:
    difference = f"({left}) except all ({right})"
    count = con.execute(f"select count(*) from ({difference})").fetchone()[0]
    examples = con.execute(f"select * from ({difference}) limit {limit}").fetchall()
    return count, examples


@pytest.fixture(scope="module")
def engines(sample_builds) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"attach '{sample_builds.duckdb_warehouse}' as on_duckdb (read_only)")
    con.execute(f"attach '{sample_builds.spark_warehouse}' as on_spark (read_only)")
    yield con
    con.close()


def test_spark_builds_every_mart_duckdb_builds(engines):
    def marts(database: str) -> set[str]:
        rows = engines.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = ? and table_schema = 'marts'",
            [database],
        ).fetchall()
        return {row[0] for row in rows}

    on_duckdb, on_spark = marts("on_duckdb"), marts("on_spark")
    assert set(CONTRACT_MARTS) <= on_spark, sorted(set(CONTRACT_MARTS) - on_spark)
    assert on_duckdb == on_spark, sorted(on_duckdb ^ on_spark)


@pytest.mark.parametrize("mart", CONTRACT_MARTS)
def test_mart_has_the_same_rows_on_both_engines(engines, mart):
    duckdb_columns = mart_columns(engines, "on_duckdb", mart)
    spark_columns = mart_columns(engines, "on_spark", mart)
    assert list(spark_columns) == list(duckdb_columns), f"{mart}: columns differ"
    duckdb_rows = comparable("on_duckdb", mart, duckdb_columns)
    spark_rows = comparable("on_spark", mart, duckdb_columns)
    total = engines.execute(f"select count(*) from ({duckdb_rows})").fetchone()[0]
    only_duckdb, duckdb_examples = rows_only_in(engines, duckdb_rows, spark_rows)
    only_spark, spark_examples = rows_only_in(engines, spark_rows, duckdb_rows)
    assert (only_duckdb, only_spark) == (0, 0), (
        f"marts.{mart} ({total} rows on DuckDB): {only_duckdb} row(s) only on DuckDB, "
        f"{only_spark} only on Spark\ncolumns: {list(duckdb_columns)}\n"
        f"only on DuckDB, e.g.: {duckdb_examples}\nonly on Spark, e.g.: {spark_examples}"
    )
    assert total > 0 or mart in EMPTY_ON_THE_SAMPLE, f"marts.{mart} is empty: nothing compared"


# marts the committed sample leaves empty: no earlier run to change ids from, all spend mapped
EMPTY_ON_THE_SAMPLE = {"identity_customer_id_changes", "rpt_unmapped_ad_spend"}


def test_tag_history_grew_on_the_later_build_on_both_engines(engines):
    """The later tag build appended changes to the history log on each engine (the equality of
    the marts above then covers the log's incremental path too)."""
    for database in ("on_duckdb", "on_spark"):
        moments = engines.execute(
            "select cast(recorded_at as varchar), count(*) "
            f"from {database}.snapshots.int_customer_tags__recorded group by 1 order by 1"
        ).fetchall()
        assert len(moments) == 2, (database, moments)
        assert moments[1][0] == LATER_AS_OF and moments[1][1] > 0, (database, moments)
        closed = engines.execute(
            f"select count(*) from {database}.marts.customer_tag_history where valid_to is not null"
        ).fetchone()[0]
        assert closed > 0, database


def test_tags_say_since_when_on_duckdb_and_the_build_on_spark(engines):
    """After the later tag build, DuckDB's customer_tags keep the first build's moment where the
    value did not change (and have the later one where it did); Spark's all have the later one."""

    def moments(database: str) -> set[str]:
        rows = engines.execute(
            f"select distinct cast(computed_at as varchar) from {database}.marts.customer_tags"
        ).fetchall()
        return {row[0] for row in rows}

    on_duckdb = moments("on_duckdb")
    assert len(on_duckdb) == 2 and LATER_AS_OF in on_duckdb, on_duckdb
    assert moments("on_spark") == {LATER_AS_OF}


def test_the_build_times_are_measured(sample_builds, record_property):
    record_property("duckdb_build_seconds", round(sample_builds.duckdb_seconds, 1))
    record_property("spark_build_seconds", round(sample_builds.spark_seconds, 1))
    print(  # shown with -rA; docs/spark.md quotes these figures
        f"sample build: DuckDB {sample_builds.duckdb_seconds:.1f} s, "
        f"Spark {sample_builds.spark_seconds:.1f} s"
    )
    assert Path(sample_builds.spark_warehouse).exists()
