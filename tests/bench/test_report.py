"""What the bench reports of the daily run: the run with nothing new (the fixed cost of a run) and
the rows the day adds to the tag history log."""

from __future__ import annotations

import dataclasses
from datetime import date

from orchestration.bench import report
from orchestration.bench.baselines import IdentityBaseline
from orchestration.bench.harness import Delivery, IncrementalResult, RunResult, ScaleResult
from orchestration.bench.phases import Phase, RunTimeline
from orchestration.bench.pipeline import RunMeasurement
from orchestration.run import RunSummary


def run_result(total_s: float, success: bool = True) -> RunResult:
    measurement = RunMeasurement(
        summary=RunSummary(success=success, seconds=total_s),
        timeline=RunTimeline(total_s=total_s, job_s=total_s),
        peak_rss_mb=100.0,
    )
    phases = [Phase("checks", total_s / 2), Phase("total", total_s)] if success else []
    return RunResult(measurement, phases, IdentityBaseline(0.01, 10, 9, 1), (1.0, 1.0))


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
