"""One tiny benchmark run per session, shared by the smoke test and the incremental-equality test.

The harness runs as `make bench` runs it (a child process: `python -m bench`), at a
tiny scale with the daily incremental scenario, keeping its exports and warehouses.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from siyu.settings import REPO_ROOT

BENCH_SCALE = 0.005
BENCH_SEED = 42
# the full run on almost no data that the incremental share is set against
BENCH_FLOOR_SCALE = 0.002


@dataclass(frozen=True)
class BenchRun:
    process: subprocess.CompletedProcess[str]
    results: Path
    chart: Path
    scale_root: Path  # landing, working and published warehouse after the base + delta runs

    @property
    def output(self) -> str:
        return f"stdout:\n{self.process.stdout}\nstderr:\n{self.process.stderr}"


def bench_command(out: Path, chart: Path, workdir: Path) -> list[str]:
    return [
        sys.executable, "-m", "bench", "--scales", str(BENCH_SCALE),
        "--seed", str(BENCH_SEED), "--incremental", "--rebuild-floor", str(BENCH_FLOOR_SCALE),
        "--out", str(out), "--chart", str(chart),
        "--workdir", str(workdir), "--keep",
    ]  # fmt: skip


@pytest.fixture(scope="session")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> BenchRun:
    root = tmp_path_factory.mktemp("bench")
    results, chart, workdir = root / "results.json", root / "chart.png", root / "work"
    process = subprocess.run(
        bench_command(results, chart, workdir), cwd=REPO_ROOT, capture_output=True, text=True
    )
    return BenchRun(process, results, chart, workdir / f"scale-{BENCH_SCALE:g}")
