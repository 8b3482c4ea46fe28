"""The run summary tells failed checks (they block) from warnings (they do not)."""

from __future__ import annotations

import dagster as dg

from orchestration.run import summarise


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
