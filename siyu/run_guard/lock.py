"""One run at a time: an exclusive lock on a file beside the working warehouse.

The lock is `fcntl.flock` on `siyu_run.lock` in the working warehouse's folder. The operating
system releases it when the process that holds it ends, however it ends (`kill -9` included), so
a lock left by a dead run never blocks the next one. Python opens the file non-inheritable, so the
dbt child does not keep it. The holder writes who it is into the file (run id, pid, start time):
a second run is refused at once, naming them.

A process that already holds the lock takes it again without waiting (orchestration.run holds it
around the whole job; the job's executor, when Dagster itself starts the run, takes it too).
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

LOCK_NAME = "siyu_run.lock"

_held: dict[Path, RunHolder] = {}
_held_guard = threading.Lock()


@dataclass(frozen=True)
class RunHolder:
    """The run that holds the lock, as it recorded itself."""

    run_id: str
    pid: int
    started_at_utc: str

    def describe(self) -> str:
        return f"run {self.run_id} (pid {self.pid}, started {self.started_at_utc} UTC)"


class RunLockedError(RuntimeError):
    """Another run of the same working warehouse is running."""


def lock_path(work_warehouse: Path) -> Path:
    return work_warehouse.parent / LOCK_NAME


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_holder(path: Path) -> RunHolder | None:
    """Who recorded itself as holding the lock; None before it has written (or unreadable)."""
    try:
        return RunHolder(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def refusal(path: Path) -> RunLockedError:
    holder = read_holder(path)
    if holder is None:
        who = "another run (it has not written its id yet)"
    elif _is_alive(holder.pid):
        who = holder.describe()
    else:
        # flock is released when its holder dies: a dead recorded holder means another process
        # kept the lock open (a child that inherited it), which this message must not hide
        who = (
            f"a process other than the run that recorded itself ({holder.describe()}, no longer "
            f"running); `fuser {path}` names it"
        )
    return RunLockedError(
        f"another siyu run is running on this working warehouse: {who}. Only one run at a time; "
        f"this one was refused before doing anything (lock file {path})."
    )


def _record(handle: IO[str], holder: RunHolder) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(asdict(holder)))
    handle.flush()


@contextmanager
def run_lock(work_warehouse: Path, run_id: str) -> Iterator[RunHolder]:
    """Hold the run lock of `work_warehouse`; RunLockedError at once if another run has it."""
    path = lock_path(work_warehouse)
    with _held_guard:
        already = _held.get(path)
    if already is not None:
        yield already
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise refusal(path) from None
        holder = RunHolder(run_id, os.getpid(), f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}")
        _record(handle, holder)
        with _held_guard:
            _held[path] = holder
        try:
            yield holder
        finally:
            with _held_guard:
                del _held[path]
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
