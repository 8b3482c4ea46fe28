"""The Spark leg: the committed sample built on DuckDB and on one local Spark session.

Spark runs inside this pytest process: dbt is invoked in-process (dbtRunner), so dbt-spark's
session method creates the Spark session once (the JVM starts once) and every later dbt call and
every test reuses it. DuckDB builds run as everywhere else in the tests (tests/dbt_runner.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from siyu import spark
from siyu.settings import DEFAULT_LANDING_DIR, environment_set
from tests.conftest import TEST_HASH_KEY, ingest_landing
from tests.dbt_runner import project_args, refuse_unmarked_build, run_dbt


def invoke_dbt(args: list[str], env: dict[str, str], target_path: Path):
    """dbt in this process (dbtRunner) with `env` set for the call; raises unless it succeeds."""
    from dbt.cli.main import dbtRunner

    refuse_unmarked_build(f"dbt {args[0]} in this process")
    with environment_set(env):
        result = dbtRunner().invoke(
            [*args, *project_args(target_path), "--log-path", str(target_path), "--quiet"]
        )
    if not result.success:
        failures = [
            f"{node.node.name}: {node.message}"
            for node in getattr(result.result, "results", None) or []
            if getattr(node, "status", None) not in ("success", "pass")
        ]
        raise AssertionError(
            f"dbt {args[0]} failed: {result.exception}\n" + "\n".join(failures[:20])
        )
    return result


def show_rows(sql: str, env: dict[str, str], target_path: Path) -> list[tuple]:
    """The rows of an inline query compiled by dbt (macros rendered) on the target env selects."""
    result = invoke_dbt(["show", "--inline", sql, "--limit", "1000"], env, target_path)
    return [tuple(row) for row in result.result.results[0].agate_table.rows]


@dataclass(frozen=True)
class SparkDbt:
    """dbt on the spark target, in this process, against one Spark directory."""

    spark_dir: Path
    target_path: Path

    @property
    def env(self) -> dict[str, str]:
        """The spark target, its folder, and the hash key's blocks (as siyu's dbt step passes
        them: the Spark profile reads them into the session's conf)."""
        return {
            "SIYU_TARGET": "spark",
            **spark.spark_env(self.spark_dir),
            **TEST_HASH_KEY.blocks().dbt_environment(),
        }

    def run(self, args: list[str]) -> None:
        invoke_dbt(args, self.env, self.target_path)

    def show(self, sql: str) -> list[tuple]:
        return show_rows(sql, self.env, self.target_path)

    @staticmethod
    def session():
        """The Spark session dbt-spark created (process-wide; call after a first dbt command)."""
        from pyspark.sql import SparkSession

        return SparkSession.builder.getOrCreate()

    def sql(self, query: str) -> list[tuple]:
        """Rows of a query on the shared Spark session."""
        return [tuple(row) for row in self.session().sql(query).collect()]


@dataclass(frozen=True)
class SampleBuilds:
    duckdb_warehouse: Path  # built by dbt on DuckDB
    spark_warehouse: Path  # raw from the same ingestion, the rest built on Spark and copied back
    duckdb_seconds: float
    spark_seconds: float


@pytest.fixture(scope="session")
def spark_dbt(tmp_path_factory) -> SparkDbt:
    if spark.java_home() is None:
        pytest.fail(spark.JAVA_MISSING)
    root = tmp_path_factory.mktemp("spark")
    return SparkDbt(spark_dir=root / "spark", target_path=root / "target")


# A second, later build of the tag models on each engine, after the full build: tags such as
# days_since_last_order change, so the tag history log (int_customer_tags__recorded) runs its
# incremental path (an append that reads the table it appends to) on both engines. The tags area
# and the RFM scores it reads are rebuilt; other marts keep the first build's as_of.
LATER_AS_OF = "2026-11-27 12:00:00"
LATER_TAG_BUILD = [
    "run",
    "--select",
    "int_customer__rfm_scored",
    "path:models/intermediate/tags+",
    "--vars",
    f"{{siyu_as_of: '{LATER_AS_OF}'}}",
]


@pytest.fixture(scope="session")
def sample_builds(spark_dbt, tmp_path_factory) -> Iterator[SampleBuilds]:
    """The committed sample ingested once, then built by dbt on each engine (and the tag models
    built once more, LATER_AS_OF)."""
    import time

    root = tmp_path_factory.mktemp("engines")
    raw_only = root / "ingested.duckdb"
    ingest_landing(raw_only, DEFAULT_LANDING_DIR)
    duckdb_warehouse, spark_warehouse = root / "duckdb.duckdb", root / "spark.duckdb"
    shutil.copy(raw_only, duckdb_warehouse)
    shutil.copy(raw_only, spark_warehouse)

    started = time.perf_counter()
    run_dbt(["build", "--exclude", "resource_type:test"], duckdb_warehouse, root / "target")
    duckdb_seconds = time.perf_counter() - started
    run_dbt(LATER_TAG_BUILD, duckdb_warehouse, root / "target")

    started = time.perf_counter()
    with duckdb.connect(str(spark_warehouse)) as con:
        spark.export_raw_tables(con, spark_dbt.spark_dir / "raw")
    spark_dbt.run(["build", "--exclude", "resource_type:test"])
    spark_seconds = time.perf_counter() - started
    spark_dbt.run(LATER_TAG_BUILD)
    with duckdb.connect(str(spark_warehouse)) as con:
        spark.import_spark_tables(con, spark_dbt.spark_dir)
    yield SampleBuilds(duckdb_warehouse, spark_warehouse, duckdb_seconds, spark_seconds)
