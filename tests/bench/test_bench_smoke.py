"""`make bench` keeps working: the harness at a tiny scale writes its results and chart.

No timing is asserted: the benchmark measures, `make bench` reports; tests only check the shape.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from siyu.settings import REPO_ROOT
from tests.bench.conftest import BENCH_FLOOR_SCALE, BENCH_SCALE, BenchRun

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

SCALE_KEYS = {"scale", "people", "total_s", "peak_rss_mb", "phases"}
PHASE_KEYS = {"phase", "s", "baseline_s", "ratio"}
INCREMENTAL_KEYS = {"scale", "full_s", "incremental_s", "share"}
DAILY_KEYS = {"daily_s", "share", "rows_written", "rows_held", "new_export_records", "phases"}


def test_the_harness_succeeds_and_prints_a_table_per_scale(bench_run: BenchRun):
    assert bench_run.process.returncode == 0, bench_run.output
    assert f"scale {BENCH_SCALE:g}:" in bench_run.process.stdout
    assert "baseline_s" in bench_run.process.stdout
    assert "incremental at scale" in bench_run.process.stdout
    assert f"(scale {BENCH_FLOOR_SCALE:g}):" in bench_run.process.stdout


def test_results_json_has_the_tracked_schema(bench_run: BenchRun):
    results = json.loads(bench_run.results.read_text(encoding="utf-8"))
    assert isinstance(results["machine"], str) and results["machine"]
    (scale,) = results["scales"]
    assert scale.keys() >= SCALE_KEYS
    assert scale["scale"] == BENCH_SCALE
    assert scale["people"] > 0
    assert scale["total_s"] > 0
    assert scale["peak_rss_mb"] > 0
    assert all(phase.keys() >= PHASE_KEYS for phase in scale["phases"])
    phases = {phase["phase"]: phase for phase in scale["phases"]}
    for name in ("ingest", "identity"):
        assert phases[name]["s"] > 0
        assert phases[name]["baseline_s"] > 0
        assert phases[name]["ratio"] is not None
    assert phases["publish"]["baseline_s"] is None
    assert phases["publish"]["ratio"] is None
    # identity's baseline is the round trip (read, label, write); the labelling alone is within it
    assert phases["identity:components"]["baseline_s"] < phases["identity"]["baseline_s"]
    daily = scale["daily"]
    assert daily.keys() >= DAILY_KEYS
    assert daily["success"] is True
    assert daily["share"] == pytest.approx(daily["daily_s"] / scale["total_s"], rel=0.01)
    assert 0 < daily["rows_written"] <= daily["rows_held"] + daily["new_export_records"] * 10
    incremental = results["incremental"]
    assert incremental.keys() >= INCREMENTAL_KEYS
    assert incremental["scale"] == BENCH_SCALE
    assert incremental["incremental_s"] > 0
    assert incremental["share"] == pytest.approx(
        incremental["incremental_s"] / incremental["full_s"], rel=0.01
    )
    # the day's new customers start tags: the log grows, by less than it held
    assert 0 < incremental["tag_history_rows_added"] < incremental["tag_history_rows_before"]
    floor = incremental["rebuild_floor"]
    assert floor["success"] is True
    assert floor["scale"] == BENCH_FLOOR_SCALE
    assert 0 < floor["people"] < scale["people"]
    assert floor["share"] == pytest.approx(floor["total_s"] / incremental["full_s"], rel=0.01)


def test_top_level_phases_add_up_to_the_total(bench_run: BenchRun):
    (scale,) = json.loads(bench_run.results.read_text(encoding="utf-8"))["scales"]
    top_level = [p["s"] for p in scale["phases"] if ":" not in p["phase"] and p["phase"] != "total"]
    assert sum(top_level) == pytest.approx(scale["total_s"], abs=0.05)


def test_the_timed_full_run_parses_the_dbt_project_partially(bench_run: BenchRun):
    """The project is parsed for the scale's warehouse before the run (reported apart), so the
    timed dbt build does not parse it all again because its saved state names another path."""
    (scale,) = json.loads(bench_run.results.read_text(encoding="utf-8"))["scales"]
    assert scale["dbt_parse_s"] > 0
    run_log = bench_run.scale_root.parent / f"scale-{BENCH_SCALE:g}-full.log"
    log = run_log.read_text(encoding="utf-8")
    assert "Running dbt command" in log  # the dbt build ran and logged here
    assert "Unable to do partial parsing" not in log


def test_the_chart_is_written(bench_run: BenchRun):
    assert bench_run.chart.stat().st_size > 0


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_bench_runs_the_harness_with_the_chosen_scale():
    dry_run = subprocess.run(
        ["make", "-n", "bench", f"SCALE={BENCH_SCALE}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"-m bench --scales {BENCH_SCALE}" in dry_run.stdout
