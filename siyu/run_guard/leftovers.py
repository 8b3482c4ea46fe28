"""What an interrupted run left behind, removed at the next start (while holding the run lock).

- **An orphaned dbt process.** dbt runs as a child that dies with the run (siyu/dbt/
  child_process.py); where that cannot hold (not Linux, or a run killed in the few milliseconds
  before the child set it up), a dbt process of this deployment may outlive its run and keep the
  working warehouse locked. Every process dagster-dbt started (`DAGSTER_DBT_CLI=true` in its
  environment) for this working warehouse (`SIYU_WORK_WAREHOUSE`) is such an orphan once this
  run holds the lock: it is killed, and the start waits until it is gone.
- **Publish debris**: staged copies, their WALs, unfinished Parquet versions
  (`siyu.publish.publisher.remove_publish_leftovers`).
- **Preflight probe files** (siyu/run_guard/preflight.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from siyu.publish.publisher import remove_publish_leftovers
from siyu.run_guard.preflight import PROBE_PREFIX

PROC = Path("/proc")
# what dagster-dbt sets in the environment of every dbt process it starts
DBT_CHILD_MARK = b"DAGSTER_DBT_CLI=true"
# the variable through which dbt's profile (dbt_project/profiles.yml) finds the working warehouse
WORK_WAREHOUSE_VARIABLE = "SIYU_WORK_WAREHOUSE"
ORPHAN_EXIT_SECONDS = 10.0


@dataclass
class Leftovers:
    """What the start removed: pids of orphaned dbt processes, files and folders."""

    orphans: list[int] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"killed orphaned dbt process {pid}" for pid in self.orphans]
        return lines + [f"removed {path}" for path in self.paths]


def _environment(pid: int) -> list[bytes]:
    try:
        return (PROC / str(pid) / "environ").read_bytes().split(b"\0")
    except OSError:  # gone, or not ours to read
        return []


def _is_running(pid: int) -> bool:
    """Alive and not a zombie (a zombie holds no files; its parent reaps it)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def orphaned_dbt_processes(work_warehouse: Path) -> list[int]:
    """dbt processes dagster-dbt started for `work_warehouse` (other than this process)."""
    if not PROC.is_dir():
        return []
    wanted = f"{WORK_WAREHOUSE_VARIABLE}={work_warehouse}".encode()
    pids = []
    for entry in PROC.iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            environment = _environment(int(entry.name))
            if DBT_CHILD_MARK in environment and wanted in environment:
                pids.append(int(entry.name))
    return pids


def kill_orphans(pids: list[int], timeout: float = ORPHAN_EXIT_SECONDS) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while any(_is_running(pid) for pid in pids):
        if time.monotonic() > deadline:
            still = [pid for pid in pids if _is_running(pid)]
            raise RuntimeError(f"orphaned dbt process(es) {still} did not exit after SIGKILL")
        time.sleep(0.05)


def remove_probes(folders: list[Path]) -> list[Path]:
    probes = [
        path
        for folder in folders
        if folder.is_dir()
        for path in folder.iterdir()
        if path.name.startswith(PROBE_PREFIX)
    ]
    for path in probes:
        path.unlink(missing_ok=True)
    return probes


def clean_leftovers(
    work_warehouse: Path, published_db: Path, parquet_dir: Path | None, folders: list[Path]
) -> Leftovers:
    """Kill orphaned dbt processes of this deployment, then remove publish debris and probes."""
    orphans = orphaned_dbt_processes(work_warehouse)
    kill_orphans(orphans)
    paths = remove_publish_leftovers(published_db, parquet_dir) + remove_probes(folders)
    return Leftovers(orphans, paths)
