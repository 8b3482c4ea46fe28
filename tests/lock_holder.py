"""Another process holding siyu's run lock (the lock is taken again freely by the process that
holds it, so a test needs a second process to hold it)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# holds the run lock of argv[1] as run argv[2], starts `sleep` as a child (argv[3] == "child"),
# says so on stdout, then waits for a line on stdin
LOCK_HOLDER = textwrap.dedent(
    """
    import subprocess, sys
    from pathlib import Path
    from siyu.run_guard.lock import run_lock
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
