"""Peak resident memory of this process and every process it starts (dbt runs as a child)."""

from __future__ import annotations

import os
import resource
import sys
import threading
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MIB = 1024 * 1024


def _children(pid: int) -> list[int]:
    """Direct children of a process, from /proc/<pid>/task/<tid>/children (Linux)."""
    children: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return children
    for task in tasks:
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


def _rss_bytes(pid: int) -> int:
    try:
        resident_pages = int((PROC / str(pid) / "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return resident_pages * PAGE_BYTES


def process_tree_rss_bytes(root_pid: int) -> int:
    """Resident bytes of a process and all its descendants, summed."""
    total, pending, seen = 0, [root_pid], set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss_bytes(pid)
        pending += _children(pid)
    return total


def rusage_peak_mb() -> float:
    """Fallback without /proc: the peak of this process plus the largest finished child."""
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB elsewhere
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    return (self_peak + child_peak) / MIB


class PeakRssSampler:
    """Samples the process tree's resident memory in a thread while the `with` block runs."""

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
        self._has_proc = (PROC / str(os.getpid()) / "statm").exists()

    def _sample(self) -> None:
        pid = os.getpid()
        while True:
            self.peak_bytes = max(self.peak_bytes, process_tree_rss_bytes(pid))
            if self._stop.wait(self.interval_s):
                return

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / MIB if self._has_proc else rusage_peak_mb()

    def __enter__(self) -> PeakRssSampler:
        if self._has_proc:
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._has_proc:
            self._stop.set()
            self._thread.join()
