"""The whole pipeline on a small generated sample: exports -> raw -> staging -> marts."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.identity.accuracy import measure_identity_accuracy
from orchestration.privacy import find_clear_mobiles
from orchestration.run import RunSummary, run_daily_refresh
from orchestration.sample_data import generate
from orchestration.settings import SiyuSettings

# staging model -> how many rows it must hold, counted on the raw table it reads
STAGING_FROM_RAW = {
    "stg_wechat_mp__users": "select count(distinct openid) from raw.mp_users",
    "stg_wechat_oa__followers": "select count(distinct openid) from raw.oa_followers",
    "stg_pos__members": "select count(distinct member_id) from raw.pos_members",
    "stg_pos__orders": "select count(distinct order_no) from raw.pos_orders",
    "stg_tmall__orders": "select count(distinct order_id) from raw.tmall_orders",
    "stg_douyin__order_items": "select count(distinct trim(sub_order_id)) from raw.douyin_orders",
    "stg_wechatpay__coupons": "select count(distinct coupon_id) from raw.coupons",
    "stg_wecom__contacts": "select count(distinct (external_userid, guide_userid)) "
    "from raw.wecom_contacts",
    "stg_wecom__corp_tags": "select count(distinct tag_id) from raw.wecom_tags",
    "stg_app__events": "select count(*) from raw.app_events",
    "stg_tencent_ads__daily_reports": "select count(*) from raw.ads_tencent",
    "stg_oceanengine__daily_reports": "select count(*) from raw.ads_oceanengine",
    "stg_sms__sends": "select count(*) from raw.sms_sends",
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> tuple[SiyuSettings, Path, list[RunSummary]]:
    root = tmp_path_factory.mktemp("e2e")
    generate(root, scale=0.005, seed=7, start=date(2026, 5, 1), end=date(2026, 11, 20))
    settings = replace(
        SiyuSettings.from_env({}),
        landing_dir=root / "landing",
        warehouse_path=root / "published" / "siyu.duckdb",
        work_warehouse_path=root / "work" / "siyu_work.duckdb",
        parquet_dir=root / "parquet",
        ground_truth_dir=root / "ground_truth",
    )
    instance = dg.DagsterInstance.ephemeral()
    runs = [run_daily_refresh(settings, instance), run_daily_refresh(settings, instance)]
    return settings, root, runs


def read_db(settings: SiyuSettings) -> duckdb.DuckDBPyConnection:
    """The working warehouse: raw, staging, intermediate and marts."""
    return duckdb.connect(str(settings.work_warehouse_path), read_only=True)


def test_the_job_succeeds_with_every_check_passing(pipeline):
    _, _, (first, second) = pipeline
    for summary in (first, second):
        assert summary.success, summary.failures
        assert summary.checks_failed == []
    assert first.models_built > 30
    assert first.checks_passed > 200


def test_every_exported_record_is_loaded_or_quarantined_where_the_faults_are(pipeline):
    settings, root, (first, _) = pipeline
    manifest = json.loads((root / "ground_truth" / "manifest.json").read_text())
    with (root / "ground_truth" / "faults.csv").open(encoding="utf-8") as handle:
        faults = list(csv.DictReader(handle))
    faulty_records = Counter(f["source"] for f in faults if f["row_number"])
    with read_db(settings) as con:
        quarantined = set(
            con.execute("select source, file_name, row_number from raw.quarantine").fetchall()
        )
        for source, exported in manifest["rows_per_source"].items():
            loaded = con.execute(f"select count(*) from raw.{source}").fetchone()[0]
            assert loaded == exported - faulty_records[source], source
            assert first.sources[source]["rows_loaded"] == loaded
    planted = {
        (f["source"], f["file"], int(f["row_number"]) if f["row_number"] else None) for f in faults
    }
    assert quarantined == planted


def test_staging_keeps_one_row_per_natural_key_of_raw(pipeline):
    settings, _, _ = pipeline
    with read_db(settings) as con:
        for model, raw_count in STAGING_FROM_RAW.items():
            staged = con.execute(f"select count(*) from staging.{model}").fetchone()[0]
            assert staged == con.execute(raw_count).fetchone()[0], model
            assert staged > 0, model


def test_a_second_run_on_the_same_files_loads_nothing_and_changes_nothing(pipeline):
    settings, _, (first, second) = pipeline
    assert sum(counts["rows_loaded"] for counts in second.sources.values()) == 0
    assert {s: c["files_skipped"] for s, c in second.sources.items()} == {
        s: c["files_loaded"] for s, c in first.sources.items()
    }
    with read_db(settings) as con:
        assert con.execute("select count(*) from raw.loaded_files").fetchone()[0] == sum(
            c["files_loaded"] for c in first.sources.values()
        )


def test_no_modelled_table_holds_a_raw_mobile_number(pipeline):
    settings, _, _ = pipeline
    with read_db(settings) as con:
        assert find_clear_mobiles(con, ["staging", "intermediate", "marts"]) == []


def test_identity_has_no_false_merges_against_ground_truth(pipeline):
    settings, root, (first, _) = pipeline
    with duckdb.connect(str(settings.work_warehouse_path)) as con:
        accuracy = measure_identity_accuracy(
            con, root / "ground_truth" / "identities.csv", settings.hash_salt
        )
    assert accuracy.identifiers_compared > 1_000
    assert accuracy.precision == 1.0
    assert accuracy.recall > 0.5
    assert any("precision 1.0000" in line for line in first.mart_lines)


def test_gmv_reconciles_with_the_staged_orders_of_resolved_customers(pipeline):
    settings, _, _ = pipeline
    with read_db(settings) as con:
        gmv, orders = con.execute(
            "select (select sum(gmv) from marts.dim_customer), "
            "(select sum(net_amount) from marts.fct_orders where customer_id is not null)"
        ).fetchone()
    assert gmv == orders
    assert gmv > 0


def test_the_published_warehouse_holds_the_marts_and_nothing_else(pipeline):
    settings, root, (first, second) = pipeline
    assert first.published and second.published
    assert first.published["publish_id"] != second.published["publish_id"]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as published:
        schemas = {
            row[0]
            for row in published.execute(
                "select distinct table_schema from information_schema.tables"
            ).fetchall()
        }
        customers = published.execute("select count(*) from marts.dim_customer").fetchone()[0]
    assert schemas == {"marts", "meta"}
    with read_db(settings) as con:
        assert customers == con.execute("select count(*) from marts.dim_customer").fetchone()[0]
    assert (root / "parquet" / "current.json").exists()
