"""Run the real daily_refresh job once and measure it: wall clock, steps, dbt nodes, memory."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import dagster as dg

from orchestration.bench.memory import PeakRssSampler
from orchestration.bench.phases import (
    DBT_STEP,
    RunTimeline,
    read_dbt_nodes,
    step_seconds,
    wall_clock_shares,
)
from orchestration.run import RunSummary, run_daily_refresh
from orchestration.settings import DBT_PROJECT_DIR, SiyuSettings


@dataclass
class RunMeasurement:
    """One measured run of daily_refresh."""

    summary: RunSummary
    timeline: RunTimeline
    peak_rss_mb: float
    log_path: Path
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.summary.success and not self.summary.checks_failed

    @property
    def rows_loaded(self) -> int:
        return sum(counts["rows_loaded"] for counts in self.summary.sources.values())


def bench_settings(root: Path) -> SiyuSettings:
    """Settings with the landing folder and every warehouse file under `root`."""
    return replace(
        SiyuSettings.from_env(),
        landing_dir=root / "landing",
        warehouse_path=root / "published" / "siyu.duckdb",
        work_warehouse_path=root / "work" / "siyu_work.duckdb",
        parquet_dir=root / "parquet",
        ground_truth_dir=None,  # accuracy against ground truth is not part of the timed work
    )


@contextmanager
def output_to(log_path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (dbt's and Dagster's logs included) to a file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def dbt_target_dirs(run_id: str) -> list[Path]:
    """The target folders dagster-dbt made for this run's dbt invocation(s)."""
    return sorted((DBT_PROJECT_DIR / "target").glob(f"{DBT_STEP}-{run_id[:7]}-*"))


def _timeline(instance: dg.DagsterInstance, summary: RunSummary, total_s: float) -> RunTimeline:
    run_id = instance.get_runs(limit=1)[0].run_id
    timeline = RunTimeline(total_s=total_s, job_s=summary.seconds)
    timeline.steps = step_seconds(instance, run_id)
    for target_dir in dbt_target_dirs(run_id):
        if (target_dir / "run_results.json").exists():
            nodes = read_dbt_nodes(target_dir)
            timeline.nodes.update({node.unique_id: node for node in nodes})
            timeline.node_shares.update(wall_clock_shares(nodes))
        # each run leaves a full dbt target folder (manifest, compiled SQL): ours, so remove it
        shutil.rmtree(target_dir, ignore_errors=True)
    return timeline


def measure_run(settings: SiyuSettings, log_path: Path) -> RunMeasurement:
    """Run daily_refresh in this process, as `make run` does, and measure it."""
    with dg.DagsterInstance.ephemeral() as instance:
        with output_to(log_path), PeakRssSampler() as sampler:
            started = time.perf_counter()
            summary = run_daily_refresh(settings, instance)
            total_s = time.perf_counter() - started
        timeline = _timeline(instance, summary, total_s)
    notes = [] if timeline.nodes else ["no dbt run_results.json found: dbt phases are missing"]
    return RunMeasurement(summary, timeline, sampler.peak_mb, log_path, notes)
