"""The generic dbt test not_null_columns (dbt_project/tests/generic/): one node per model that
fails for each listed column holding a null, and names it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.dbt_runner import WAREHOUSE_LINK, run_dbt

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

SELECT_SMS_NOT_NULL = ["test", "--select", "stg_sms__sends,test_name:not_null_columns"]


def test_passes_on_the_staged_quirks(quirk_warehouse, tmp_path):
    output = run_dbt(SELECT_SMS_NOT_NULL, quirk_warehouse, tmp_path / "target")
    assert "PASS not_null_columns_stg_sms__sends" in output


def test_fails_naming_each_column_with_nulls(quirk_warehouse, tmp_path):
    warehouse = tmp_path / "nulls.duckdb"
    shutil.copy(quirk_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute("select count(*) from staging.stg_sms__sends").fetchone()[0]
        assert rows >= 2
        con.execute(
            "update staging.stg_sms__sends set sent_at = null "
            "where sms_send_id = (select min(sms_send_id) from staging.stg_sms__sends)"
        )
        con.execute("update staging.stg_sms__sends set send_status = null")
    with pytest.raises(AssertionError) as failure:
        run_dbt(SELECT_SMS_NOT_NULL, warehouse, tmp_path / "target")
    assert "Got 2 results" in str(failure.value)  # two columns with nulls, one row each
    # the compiled SQL names the database as dbt saw it: its link's name
    with duckdb.connect(str(tmp_path / WAREHOUSE_LINK)) as con:
        failing = con.execute(
            "select * from (" + compiled_test_sql(tmp_path / "target") + ") order by column_name"
        ).fetchall()
    assert failing == [("send_status", rows), ("sent_at", 1)]


def compiled_test_sql(target: Path) -> str:
    compiled = list((target / "compiled").rglob("not_null_columns_stg_sms__send*.sql"))
    assert len(compiled) == 1, compiled
    return compiled[0].read_text(encoding="utf-8")
