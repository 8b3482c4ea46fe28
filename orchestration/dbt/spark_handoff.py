"""The dbt step on the spark target: the raw layer goes to Spark as Parquet before dbt builds,
the tables dbt built there come back into the working warehouse after, and the history of erased
customers that Spark's snapshots kept is erased from them (on DuckDB the erasure step does that
before dbt runs). See siyu/spark.py."""

from __future__ import annotations

from dagster import DagsterLogManager

from orchestration.resources import WarehouseResource
from siyu import spark
from siyu.erasure.requests import erase_history
from siyu.hash_key import HashKey


def hand_raw_layer_to_spark(warehouse: WarehouseResource, log: DagsterLogManager) -> None:
    """Every raw table as Parquet in the Spark folder (Java is checked first)."""
    spark.require_java()
    with warehouse.connect() as con:
        rows = spark.export_raw_tables(con, warehouse.spark_folder / "raw")
    log.info(f"raw layer handed to Spark: {sum(rows.values())} rows, {warehouse.spark_folder}")


def copy_spark_tables_back(warehouse: WarehouseResource, log: DagsterLogManager) -> None:
    with warehouse.connect() as con:
        tables = spark.import_spark_tables(con, warehouse.spark_folder)
    log.info(f"{len(tables)} tables built on Spark copied into the warehouse")


def erase_history_spark_kept(
    warehouse: WarehouseResource, hash_key: HashKey, log: DagsterLogManager
) -> None:
    """As on DuckDB: the history rows of erased customers leave the tables copied back."""
    with warehouse.connect() as con:
        erased = erase_history(con, hash_key)
    log.info(f"{sum(erased.values())} history row(s) of erased customers left out")
