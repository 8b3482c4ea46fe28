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
* `customer_tags.computed_at` is since when a tag is carried: the build that first computed it.
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
from tests.warehouse_diff import SINCE_WHEN_LEFT_OUT, Comparison, table_differences

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

# the comparison per schema: what records runs rather than data is left out
RUN_LOG_TABLES = frozenset({"identity_customer_id_changes"})
LINEAGE_COLUMNS = frozenset({"source_file", "source_row_number", "source_loaded_at"})
MARTS = Comparison(
    "marts",
    columns_left_out=frozenset({"recorded_at_utc"}),
    tables_left_out=RUN_LOG_TABLES,
    # history tables compared on their current state
    row_filters={
        "customer_tag_history": ("is_current", {"tag_history_id", "valid_from", "valid_to"}),
        **SINCE_WHEN_LEFT_OUT,
    },
)
STAGING = Comparison("staging", columns_left_out=LINEAGE_COLUMNS)


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


def test_the_delta_day_brought_new_records(bench_run: BenchRun):
    incremental = json.loads(bench_run.results.read_text(encoding="utf-8"))["incremental"]
    assert incremental["new_export_records"] > 0


def test_marts_after_a_daily_delta_equal_a_full_rebuild(warehouses):
    with duckdb.connect(str(warehouses[1]), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_customer").fetchone()[0] > 0
    assert table_differences(*warehouses, MARTS) == {}


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
    assert table_differences(*warehouses, STAGING) == {}
