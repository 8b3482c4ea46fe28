"""The guard every run passes before any work, and holds until it ends.

1. the working folder exists or can be made (the run lock lives there);
2. the run lock (one run at a time; a second is refused at once, naming the first);
3. the leftovers of an interrupted run removed (orphaned dbt processes, publish debris);
4. the working, published and Parquet folders writable, with SIYU_MIN_FREE_MB free each (after
   the leftovers are gone: a full disk may be full of a killed publish's WAL).

`python -m orchestration.run` passes it before it imports the pipeline; runs Dagster starts (the
schedule, the sensor, the UI) pass it in the executor of siyu's jobs (executor.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from siyu.run_guard.leftovers import Leftovers, clean_leftovers
from siyu.run_guard.lock import run_lock
from siyu.run_guard.preflight import PreflightError, check_folders, folder_problem
from siyu.settings import SiyuSettings


def run_folders(settings: SiyuSettings) -> dict[str, Path]:
    """The folders a run writes, by the role they play."""
    folders = {
        "working": settings.work_warehouse_path.parent,
        "published": settings.warehouse_path.parent,
    }
    if settings.parquet_dir is not None:
        folders["Parquet"] = settings.parquet_dir
    return folders


@contextmanager
def guarded_run(settings: SiyuSettings, run_id: str) -> Iterator[Leftovers]:
    """Hold the run lock for `run_id`; yields what was cleaned up after an interrupted run.

    Raises RunLockedError (another run is running) or PreflightError (a folder cannot be used).
    """
    folders = run_folders(settings)
    problem = folder_problem("working", folders["working"], min_free_mb=0)
    if problem is not None:
        raise PreflightError([problem])
    with run_lock(settings.work_warehouse_path, run_id):
        leftovers = clean_leftovers(
            settings.work_warehouse_path,
            settings.warehouse_path,
            settings.parquet_dir,
            list(folders.values()),
        )
        check_folders(folders, settings.min_free_mb)
        yield leftovers
