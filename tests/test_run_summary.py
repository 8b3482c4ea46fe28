"""The run summary tells failed checks (they block) from warnings (they do not), and on any
failure says plainly that nothing was published and why, without ever opening the published
file."""

from __future__ import annotations

from dataclasses import replace

import dagster as dg
import duckdb
import pytest

from orchestration.run import RunSummary, format_summary, guarded_daily_refresh, summarise
from siyu.publish.publisher import publish_marts
from siyu.settings import SiyuSettings
from tests.lock_holder import LockHolder


@dg.asset
def campaign_roi() -> int:
    return 1


@dg.asset_check(asset=campaign_roi)
def keys_are_unique() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@dg.asset_check(asset=campaign_roi)
def revenue_to_date_covers_d90() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


@dg.asset_check(asset=campaign_roi)
def spend_is_not_negative() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR)


def test_failed_checks_and_warnings_are_counted_apart():
    definitions = dg.Definitions(
        assets=[campaign_roi],
        asset_checks=[keys_are_unique, revenue_to_date_covers_d90, spend_is_not_negative],
    )
    result = definitions.resolve_implicit_global_asset_job_def().execute_in_process(
        raise_on_error=False
    )
    summary = summarise(result, seconds=1.0)
    assert summary.checks_passed == 1
    assert summary.checks_failed == ["campaign_roi:spend_is_not_negative"]
    assert summary.checks_warned == ["campaign_roi:revenue_to_date_covers_d90"]


# --- on any failure the summary says plainly that nothing was published, and why ---


@pytest.fixture
def settings(tmp_path) -> SiyuSettings:
    root = tmp_path / ".siyu" / "部署 一"
    return replace(
        SiyuSettings.from_env({}),
        landing_dir=root / "landing",
        warehouse_path=root / "published" / "siyu.duckdb",
        work_warehouse_path=root / "work" / "siyu_work.duckdb",
        parquet_dir=None,
        min_free_mb=0,
    )


def published_once(settings: SiyuSettings) -> str:
    """Publish one small version; make the published file unreadable as DuckDB afterwards (a
    summary that opened it would crash): returns the publish id."""
    work = settings.work_warehouse_path
    work.parent.mkdir(parents=True)
    with duckdb.connect(str(work)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_customer as select 'C1' as customer_id")
    result = publish_marts(work, settings.warehouse_path)
    with settings.warehouse_path.open("r+b") as published:  # in place: the record still holds
        published.write(b"\0" * 4096)
    return result.publish_id


def test_a_refused_run_says_nothing_was_published_and_names_the_running_run(settings):
    publish_id = published_once(settings)
    holder = LockHolder(settings.work_warehouse_path, "run-the-first")
    try:
        summary = guarded_daily_refresh(settings)
    finally:
        holder.release()
    text = format_summary(summary, settings)
    assert "siyu daily_refresh: FAILED" in text
    assert "NOT PUBLISHED: the run did not start: another siyu run is running" in text
    assert f"run run-the-first (pid {holder.pid}, started " in text
    assert f"is untouched: version {publish_id} (published " in text


def test_a_failed_preflight_says_nothing_was_published_and_why(settings):
    summary = guarded_daily_refresh(replace(settings, min_free_mb=10**9))
    text = format_summary(summary, settings)
    assert "NOT PUBLISHED: the run did not start: the working folder " in text
    assert "a run needs at least 1,000,000,000 MB there (SIYU_MIN_FREE_MB)" in text
    assert "nothing has been published yet" in text


def test_an_error_before_the_first_step_is_summarised_not_raised(settings, monkeypatch):
    def parse_fails(*args, **kwargs):
        raise RuntimeError("Compilation Error in model dim_customer")

    monkeypatch.setattr("orchestration.run.run_daily_refresh", parse_fails)
    text = format_summary(guarded_daily_refresh(settings), settings)
    assert (
        "NOT PUBLISHED: the run did not start: RuntimeError: Compilation Error in model "
        "dim_customer"
    ) in text


@dg.asset
def dbt_build() -> None:
    raise duckdb.IOException(
        'IO Error: Could not set lock on file "/srv/siyu.duckdb": Conflicting lock is held'
    )


@dg.asset(deps=[dbt_build])
def published_warehouse() -> None:
    """Never runs: the step before it fails."""


def test_a_failed_step_is_named_with_its_own_message(settings):
    publish_id = published_once(settings)
    result = (
        dg.Definitions(assets=[dbt_build, published_warehouse])
        .resolve_implicit_global_asset_job_def()
        .execute_in_process(raise_on_error=False)
    )
    summary = summarise(result, seconds=2.0)
    text = format_summary(summary, settings)
    not_published = next(line for line in text.splitlines() if line.startswith("NOT PUBLISHED"))
    # the step's own error, not Dagster's wrapper around it
    assert not_published.startswith("NOT PUBLISHED: step dbt_build failed: ")
    assert not_published.endswith(
        'IOException: IO Error: Could not set lock on file "/srv/siyu.duckdb": Conflicting lock '
        "is held"
    )
    assert f"is untouched: version {publish_id} (published " in text


def test_a_failed_blocking_check_says_nothing_was_published(settings):
    summary = RunSummary(success=False, seconds=3.0, checks_failed=["marts/dim_customer:keys"])
    text = format_summary(summary, settings)
    assert "NOT PUBLISHED: a blocking check failed: marts/dim_customer:keys" in text


@dg.asset
def marts_audit() -> None:
    raise dg.Failure(
        description="Audit failed; nothing published. The published marts stay at version V1:\n"
        "shrink on marts.dim_customer: 300 rows published, 30 now (-90%; at most -25% allowed)"
    )


def test_a_failed_audit_is_named_in_its_own_words(settings):
    result = dg.materialize([marts_audit], raise_on_error=False)
    text = format_summary(summarise(result, seconds=2.0), settings)
    assert (
        "NOT PUBLISHED: step marts_audit failed: Audit failed; nothing published. The published "
        "marts stay at version V1:"
    ) in text
    assert "  FAILED step marts_audit: Audit failed; nothing published." in text
    assert "shrink on marts.dim_customer: 300 rows published, 30 now" in text
