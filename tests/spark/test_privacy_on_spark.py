"""On Spark too: the hash key is written to no file, and an erased customer leaves Spark's own
tables (the tag history log is a Parquet table that cannot delete rows: it is rewritten)."""

from __future__ import annotations

import duckdb
import pytest

from siyu import spark
from siyu.erasure.requests import ERASED_CUSTOMERS_TABLE
from tests.conftest import TEST_HASH_KEY
from tests.privacy.scan import find_values
from tests.privacy.test_no_trace_on_disk import key_needles

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

TAG_LOG = "snapshots.int_customer_tags__recorded"


def test_no_file_under_the_spark_folder_or_dbt_target_holds_the_key(spark_dbt, sample_builds):
    assert sample_builds.spark_seconds > 0  # the sample was built on Spark, phones hashed
    folders = [spark_dbt.spark_dir, spark_dbt.target_path]
    assert find_values(folders, key_needles(TEST_HASH_KEY)) == []


def test_an_erased_customer_leaves_sparks_tag_history_log(spark_dbt, sample_builds):
    customers = [
        row[0]
        for row in spark_dbt.sql(
            f"select customer_id from {TAG_LOG} group by customer_id order by count(*) desc limit 2"
        )
    ]
    erased, kept = customers
    kept_rows = spark_dbt.sql(f"select count(*) from {TAG_LOG} where customer_id = '{kept}'")
    with duckdb.connect(str(sample_builds.spark_warehouse)) as con:
        spark.export_raw_tables(con, spark_dbt.spark_dir / "raw")  # creates the erasure tables
        con.execute(
            f"insert into {ERASED_CUSTOMERS_TABLE} (customer_id_hash, requested_by_file) "
            "values (?, 'request_001.csv')",
            [TEST_HASH_KEY.hexdigest(erased)],
        )
        spark.export_raw_tables(con, spark_dbt.spark_dir / "raw")
    spark_dbt.run(["run-operation", "erase_history_of_erased_customers"])
    count = f"select count(*) from {TAG_LOG} where customer_id = "
    assert spark_dbt.sql(f"{count}'{erased}'") == [(0,)]
    assert spark_dbt.sql(f"{count}'{kept}'") == kept_rows != [(0,)]
    table_folder = spark_dbt.spark_dir / "warehouse" / "snapshots.db" / TAG_LOG.split(".")[1]
    assert list(table_folder.glob("*.parquet"))
    assert find_values([table_folder], {"customer": erased.encode()}) == []
