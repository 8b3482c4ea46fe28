"""The whole pipeline on a small generated sample: exports -> raw -> staging -> marts."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.run import RunSummary, format_summary, run_daily_refresh, why_not_published
from siyu.dbt.build_inputs import recorded_build
from siyu.identity.accuracy import measure_identity_accuracy
from siyu.privacy import find_clear_mobiles
from siyu.publish.record import current_publish
from siyu.quality.runner import run_suite
from siyu.quality.suites import MART_SUITES_DIR, load_suite, suite_paths
from siyu.settings import SiyuSettings
from tests.conftest import TEST_HASH_KEY
from tests.dbt_runner import run_dbt
from tests.landing import LandingBuilder
from tests.quality.conftest import mutated
from tests.tags.project import copy_project

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

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
    landing = LandingBuilder.generated(
        root, scale=0.005, seed=7, start=date(2026, 5, 1), end=date(2026, 11, 20)
    )
    settings = replace(
        SiyuSettings.from_env({}),
        landing_dir=landing.path,
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
        assert summary.checks_warned == []
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


def test_a_second_run_with_nothing_new_skips_the_build_and_keeps_the_published_version(
    pipeline,
):
    settings, _, (first, second) = pipeline
    assert not first.build_skipped and first.models_built > 30
    assert second.build_skipped and second.success and not second.failures
    assert second.models_built == 0 and not second.published
    # the mart checks, the audit and publishing did not run; the raw suites did
    assert second.suites and all(name.startswith("raw/") for name in second.suites)
    published = current_publish(settings.work_warehouse_path, settings.warehouse_path)
    assert published.publish_id == first.published["publish_id"]
    with read_db(settings) as con:
        built_from = recorded_build(con)
    assert built_from is not None
    assert published.inputs_fingerprint == built_from
    assert "unchanged:" in format_summary(second, settings)


def test_no_modelled_table_holds_a_raw_mobile_number(pipeline):
    settings, _, _ = pipeline
    with read_db(settings) as con:
        assert find_clear_mobiles(con, ["staging", "intermediate", "marts"]) == []


def test_identity_has_no_false_merges_against_ground_truth(pipeline):
    settings, root, (first, _) = pipeline
    with duckdb.connect(str(settings.work_warehouse_path)) as con:
        accuracy = measure_identity_accuracy(
            con, root / "ground_truth" / "identities.csv", TEST_HASH_KEY
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


def jd_orders_in_the_exports(landing: Path) -> dict[str, tuple[bool, bool, float]]:
    """Every JD order of the generated exports, read with Python's csv: paid, cancelled and its
    结算金额, taken once per 订单号 (a row whose order amount is junk is quarantined, the other
    rows of its order still carry the amount)."""
    orders: dict[str, tuple[bool, bool, float]] = {}
    for path in sorted((landing / "jd_orders").glob("*.csv")):
        with path.open(encoding="gb18030", newline="") as handle:
            for row in csv.DictReader(handle):
                status = row["订单状态"].removeprefix("(删除)")
                orders.setdefault(
                    row["订单号"],
                    (
                        bool(row["付款确认时间"]),
                        status in ("取消", "已取消"),
                        float(row["结算金额"]),
                    ),
                )
    return orders


def test_every_jd_order_counts_once_in_orders_channel_gmv_and_roi_revenue(pipeline):
    settings, root, _ = pipeline
    orders = jd_orders_in_the_exports(root / "landing")
    paid = {order: amount for order, (is_paid, _, amount) in orders.items() if is_paid}
    kept = {
        order: amount
        for order, (is_paid, cancelled, amount) in orders.items()
        if is_paid and not cancelled
    }
    assert len(orders) > 20 and paid
    with read_db(settings) as con:
        count, distinct, gross, net, resolved = con.execute(
            "select count(*), count(distinct order_id), sum(gross_amount), sum(net_amount), "
            "count(customer_id) from marts.fct_orders where channel = 'jd'"
        ).fetchone()
        revenue = con.execute(
            "select sum(amount) from intermediate.int_revenue_events__unioned "
            "where order_key like 'jd:%'"
        ).fetchone()[0]
        jd_gmv_in_dim_customer = con.execute(
            "select sum(gmv) from marts.dim_customer where customer_id in "
            "(select customer_id from marts.fct_orders where channel = 'jd')"
        ).fetchone()[0]
    assert count == distinct == len(orders)
    assert float(gross) == pytest.approx(sum(paid.values()))
    assert float(net) == pytest.approx(sum(kept.values()))
    assert float(revenue) == pytest.approx(sum(kept.values()))
    # every JD order reaches a customer: its buyer key, a customer of its own until
    # probabilistic linking, whose GMV is those orders
    assert resolved == count
    assert float(jd_gmv_in_dim_customer) == pytest.approx(float(net))


def test_the_published_warehouse_holds_the_marts_and_nothing_else(pipeline):
    settings, root, (first, _) = pipeline
    assert first.published
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


# --- the mart suites (expectations/marts/) on the real build, and on marts made wrong ---

MART_FAULTS = {
    # case: (suite file, statements that break the mart, the expectation that must fail)
    "negative order amount": (
        "fct_orders",
        [
            "update marts.fct_orders set net_amount = -5, gross_amount = -5, refund_amount = 0 "
            "where order_key = (select min(order_key) from marts.fct_orders)"
        ],
        "expect_column_values_to_be_between(net_amount)",
    ),
    "retention above 100%": (
        "rpt_cohort_retention",
        [
            "update marts.rpt_cohort_retention set retention_rate = 1.5 "
            "where months_since_first_order = 1"
        ],
        "expect_column_values_to_be_between(retention_rate)",
    ),
}


@pytest.fixture(scope="module")
def marts_copy(pipeline, tmp_path_factory) -> Path:
    """A copy of the working warehouse that the fault cases change (each in a rolled-back txn)."""
    settings, _, _ = pipeline
    copy = tmp_path_factory.mktemp("marts") / "work.duckdb"
    shutil.copy(settings.work_warehouse_path, copy)
    return copy


def test_every_mart_suite_ran_as_a_passing_check_in_the_job(pipeline):
    settings, _, (first, _) = pipeline
    mart_suites = {
        name: passed for name, passed in first.suites.items() if name.startswith("marts/")
    }
    assert len(mart_suites) == len(suite_paths(MART_SUITES_DIR))
    assert all(mart_suites.values())
    count = len(mart_suites)
    assert f"marts {count}/{count} passed" in format_summary(first, settings)


# --- the dbt tests own the mart keys, rules and the contract's reconciliations: marts made wrong
# fail them (a failing dbt test fails the build, so nothing is published) ---

DBT_FAULTS = {
    # case: (statement that breaks a mart, the dbt test that must fail)
    "duplicate customer": (
        "insert into marts.dim_customer select * from marts.dim_customer "
        "where customer_id = (select min(customer_id) from marts.dim_customer)",
        "primary_key_dim_customer_customer_id",
    ),
    "null order key": (
        "update marts.fct_orders set order_key = null "
        "where order_key = (select min(order_key) from marts.fct_orders)",
        "primary_key_fct_orders_order_key",
    ),
    "gmv off by one yuan": (
        "update marts.dim_customer set gmv = gmv + 1 "
        "where customer_id = (select max(customer_id) from marts.dim_customer)",
        "gmv_reconciles_with_orders_dim_customer_ref_fct_orders_",
    ),
    "an order credited twice": (
        "update marts.fct_order_attribution set attributed_revenue = attributed_revenue * 2 "
        "where order_key = (select min(order_key) from marts.fct_order_attribution)",
        "attributed_revenue_reconciles_fct_order_attribution_ref_attribution_models_",
    ),
    "roi falls while revenue grows": (
        "update marts.fct_campaign_roi set revenue_d30 = revenue_d7 + 100, roi_d30 = roi_d7 - 1 "
        "where spend > 0 and revenue_d30 is not null",
        "roi_follows_revenue_fct_campaign_roi_",
    ),
    "a tag on a customer who does not exist": (
        "update marts.customer_tags set customer_id = 'C-NOBODY' "
        "where tag_key = (select min(tag_key) from marts.customer_tags)",
        "relationships_customer_tags_customer_id__customer_id__ref_dim_customer_",
    ),
}


def test_wrong_marts_fail_the_dbt_tests_that_own_their_keys_rules_and_reconciliations(
    marts_copy, tmp_path
):
    """Every fault at once in one copy, one `dbt test` of the marts: each names its test."""
    broken = tmp_path / "broken.duckdb"
    shutil.copy(marts_copy, broken)
    with duckdb.connect(str(broken)) as con:
        for statement, _ in DBT_FAULTS.values():
            con.execute(statement)
    with pytest.raises(AssertionError) as failed:
        run_dbt(["test", "--select", "path:models/marts"], broken, tmp_path / "target")
    failing = set(re.findall(r"Failure in test (\w+)", str(failed.value)))
    missing = {case: test for case, (_, test) in DBT_FAULTS.items() if test not in failing}
    assert missing == {}, sorted(failing)


def test_a_failing_dbt_test_fails_the_build_and_the_published_version_stays(
    pipeline, tmp_path, monkeypatch
):
    """The dbt tests own the mart keys and reconciliations, so one failing (severity error) must
    stop the run before publishing: a copy of the deployment built from a copy of the project
    with one more singular test, which finds a row in every build."""
    settings, _, _ = pipeline
    project = copy_project(tmp_path / "dbt_project")
    (project / "tests" / "a_mart_always_wrong.sql").write_text(
        "select customer_id from {{ ref('dim_customer') }} limit 1\n", encoding="utf-8"
    )
    deployment = replace(
        settings,
        warehouse_path=tmp_path / "published" / settings.warehouse_path.name,
        work_warehouse_path=tmp_path / "work" / settings.work_warehouse_path.name,
        parquet_dir=None,
        ground_truth_dir=None,
    )
    shutil.copytree(settings.warehouse_path.parent, deployment.warehouse_path.parent)
    shutil.copytree(settings.work_warehouse_path.parent, deployment.work_warehouse_path.parent)
    published_before = deployment.warehouse_path.read_bytes()
    monkeypatch.setattr("orchestration.dbt.project.DBT_PROJECT_DIR", project)

    summary = run_daily_refresh(deployment, dg.DagsterInstance.ephemeral())

    assert not summary.success and not summary.published
    assert not summary.build_skipped  # the project changed: the build ran, and failed
    assert "siyu_dbt_models" in why_not_published(summary), why_not_published(summary)
    assert summary.checks_failed == ["marts/dim_customer:a_mart_always_wrong"]
    assert deployment.warehouse_path.read_bytes() == published_before


@pytest.mark.parametrize("case", sorted(MART_FAULTS))
def test_a_wrong_mart_fails_its_suite_on_the_named_expectation(marts_copy, case):
    suite_name, statements, expected = MART_FAULTS[case]
    suite = load_suite(MART_SUITES_DIR / f"{suite_name}.json")
    with duckdb.connect(str(marts_copy)) as con:
        clean = run_suite(con, suite)
        with mutated(con, *statements):
            broken = run_suite(con, suite)
    assert clean.failures() == []
    failed = {outcome.label: outcome for outcome in broken.blocking_failures}
    assert expected in failed, sorted(failed)
    assert failed[expected].unexpected_rows or failed[expected].unexpected_count is not None
