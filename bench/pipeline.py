"""Run the real daily_refresh job once and measure it: wall clock, steps, dbt nodes, memory.

Each run happens in a fresh Python process (`python -m bench.pipeline ROOT OUT`),
as `make run` starts one: its peak memory is that process's and its dbt child's, not what the
benchmark held before, and a run that exhausts memory fails alone instead of ending the benchmark.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import dagster as dg

from bench.memory import PeakRssSampler
from bench.phases import (
    DBT_STEP,
    DbtNode,
    RunTimeline,
    read_dbt_nodes,
    source_seconds,
    step_seconds,
    wall_clock_shares,
)
from orchestration.dbt.project import build_dbt_project
from orchestration.run import RunSummary, run_daily_refresh
from siyu.settings import DBT_PROJECT_DIR, SiyuSettings, environment_set

# Outputs some steps write where an environment variable says, not a SiyuSettings field.
OUTPUT_DIR_VARIABLES = {"SIYU_AUDIENCE_EXPORT_DIR": "audiences", "SIYU_REPORTS_DIR": "reports"}


@dataclass
class RunMeasurement:
    """One measured run of daily_refresh."""

    summary: RunSummary
    timeline: RunTimeline
    peak_rss_mb: float
    log_path: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.summary.success and not self.summary.checks_failed

    def to_json(self) -> dict[str, object]:
        return {
            "summary": asdict(self.summary),
            "timeline": asdict(self.timeline),
            "peak_rss_mb": self.peak_rss_mb,
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, document: dict, log_path: Path) -> RunMeasurement:
        timeline = dict(document["timeline"])
        timeline["nodes"] = {
            unique_id: DbtNode(**{**node, "fqn": tuple(node["fqn"])})
            for unique_id, node in timeline["nodes"].items()
        }
        return cls(
            summary=RunSummary(**document["summary"]),
            timeline=RunTimeline(**timeline),
            peak_rss_mb=document["peak_rss_mb"],
            log_path=log_path,
            notes=document["notes"],
        )


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
def isolated_outputs(root: Path) -> Iterator[SiyuSettings]:
    """Settings under `root`, with every other output folder of the job pointed there too."""
    with environment_set(
        {name: str(root / folder) for name, folder in OUTPUT_DIR_VARIABLES.items()}
    ):
        yield bench_settings(root)


def prepare_deployment(root: Path) -> float:
    """Parse the dbt project for `root`'s warehouses before the first timed run there; returns
    the seconds it took (reported, not part of the run's time).

    The benchmark times the daily run of a deployment, which parsed its project on its first run
    (or the first after a change to the project) and from then on parses only what changed. dbt
    keeps its parse state per connection profile, and each scale has its own warehouse path, so
    without this step dbt would parse the whole project inside the timed build (about 6 s).
    """
    with isolated_outputs(root) as settings:
        started = time.perf_counter()
        build_dbt_project(settings, reparse=True)
        return time.perf_counter() - started


def dbt_target_dirs(run_id: str) -> list[Path]:
    """The target folders dagster-dbt made for this run's dbt invocation(s)."""
    return sorted((DBT_PROJECT_DIR / "target").glob(f"{DBT_STEP}-{run_id[:7]}-*"))


def _timeline(instance: dg.DagsterInstance, summary: RunSummary, total_s: float) -> RunTimeline:
    run_id = instance.get_runs(limit=1)[0].run_id
    timeline = RunTimeline(total_s=total_s, job_s=summary.seconds)
    timeline.steps = step_seconds(instance, run_id)
    timeline.sources = source_seconds(instance, run_id)
    for target_dir in dbt_target_dirs(run_id):
        if (target_dir / "run_results.json").exists():
            nodes = read_dbt_nodes(target_dir)
            timeline.nodes.update({node.unique_id: node for node in nodes})
            timeline.node_shares.update(wall_clock_shares(nodes))
        # each run leaves a full dbt target folder (manifest, compiled SQL): ours, so remove it
        shutil.rmtree(target_dir, ignore_errors=True)
    return timeline


def measure_in_this_process(root: Path) -> RunMeasurement:
    """Run daily_refresh here on `root`'s landing folder, as `make run` does, and measure it.
    Everything the run writes goes under `root`."""
    with dg.DagsterInstance.ephemeral() as instance, isolated_outputs(root) as settings:
        with PeakRssSampler() as sampler:
            started = time.perf_counter()
            summary = run_daily_refresh(settings, instance)
            total_s = time.perf_counter() - started
        timeline = _timeline(instance, summary, total_s)
    notes = []
    if summary.build_skipped:
        notes.append("dbt build skipped: nothing it reads changed since the published version")
    elif not timeline.nodes:
        notes.append("no dbt run_results.json found: dbt phases are missing")
    return RunMeasurement(summary, timeline, sampler.peak_mb, notes=notes)


def _crashed(exit_code: int, log_path: Path, seconds: float) -> RunMeasurement:
    failure = f"the run's process exited with code {exit_code} (killed if negative); see the log"
    return RunMeasurement(
        summary=RunSummary(success=False, seconds=seconds, failures=[failure]),
        timeline=RunTimeline(total_s=seconds, job_s=seconds),
        peak_rss_mb=0.0,
        log_path=log_path,
    )


def measure_run(root: Path, log_path: Path) -> RunMeasurement:
    """Measure one run in a fresh process; its output goes to `log_path`."""
    result_path = log_path.with_suffix(".json")
    result_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.pipeline", str(root), str(result_path)]
    started = time.perf_counter()
    with log_path.open("ab") as log:
        process = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
    if not result_path.exists():
        return _crashed(process.returncode, log_path, time.perf_counter() - started)
    document = json.loads(result_path.read_text(encoding="utf-8"))
    return RunMeasurement.from_json(document, log_path)


def main(argv: list[str] | None = None) -> int:
    root, result_path = (Path(arg) for arg in (argv if argv is not None else sys.argv[1:]))
    measurement = measure_in_this_process(root)
    result_path.write_text(json.dumps(measurement.to_json()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
