"""The mart suites (expectations/marts/): their files, and their Dagster checks blocking publishing.

That the suites pass on a real build, and fail on wrong marts, is tested on the end-to-end build
(tests/test_end_to_end.py), which has the marts; so is that the dbt tests, which own the mart keys
and reconciliations, fail on them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.quality.checks import (
    CHECK_NAME,
    build_mart_checks,
    mart_check_name,
    mart_suites,
    run_suites_in_threads,
)
from orchestration.resources import WarehouseResource
from siyu.quality.runner import build_expectation_suite
from siyu.quality.suites import MART_SUITES_DIR, load_suite, suite_paths
from siyu.settings import REPO_ROOT, SiyuSettings

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

MART_MODELS = {
    path.stem for path in (REPO_ROOT / "dbt_project" / "models" / "marts").rglob("*.sql")
}


def test_every_suite_checks_a_mart():
    """A mart needs no suite (its keys and rules are dbt tests), but a suite needs its mart."""
    checked = {load_suite(path).source for path in suite_paths(MART_SUITES_DIR)}
    assert checked <= MART_MODELS


@pytest.mark.parametrize("path", suite_paths(MART_SUITES_DIR), ids=lambda path: path.stem)
def test_each_suite_builds_in_great_expectations(path):
    suite = load_suite(path)
    assert suite.schema == "marts"
    assert len(build_expectation_suite(suite).expectations) == len(suite.expectations)
    assert suite.key_columns, "a mart suite names the key that locates a failing row"


def test_mart_check_names_follow_the_file_name(tmp_path):
    assert mart_check_name(Path("dim_customer.json"), "dim_customer") == CHECK_NAME
    assert (
        mart_check_name(Path("fct_campaign_roi__horizons.json"), "fct_campaign_roi")
        == "expectations__horizons"
    )
    with pytest.raises(ValueError, match="must be named"):
        mart_check_name(Path("campaign_roi_extra.json"), "fct_campaign_roi")


def test_a_suite_on_a_table_that_is_not_a_mart_is_refused(tmp_path):
    suite = {
        "name": "x",
        "meta": {"siyu": {"table": "marts.not_a_model", "key_columns": ["id"]}},
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}}
        ],
    }
    (tmp_path / "not_a_model.json").write_text(json.dumps(suite), encoding="utf-8")
    with pytest.raises(ValueError, match="not a dbt model"):
        build_mart_checks([dg.AssetKey(["marts", "dim_customer"])], suites_dir=tmp_path)


# --- the blocking check in a Dagster run: a failed suite stops what is downstream (publishing) ---

CUSTOMER_SUITE = {
    "name": "marts.dim_customer",
    "meta": {"siyu": {"table": "marts.dim_customer", "key_columns": ["customer_id"]}},
    "expectations": [
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "customer_id", "regex": "^C[0-9]+$"},
        },
    ],
}


def run_with_mart(tmp_path: Path, customer_ids: list[str]) -> dg.ExecuteInProcessResult:
    suites = tmp_path / "suites"
    suites.mkdir(exist_ok=True)
    (suites / "dim_customer.json").write_text(json.dumps(CUSTOMER_SUITE), encoding="utf-8")
    settings = SiyuSettings.from_env(
        {
            "SIYU_WAREHOUSE": str(tmp_path / "published.duckdb"),
            "SIYU_WORK_WAREHOUSE": str(tmp_path / "work.duckdb"),
            "SIYU_PARQUET_DIR": "off",
        }
    )
    mart_key = dg.AssetKey(["marts", "dim_customer"])

    @dg.asset(key=mart_key)
    def dim_customer(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create schema if not exists marts")
            con.execute("create or replace table marts.dim_customer (customer_id varchar)")
            con.executemany(
                "insert into marts.dim_customer values (?)", [[c] for c in customer_ids]
            )

    @dg.asset(deps=[mart_key])
    def published(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create or replace table marts.published_marker as select 1 as published")

    checks = build_mart_checks([mart_key], suites_dir=suites, blocking=True)
    return dg.materialize(
        [dim_customer, published, *checks],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        raise_on_error=False,
    )


def test_a_failed_critical_expectation_fails_the_check_and_blocks_publishing(tmp_path):
    result = run_with_mart(tmp_path, ["C1", "C2", "X2"])

    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    failing = evaluation.metadata["failing_examples"].value
    assert failing[0]["expectation"].startswith("expect_column_values_to_match_regex")
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey("published") not in materialized
    with duckdb.connect(str(tmp_path / "work.duckdb"), read_only=True) as con:
        tables = {
            row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()
        }
    assert "published_marker" not in tables


def test_a_clean_mart_passes_the_check_and_publishing_goes_on(tmp_path):
    result = run_with_mart(tmp_path, ["C1", "C2", "C3"])

    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed
    assert evaluation.metadata["rows"].value == 3
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey("published") in materialized


# --- several suites in one step, side by side ---

ORDER_SUITE = {
    "name": "marts.fct_orders",
    "meta": {"siyu": {"table": "marts.fct_orders", "key_columns": ["order_key"]}},
    "expectations": [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "net_amount", "min_value": 0},
        },
    ],
}
ORDER_TOTALS_SUITE = {
    "name": "marts.fct_orders__totals",
    "meta": {
        "siyu": {
            "table": "marts.fct_orders",
            "key_columns": ["order_key"],
            "derived_columns": {"is_paid": "case when net_amount > 0 then 1 else 0 end"},
        }
    },
    "expectations": [
        {
            "type": "expect_column_mean_to_be_between",
            "kwargs": {"column": "is_paid", "min_value": 0.9},
        },
    ],
}
MART_KEYS = [dg.AssetKey(["marts", "dim_customer"]), dg.AssetKey(["marts", "fct_orders"])]


def two_marts_warehouse(tmp_path: Path, customer_ids: list[str]) -> WarehouseResource:
    """dim_customer with `customer_ids`; fct_orders with a negative amount and half not paid."""
    settings = SiyuSettings.from_env(
        {
            "SIYU_WAREHOUSE": str(tmp_path / "published.duckdb"),
            "SIYU_WORK_WAREHOUSE": str(tmp_path / "work.duckdb"),
            "SIYU_PARQUET_DIR": "off",
        }
    )
    warehouse = WarehouseResource.from_settings(settings)
    with warehouse.connect() as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_customer (customer_id varchar)")
        con.executemany("insert into marts.dim_customer values (?)", [[c] for c in customer_ids])
        con.execute(
            "create table marts.fct_orders as select * from (values "
            "('O1', 10.0), ('O2', 0.0), ('O2', -5.0), ('O3', 7.5)) as t(order_key, net_amount)"
        )
    return warehouse


def write_suites(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for name, suite in {
        "dim_customer": CUSTOMER_SUITE,
        "fct_orders": ORDER_SUITE,
        "fct_orders__totals": ORDER_TOTALS_SUITE,
    }.items():
        (folder / f"{name}.json").write_text(json.dumps(suite), encoding="utf-8")
    return folder


def outcomes_of(runs) -> dict[str, list[tuple]]:
    return {
        str(suite.check_key): [
            (o.index, o.success, o.unexpected_count, repr(o.observed_value))
            for o in run.result.outcomes
        ]
        for suite, run in runs
    }


def test_suites_side_by_side_give_what_they_give_one_after_the_other(tmp_path):
    warehouse = two_marts_warehouse(tmp_path, ["C1", "C2", "X2"])
    suites = mart_suites(MART_KEYS, write_suites(tmp_path / "suites"))

    one_by_one = outcomes_of(run_suites_in_threads(warehouse, suites, workers=1))
    side_by_side = outcomes_of(run_suites_in_threads(warehouse, suites, workers=3))

    assert side_by_side == one_by_one
    assert len(one_by_one) == 3
    failed = {key for key, outcomes in one_by_one.items() if not all(o[1] for o in outcomes)}
    assert failed == set(one_by_one)  # every suite has a failure to agree on


def test_one_step_reports_each_suite_on_its_mart_and_a_failure_blocks_publishing(tmp_path):
    warehouse = two_marts_warehouse(tmp_path, ["C1", "C2"])  # dim_customer is clean
    checks = build_mart_checks(MART_KEYS, suites_dir=write_suites(tmp_path / "suites"))

    @dg.multi_asset(specs=[dg.AssetSpec(key) for key in MART_KEYS])
    def marts() -> Iterator[dg.MaterializeResult]:
        for key in MART_KEYS:
            yield dg.MaterializeResult(asset_key=key)

    @dg.asset(deps=MART_KEYS)
    def published() -> None:
        return None

    result = dg.materialize(
        [marts, published, *checks], resources={"warehouse": warehouse}, raise_on_error=False
    )

    evaluations = {(e.asset_key, e.check_name): e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {
        (MART_KEYS[0], CHECK_NAME),
        (MART_KEYS[1], CHECK_NAME),
        (MART_KEYS[1], f"{CHECK_NAME}__totals"),
    }
    assert evaluations[(MART_KEYS[0], CHECK_NAME)].passed
    assert not evaluations[(MART_KEYS[1], CHECK_NAME)].passed
    assert evaluations[(MART_KEYS[1], CHECK_NAME)].severity == dg.AssetCheckSeverity.ERROR
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey("published") not in materialized


def test_a_run_that_selects_one_suite_runs_only_that_one(tmp_path):
    warehouse = two_marts_warehouse(tmp_path, ["C1", "C2"])
    checks = build_mart_checks(MART_KEYS, suites_dir=write_suites(tmp_path / "suites"))
    only = dg.AssetCheckKey(MART_KEYS[0], CHECK_NAME)

    @dg.multi_asset(specs=[dg.AssetSpec(key) for key in MART_KEYS])
    def marts() -> Iterator[dg.MaterializeResult]:
        for key in MART_KEYS:
            yield dg.MaterializeResult(asset_key=key)

    result = dg.materialize(
        [marts, *checks],
        resources={"warehouse": warehouse},
        selection=dg.AssetSelection.assets(*MART_KEYS).without_checks()
        | dg.AssetSelection.checks(only),
    )

    assert [(e.asset_key, e.check_name) for e in result.get_asset_check_evaluations()] == [
        (only.asset_key, only.name)
    ]
