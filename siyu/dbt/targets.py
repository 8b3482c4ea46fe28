"""Prune the target folders dagster-dbt leaves behind, one per dbt invocation.

dagster-dbt runs every dbt command in a target folder of its own, `<op>-<run id>-<random>` under
the project's target (compiled and run SQL of every node, manifest, run results, partial-parse
state): about 12 MB per build of this project. Nothing removes them, so a daily schedule would
add some 4 GB a year. After each build siyu keeps the newest `SIYU_DBT_TARGETS_KEPT` of them
(default 10, enough to read the last runs' SQL and run_results.json) and removes the others.

Never removed: the folder of the invocation that prunes, and a folder without run_results.json
modified in the last UNFINISHED_GRACE (a build of another run still under way). Anything whose
name is not an invocation folder (the shared manifest and partial-parse state, a parse's staging
folder) is left alone.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

# dagster-dbt's DbtCliResource._get_unique_target_path: f"{op name}-{run id[:7]}-{uuid4()[:7]}"
INVOCATION_FOLDER = re.compile(r"^[A-Za-z0-9_]+-[0-9a-f]{7}-[0-9a-f-]{7}$")
RUN_RESULTS = "run_results.json"
UNFINISHED_GRACE_S = 6 * 3600


def invocation_folders(project_target: Path) -> list[Path]:
    """The invocation folders under the project's target, newest first."""
    if not project_target.is_dir():
        return []
    folders = [
        child
        for child in project_target.iterdir()
        if child.is_dir() and INVOCATION_FOLDER.match(child.name)
    ]
    return sorted(folders, key=_last_written, reverse=True)


def _last_written(folder: Path) -> float:
    results = folder / RUN_RESULTS
    return results.stat().st_mtime if results.exists() else folder.stat().st_mtime


def _may_be_running(folder: Path, now: float) -> bool:
    return not (folder / RUN_RESULTS).exists() and now - folder.stat().st_mtime < (
        UNFINISHED_GRACE_S
    )


def prune_invocation_targets(
    project_target: Path, keep: int, current: Path | None = None, now: float | None = None
) -> list[Path]:
    """Remove all but the newest `keep` invocation folders; returns the folders removed."""
    now = time.time() if now is None else now
    current = current.resolve() if current else None
    removed = []
    for folder in invocation_folders(project_target)[max(keep, 0) :]:
        if folder.resolve() == current or _may_be_running(folder, now):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed
