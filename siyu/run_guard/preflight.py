"""Before any work: the folders a run writes exist (or can be made), are writable and have room.

A read-only or full target used to be discovered only when publishing, after the whole build.
Each folder is made if missing, a probe file is created and removed in it, and its file system
must have `min_free_mb` free (SIYU_MIN_FREE_MB; see siyu/settings.py for the default).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

# the probe file's name; a run killed between creating and removing it leaves one, which the
# next start removes (siyu/run_guard/leftovers.py)
PROBE_PREFIX = ".siyu_preflight."
MEGABYTE = 1024 * 1024


class PreflightError(RuntimeError):
    """A folder the run writes cannot be used; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def folder_problem(role: str, folder: Path, min_free_mb: int) -> str | None:
    """What keeps the run from writing in `folder`, or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"the {role} folder {folder} does not exist and cannot be created ({error.strerror})"
    try:
        descriptor, probe = tempfile.mkstemp(dir=folder, prefix=PROBE_PREFIX)
    except OSError as error:
        return f"the {role} folder {folder} is not writable ({error.strerror})"
    os.close(descriptor)
    Path(probe).unlink(missing_ok=True)
    free_mb = shutil.disk_usage(folder).free // MEGABYTE
    if free_mb < min_free_mb:
        return (
            f"the {role} folder {folder} has {free_mb:,} MB free; a run needs at least "
            f"{min_free_mb:,} MB there (SIYU_MIN_FREE_MB)"
        )
    return None


def check_folders(folders: Mapping[str, Path], min_free_mb: int) -> None:
    """Raise PreflightError naming every folder (role -> path) the run cannot write in."""
    problems = [
        problem
        for role, folder in folders.items()
        if (problem := folder_problem(role, folder, min_free_mb)) is not None
    ]
    if problems:
        raise PreflightError(problems)
