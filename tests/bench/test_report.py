"""What the bench reports of the daily run: the run with nothing new (the fixed cost of a run) and
the rows the day adds to the tag history log."""

from __future__ import annotations

import dataclasses
from datetime import date

from bench import report
from bench.baselines import IdentityBaseline
from bench.harness import (
    Delivery,
    IncrementalResult,
    RunResult,
    ScaleResult,
    rows_written,
    stored_models,
)
from bench.phases import Phase, RunTimeline
from bench.pipeline import RunMeasurement
from orchestration.run import RunSummary


def run_result(total_s: float, success: bool = True) -> RunResult:
    measurement = RunMeasurement(
        summary=RunSummary(success=success, seconds=total_s),
        timeline=RunTimeline(total_s=total_s, job_s=total_s),
        peak_rss_mb=100.0,
    )
    phases = [Phase("checks", total_s / 2), Phase("total", total_s)] if success else []
    return RunResult(measurement, phases, IdentityBaseline(0.01, 0.005, 10, 9, 1), (1.0, 1.0))


def incremental(nothing_new: RunResult | None) -> IncrementalResult:
    base = ScaleResult(1.0, date(2026, 11, 19), Delivery(100, 1000, 10, 1.0), 5.0, run_result(80))
    return IncrementalResult(
        1.0,
        date(2026, 11, 20),
        base,
        Delivery(100, 10, 2, 0.5),
        run_result(60),
        {"merged": 3},
        nothing_new,
    )


def test_the_run_with_nothing_new_is_reported_as_a_share_of_the_full_build():
    result = incremental(run_result(50))
    assert result.nothing_new_share == 50 / 80
    document = report.incremental_json(result)
    assert document["nothing_new_s"] == 50
    assert document["nothing_new_share"] == 0.625
    assert [phase["phase"] for phase in document["nothing_new_phases"]] == ["checks", "total"]
    lines = "\n".join(report.incremental_lines(result))
    assert "nothing new delivered: 50.0 s, 62.5% of the full build" in lines


def test_without_that_run_nothing_is_reported_and_a_failure_says_so():
    assert "nothing_new_s" not in report.incremental_json(incremental(None))
    failed = incremental(run_result(5, success=False))
    assert failed.nothing_new_share is None
    assert "with nothing new FAILED" in "\n".join(report.incremental_lines(failed))


def test_the_rows_the_day_added_to_the_tag_history_log_are_reported():
    result = dataclasses.replace(incremental(None), tag_history_rows=(1_500_000, 1_516_000))
    document = report.incremental_json(result)
    assert document["tag_history_rows_before"] == 1_500_000
    assert document["tag_history_rows_added"] == 16_000
    assert "tag history log: 16,000 rows added to 1,500,000" in "\n".join(
        report.incremental_lines(result)
    )
    assert "tag_history_rows_added" not in report.incremental_json(incremental(None))


def test_no_chart_when_no_run_succeeded(tmp_path):
    chart = tmp_path / "time_vs_scale.png"
    report.write_chart({"scales": [{"scale": 10, "success": False, "total_s": 900}]}, chart)
    assert not chart.exists()


def floor_scale(total_s: float, success: bool = True) -> ScaleResult:
    return ScaleResult(
        0.01, date(2026, 11, 20), Delivery(1_000, 6_000, 30, 0.2), 1.0, run_result(total_s, success)
    )


def daily_share_targets(daily: IncrementalResult) -> list[dict[str, object]]:
    base = dataclasses.replace(daily.base, daily=daily)
    return [target for target in report.targets([base]) if target["target"].startswith("daily")]


def test_the_full_run_on_almost_no_data_is_reported_against_the_full_build():
    result = dataclasses.replace(incremental(None), rebuild_floor=floor_scale(36))
    assert result.rebuild_floor_share == 36 / 80
    floor = report.incremental_json(result)["rebuild_floor"]
    assert floor["total_s"] == 36
    assert floor["share"] == 0.45
    assert floor["people"] == 1_000
    assert [phase["phase"] for phase in floor["phases"]] == ["checks", "total"]
    lines = "\n".join(report.incremental_lines(result))
    assert "a full run on 1,000 people (scale 0.01): 36.0 s, 45.0% of the full build" in lines
    (share,) = daily_share_targets(result)
    assert share["value"] == 0.75  # the daily run: 60 of 80 s
    assert share["rebuild_floor_share"] == 0.45
    assert "(limit 0.2; a full run on almost no data: 0.45)" in "\n".join(
        report.target_lines([share])
    )


def test_without_the_floor_run_nothing_is_said_and_a_failed_one_says_so():
    plain = incremental(None)
    assert "rebuild_floor" not in report.incremental_json(plain)
    (share,) = daily_share_targets(plain)
    assert "rebuild_floor_share" not in share
    failed = dataclasses.replace(plain, rebuild_floor=floor_scale(3, success=False))
    assert failed.rebuild_floor_share is None
    assert report.incremental_json(failed)["rebuild_floor"]["success"] is False
    assert "on almost no data FAILED" in "\n".join(report.incremental_lines(failed))


def test_each_scale_reports_its_daily_run_with_the_rows_it_wrote():
    daily = dataclasses.replace(incremental(None), rows_written=1_200, rows_held=50_000)
    scale = dataclasses.replace(daily.base, daily=daily)
    document = report.scale_json(scale)["daily"]
    assert document["daily_s"] == 60
    assert document["share"] == 0.75
    assert document["rows_written"] == 1_200
    assert document["rows_held"] == 50_000
    assert report.scale_json(daily.base)["daily"] is None


def test_the_full_build_is_judged_against_duckdbs_read_of_the_same_exports():
    measurement = run_result(90)
    measurement.phases = [
        Phase("ingest", 10, baseline_s=20),
        Phase("identity", 6, baseline_s=2),
        Phase("total", 90),
    ]
    scale = ScaleResult(1.0, date(2026, 11, 20), Delivery(1, 1, 1, 1.0), 1.0, measurement)
    found = {target["target"]: target for target in report.targets([scale])}
    assert found["full build / ingest baseline at scale 1"]["value"] == 4.5
    assert found["full build / ingest baseline at scale 1"]["met"] is True
    assert found["identity ratio at scale 1"]["value"] == 3.0
    assert found["identity ratio at scale 1"]["met"] is False  # limit: 2x the round trip


def test_rows_written_counts_whole_tables_and_the_rows_added_to_incremental_ones():
    before = {"marts.dim_customer": (100, False), "staging.stg_orders": (1_000, True)}
    after = {
        "marts.dim_customer": (103, False),
        "staging.stg_orders": (1_010, True),
        "staging.stg_new": (5, True),
    }
    assert rows_written(before, after) == 103 + 10 + 5


def test_rows_are_counted_in_tables_and_incremental_tables_not_in_views_or_ephemeral_models():
    def node(name: str, materialized: str, resource_type: str = "model") -> dict:
        return {
            "resource_type": resource_type,
            "schema": "marts",
            "alias": name,
            "config": {"materialized": materialized},
        }

    manifest = {
        "nodes": {
            name: node(name, materialized)
            for name, materialized in [
                ("whole", "table"),
                ("added_to", "incremental"),
                ("read_through", "view"),
                ("inlined", "ephemeral"),
            ]
        }
        | {"a_test": node("a_test", "test", resource_type="test")}
    }
    assert stored_models(manifest) == {"marts.whole": False, "marts.added_to": True}
