"""The Dagster asset checks: ingest a landing folder, run the suite, read the check evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from orchestration.ingestion.assets import build_ingestion_assets
from orchestration.quality.checks import (
    CHECK_NAME,
    RAW_CHECKS_STEP,
    build_raw_source_checks,
    check_result,
    run_new_deliveries,
)
from orchestration.resources import WarehouseResource
from siyu.ingestion.specs import load_source_specs
from siyu.quality.results import ExpectationOutcome, SuiteResult
from siyu.quality.suites import RAW_SUITES_DIR
from siyu.settings import SiyuSettings
from tests.landing import LandingBuilder
from tests.quality.clean_landing import (
    TENCENT_PAGES,
    write_ads_tencent,
    write_mp_users,
    write_wechatpay_bills,
)

SPECS = load_source_specs()


def warehouse_resource(landing: Path, root: Path) -> WarehouseResource:
    """A warehouse in `root` (working and published file) reading exports from `landing`."""
    settings = SiyuSettings.from_env(
        {
            "SIYU_LANDING_DIR": str(landing),
            "SIYU_WAREHOUSE": str(root / "published.duckdb"),
            "SIYU_WORK_WAREHOUSE": str(root / "work.duckdb"),
            "SIYU_PARQUET_DIR": "off",
        }
    )
    return WarehouseResource.from_settings(settings)


def ingest_and_check(
    sources: list[str],
    landing: Path,
    root: Path,
    blocking: bool = False,
    downstream: tuple[dg.AssetsDefinition, ...] = (),
) -> dg.ExecuteInProcessResult:
    """Ingest the sources and run their raw checks (the one raw_expectations step, subset to
    them), then the `downstream` assets; a failed step does not raise."""
    keys = [dg.AssetKey(["raw", source]) for source in sources]
    return dg.materialize(
        [
            *build_ingestion_assets(),
            *build_raw_source_checks(blocking=blocking),
            *downstream,
        ],
        selection=dg.AssetSelection.assets(*keys, *(asset.key for asset in downstream))
        | dg.AssetSelection.checks_for_assets(*keys),
        resources={"warehouse": warehouse_resource(landing, root)},
        raise_on_error=False,
    )


def evaluations_by_source(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    evaluations = result.get_asset_check_evaluations()
    return {evaluation.asset_key.path[-1]: evaluation for evaluation in evaluations}


def materialize_with_checks(
    sources: list[str], landing: Path, root: Path
) -> dict[str, dg.AssetCheckEvaluation]:
    """Each source's check evaluation after ingest_and_check (which must succeed)."""
    result = ingest_and_check(sources, landing, root)
    assert result.success
    return evaluations_by_source(result)


def materialize_with_check(source: str, landing: Path, root: Path) -> dg.AssetCheckEvaluation:
    (evaluation,) = materialize_with_checks([source], landing, root).values()
    return evaluation


def test_a_critical_failure_in_one_source_stops_what_is_downstream_and_every_result_is_kept(
    tmp_path,
):
    """Blocking raw checks in one step: a critical failure in one source's suite fails the step,
    so nothing downstream of the raw layer runs (in daily_refresh the dbt build depends on every
    source, so this was so with a step per suite too), and the other source's result is still
    recorded."""
    landing = tmp_path / "landing"
    write_mp_users(landing)
    write_wechatpay_bills(landing)
    LandingBuilder(landing).add("mp_users", "late_delivery.csv", LATE_BAD_ROW)
    keys = [dg.AssetKey(["raw", "mp_users"]), dg.AssetKey(["raw", "wechatpay_bills"])]

    @dg.asset(deps=keys)
    def built_from_raw() -> None:
        return None

    result = ingest_and_check(
        ["mp_users", "wechatpay_bills"],
        landing,
        tmp_path,
        blocking=True,
        downstream=(built_from_raw,),
    )

    evaluations = evaluations_by_source(result)
    assert not result.success
    assert not evaluations["mp_users"].passed
    assert evaluations["mp_users"].severity == dg.AssetCheckSeverity.ERROR
    assert evaluations["wechatpay_bills"].passed
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert set(keys) <= materialized
    assert built_from_raw.key not in materialized


def test_one_check_per_raw_source_on_its_ingestion_asset_all_in_one_step():
    checks = build_raw_source_checks()

    keys = {key for check in checks for key in check.check_keys}
    assert keys == {dg.AssetCheckKey(dg.AssetKey(["raw", source]), CHECK_NAME) for source in SPECS}
    assert [check.node_def.name for check in checks] == [RAW_CHECKS_STEP]


def test_the_step_validates_sources_side_by_side_each_on_its_own(tmp_path, monkeypatch):
    """Two sources at once in the one step: the bad delivery fails its own source's check and
    stays pending; the other source's files pass and are recorded; a later run validates only
    what is still pending."""
    monkeypatch.setattr("orchestration.quality.checks.MAX_SUITE_WORKERS", 2)
    monkeypatch.setattr("siyu.settings.os.cpu_count", lambda: 2)
    landing = tmp_path / "landing"
    write_mp_users(landing)
    write_ads_tencent(landing)
    LandingBuilder(landing).add("mp_users", "late_delivery.csv", LATE_BAD_ROW)

    first = materialize_with_checks(["mp_users", "ads_tencent"], landing, tmp_path)
    again = materialize_with_checks(["mp_users", "ads_tencent"], landing, tmp_path)

    assert not first["mp_users"].passed
    assert first["mp_users"].severity == dg.AssetCheckSeverity.ERROR
    assert first["mp_users"].metadata["files_recorded_valid"].value == 0
    assert first["ads_tencent"].passed
    assert first["ads_tencent"].metadata["files_recorded_valid"].value == TENCENT_PAGES
    assert not again["mp_users"].passed, "the failed delivery is validated again"
    assert again["ads_tencent"].passed
    assert again["ads_tencent"].metadata["rows"].value == 0, "nothing new to validate"


def test_checks_load_with_the_ingestion_assets(tmp_path):
    defs = dg.Definitions(
        assets=build_ingestion_assets(),
        asset_checks=build_raw_source_checks(),
        resources={"warehouse": warehouse_resource(tmp_path / "landing", tmp_path)},
    )
    dg.Definitions.validate_loadable(defs)


def test_check_passes_on_a_correct_export(tmp_path):
    write_mp_users(tmp_path / "landing")

    evaluation = materialize_with_check("mp_users", tmp_path / "landing", tmp_path)

    assert evaluation.passed
    assert evaluation.metadata["failed_blocking"].value == 0
    assert evaluation.metadata["rows"].value == 40


def test_check_fails_with_error_severity_on_a_wrong_export(tmp_path):
    write_mp_users(tmp_path / "landing")
    LandingBuilder(tmp_path / "landing").add(
        "mp_users",
        "late_delivery.csv",
        "openid,unionid,phone,register_time,scene,scene_query\n"
        "not-an-openid,oUnLate0000000000000000001,13912345678,1970-01-01 08:00:00,1047,\n",
    )

    evaluation = materialize_with_check("mp_users", tmp_path / "landing", tmp_path)

    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["failed_blocking"].value == 2
    failures = evaluation.metadata["failures"].value
    assert "expect_column_values_to_match_regex(openid)" in failures
    assert "expect_column_values_to_be_between(register_time__year)" in failures
    examples = evaluation.metadata["failing_examples"].value
    assert examples[0]["unexpected_rows"][0]["_file_name"] == "mp_users/late_delivery.csv"


def test_check_fails_with_warn_severity_when_only_warnings_fail(tmp_path):
    write_mp_users(tmp_path / "landing")
    rows = [f"oMPPlaceholder{n:012d},null,,2026-11-01 10:00:00,1047," for n in range(10)]
    LandingBuilder(tmp_path / "landing").add_lines(
        "mp_users",
        "placeholders.csv",
        ["openid,unionid,phone,register_time,scene,scene_query", *rows],
    )

    evaluation = materialize_with_check("mp_users", tmp_path / "landing", tmp_path)

    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["failed_blocking"].value == 0
    assert evaluation.metadata["failed_warning"].value == 1


@pytest.mark.parametrize("blocking", [False, True])
def test_blocking_is_passed_to_dagster(blocking):
    checks = build_raw_source_checks(blocking=blocking)

    assert {spec.blocking for check in checks for spec in check.check_specs} == {blocking}


def outcome(severity: str, success: bool) -> ExpectationOutcome:
    return ExpectationOutcome(
        index=0,
        expectation_type="expect_column_values_to_not_be_null",
        columns=("openid",),
        kwargs={"column": "openid"},
        severity=severity,
        success=success,
    )


@pytest.mark.parametrize(
    ("failed_severities", "passed", "severity"),
    [
        ((), True, dg.AssetCheckSeverity.WARN),
        (("info",), True, dg.AssetCheckSeverity.WARN),
        (("warning", "info"), False, dg.AssetCheckSeverity.WARN),
        (("critical", "warning"), False, dg.AssetCheckSeverity.ERROR),
    ],
)
def test_severity_of_the_check_follows_the_failed_expectations(failed_severities, passed, severity):
    outcomes = (outcome("critical", True), *(outcome(level, False) for level in failed_severities))
    result = check_result(SuiteResult("raw.mp_users", "raw.mp_users", 10, outcomes), Path("s.json"))

    assert result.passed is passed
    assert result.severity == severity


# --- each delivered file is validated once (siyu/quality/deliveries.py) ---

LATE_BAD_ROW = (
    "openid,unionid,phone,register_time,scene,scene_query\n"
    "not-an-openid,oUnLate0000000000000000001,13912345678,1970-01-01 08:00:00,1047,\n"
)


def test_a_run_without_new_deliveries_validates_nothing_again(tmp_path):
    write_mp_users(tmp_path / "landing")
    first = materialize_with_check("mp_users", tmp_path / "landing", tmp_path)

    second = materialize_with_check("mp_users", tmp_path / "landing", tmp_path)

    assert first.passed and first.metadata["files_recorded_valid"].value == 1
    assert second.passed
    assert second.metadata["rows"].value == 0
    assert second.metadata["table_rows"].value == 40
    assert second.metadata["files_to_validate"].value == 0
    assert "expectations" not in second.metadata, "Great Expectations did not run"


def test_only_the_new_file_is_validated_and_a_bad_one_keeps_failing_until_fixed(tmp_path):
    landing = tmp_path / "landing"
    write_mp_users(landing)
    assert materialize_with_check("mp_users", landing, tmp_path).passed
    LandingBuilder(landing).add("mp_users", "late_delivery.csv", LATE_BAD_ROW)

    with_bad_file = materialize_with_check("mp_users", landing, tmp_path)
    nothing_new = materialize_with_check("mp_users", landing, tmp_path)

    assert not with_bad_file.passed
    assert with_bad_file.metadata["rows"].value == 1, "only the late file's row is checked"
    assert with_bad_file.metadata["files_recorded_valid"].value == 0
    examples = with_bad_file.metadata["failing_examples"].value
    assert {row["_file_name"] for e in examples for row in e["unexpected_rows"]} == {
        "mp_users/late_delivery.csv"
    }
    assert not nothing_new.passed, "a failed delivery is validated (and blocks) again"
    assert nothing_new.metadata["rows"].value == 1


def test_a_changed_suite_validates_every_file_again(tmp_path):
    landing = tmp_path / "landing"
    write_mp_users(landing)
    resource = warehouse_resource(landing, tmp_path)
    assert materialize_with_check("mp_users", landing, tmp_path).passed
    original = RAW_SUITES_DIR / "mp_users.json"
    changed = tmp_path / "mp_users.json"
    document = json.loads(original.read_text(encoding="utf-8"))
    document["expectations"].append(
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "openid"}}
    )
    changed.write_text(json.dumps(document), encoding="utf-8")

    unchanged_run = run_new_deliveries(resource, original)
    changed_run = run_new_deliveries(resource, changed)

    assert unchanged_run.result is None
    assert changed_run.result is not None and changed_run.result.row_count == 40


def test_batches_before_a_failing_one_are_recorded_and_the_rest_stay_pending(tmp_path, monkeypatch):
    monkeypatch.setattr("siyu.quality.deliveries.MAX_BATCH_ROWS", 40)
    landing = tmp_path / "landing"
    write_mp_users(landing)  # mp_users/mp_users_2026-10.csv, 40 good rows: the first batch
    LandingBuilder(landing).add("mp_users", "zz_late_delivery.csv", LATE_BAD_ROW)

    evaluation = materialize_with_check("mp_users", landing, tmp_path)

    assert not evaluation.passed
    assert evaluation.metadata["batches"].value == 2
    assert evaluation.metadata["files_recorded_valid"].value == 1
    assert evaluation.metadata["rows_validated"].value == 41
    assert evaluation.metadata["rows"].value == 1, "the failing batch is the one reported"


def test_a_raw_table_that_is_not_there_fails_the_suite_instead_of_erroring(tmp_path):
    """No lineage columns to track deliveries by: the whole (missing) table is validated, on the
    connection the check already holds."""
    resource = warehouse_resource(tmp_path / "landing", tmp_path)

    run = run_new_deliveries(resource, RAW_SUITES_DIR / "mp_users.json")

    assert run.result is not None and not run.result.success
    assert run.result.blocking_failures[0].expectation_type == "table_is_readable"
