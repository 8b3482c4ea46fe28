"""Helpers of the run guard's tests: a process that holds the run lock, deployments in tmp."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from orchestration.settings import SiyuSettings

# holds the run lock of argv[1] as run argv[2], starts `sleep` as a child (argv[3] == "child"),
# says so on stdout, then waits for a line on stdin
LOCK_HOLDER = textwrap.dedent(
    """
    import subprocess, sys
    from pathlib import Path
    from orchestration.run_guard.lock import run_lock
    with run_lock(Path(sys.argv[1]), sys.argv[2]):
        child = subprocess.Popen(["sleep", "600"]) if sys.argv[3] == "child" else None
        print("held", child.pid if child else 0, flush=True)
        sys.stdin.readline()
    """
)


class LockHolder:
    """Another process holding the run lock of a working warehouse."""

    def __init__(self, work_warehouse: Path, run_id: str, with_child: bool = False) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                LOCK_HOLDER,
                str(work_warehouse),
                run_id,
                "child" if with_child else "-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        word, child = self.process.stdout.readline().split()
        assert word == "held"
        self.child_pid = int(child)

    @property
    def pid(self) -> int:
        return self.process.pid

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("\n")
            self.process.stdin.flush()
        self.process.communicate(timeout=30)


@pytest.fixture
def lock_holder() -> Iterator[type[LockHolder]]:
    holders: list[LockHolder] = []

    def start(*args, **kwargs) -> LockHolder:
        holder = LockHolder(*args, **kwargs)
        holders.append(holder)
        return holder

    yield start
    for holder in holders:
        if holder.process.poll() is None:
            holder.process.kill()
        holder.process.communicate(timeout=30)


@pytest.fixture
def deployment(tmp_path) -> SiyuSettings:
    """Settings of a deployment under a path with a dot-directory, a space and Chinese."""
    root = tmp_path / ".local" / "share" / "思域 数据"
    return replace(
        SiyuSettings.from_env({}),
        landing_dir=root / "landing",
        warehouse_path=root / "published" / "siyu.duckdb",
        work_warehouse_path=root / "work" / "siyu_work.duckdb",
        parquet_dir=root / "parquet",
        min_free_mb=0,
    )
