"""The daily incremental run gives the marts of a full rebuild on the same inputs.

The bench fixture built a warehouse from exports up to D-1 and then ran again after the exports of
day D were delivered (base + delta). Here a fresh warehouse is built once from the exports up to
D (the generator guarantees the same records) and every table of the `marts` schema is compared,
and every table of `staging`, whose incremental models read only day D's loads on the second run
(without the lineage columns: the rebuild's landing folder holds the same records in other files,
loaded at another time).

Left out of the comparison, because they record runs rather than data:
* `identity_customer_id_changes` is the log of customer-id merges and splits between runs; a
  rebuild from scratch has seen no earlier run.
* `customer_tag_history` holds one version per build: only its current versions are compared,
  without their validity window and version id.
* `recorded_at_utc`: when a run recorded a row.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from bench.pipeline import bench_settings, dbt_target_dirs, isolated_outputs
from orchestration.run import run_daily_refresh
from sample_data import DEFAULT_END, generate
from siyu.dbt.incremental import (
    FULL_REFRESH_NOTE,
    INCREMENTAL_BUILD_NOTE,
    NO_BASIS_REASON,
)
from tests.bench.conftest import BENCH_SCALE, BENCH_SEED, BenchRun

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

RUN_LOG_TABLES = {"identity_customer_id_changes"}
RUN_TIME_COLUMNS = {"recorded_at_utc"}
# schema -> columns left out in each of its tables
LINEAGE_COLUMNS = {"source_file", "source_row_number", "source_loaded_at"}
COMPARED_SCHEMAS = {"marts": RUN_TIME_COLUMNS, "staging": LINEAGE_COLUMNS}
# table -> (filter, columns left out): history tables compared on their current state
CURRENT_STATE = {
    "customer_tag_history": ("is_current", {"tag_history_id", "valid_from", "valid_to"}),
}
FLOAT_DIGITS = 6  # parallel sums of doubles may differ in the last bits


@pytest.fixture(scope="module")
def warehouses(bench_run: BenchRun, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(base + delta warehouse, full rebuild warehouse), both on the exports up to day D."""
    assert bench_run.process.returncode == 0, bench_run.output
    root = tmp_path_factory.mktemp("rebuild")
    generate(root, scale=BENCH_SCALE, seed=BENCH_SEED, until=DEFAULT_END)
    with dg.DagsterInstance.ephemeral() as instance, isolated_outputs(root) as settings:
        summary = run_daily_refresh(settings, instance)
        for target_dir in dbt_target_dirs(instance.get_runs(limit=1)[0].run_id):
            shutil.rmtree(target_dir, ignore_errors=True)
    assert summary.success and not summary.checks_failed + summary.checks_warned, summary.failures
    return bench_settings(bench_run.scale_root).work_warehouse_path, settings.work_warehouse_path


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = 'rebuilt' and schema_name = ? and table_name = ? "
        "order by column_index",
        [schema, table],
    ).fetchall()


def _comparable(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[str, str]:
    """(select list, where clause) of what must be equal in `schema.table`."""
    condition, left_out = CURRENT_STATE.get(table, ("true", set()))
    expressions = [
        f'round("{name}", {FLOAT_DIGITS}) as "{name}"'
        if data_type in ("DOUBLE", "FLOAT")
        else f'"{name}"'
        for name, data_type in _columns(con, schema, table)
        if name not in COMPARED_SCHEMAS[schema] | left_out
    ]
    return ", ".join(expressions), condition


def _rows_only_in(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, left: str, right: str
) -> int:
    columns, condition = _comparable(con, schema, table)
    return con.execute(
        f"select count(*) from ("
        f"select {columns} from {left}.{schema}.{table} where {condition} except all "
        f"select {columns} from {right}.{schema}.{table} where {condition})"
    ).fetchone()[0]


def table_differences(
    incremental: Path, rebuilt: Path, schema: str = "marts"
) -> dict[str, tuple[int, int]]:
    """Table -> (rows only after base + delta, rows only in the rebuild), for the differing
    tables of `schema`."""
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
        tables = {
            database: {
                row[0]
                for row in con.execute(
                    "select table_name from duckdb_tables() "
                    "where database_name = ? and schema_name = ?",
                    [database, schema],
                ).fetchall()
            }
            for database in ("incremental", "rebuilt")
        }
        assert tables["incremental"] == tables["rebuilt"]
        assert tables["rebuilt"], f"no tables in {schema}"
        differences = {}
        for table in sorted(tables["rebuilt"] - RUN_LOG_TABLES):
            only_incremental = _rows_only_in(con, schema, table, "incremental", "rebuilt")
            only_rebuilt = _rows_only_in(con, schema, table, "rebuilt", "incremental")
            if only_incremental or only_rebuilt:
                differences[table] = (only_incremental, only_rebuilt)
    return differences


def test_the_delta_day_brought_new_records(bench_run: BenchRun):
    incremental = json.loads(bench_run.results.read_text(encoding="utf-8"))["incremental"]
    assert incremental["new_export_records"] > 0


def test_marts_after_a_daily_delta_equal_a_full_rebuild(warehouses):
    with duckdb.connect(str(warehouses[1]), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_customer").fetchone()[0] > 0
    assert table_differences(*warehouses) == {}


def _run_log(bench_run: BenchRun, run: str) -> str:
    log = bench_run.scale_root.with_name(f"{bench_run.scale_root.name}-{run}.log")
    return log.read_text(encoding="utf-8")


def test_the_first_build_rebuilt_staging_in_full(bench_run: BenchRun):
    assert f"{FULL_REFRESH_NOTE}: {NO_BASIS_REASON}" in _run_log(bench_run, "full")


def test_the_daily_run_built_staging_incrementally(bench_run: BenchRun):
    log = _run_log(bench_run, "incremental")
    assert INCREMENTAL_BUILD_NOTE in log
    assert FULL_REFRESH_NOTE not in log


def test_staging_after_a_daily_delta_equals_a_full_rebuild(warehouses):
    assert table_differences(*warehouses, schema="staging") == {}
