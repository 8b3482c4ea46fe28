"""`siyu-dbt`: the dbt executable siyu's dbt step starts; it dies with the process that started it.

dagster-dbt starts dbt as a child process. Were the run killed (`kill -9`, the OOM killer, a
container stop), that child would go on building on its own and keep the working warehouse's
DuckDB lock, so the next run would fail. This wrapper asks Linux to kill it as soon as its parent
ends (prctl PR_SET_PDEATHSIG, which survives exec), then becomes this environment's dbt by exec,
with the same arguments. Elsewhere it only execs dbt; the next run's start then kills an orphaned
dbt of its warehouse (siyu/run_guard/leftovers.py).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent() -> None:
    """Have the kernel send SIGKILL to this process when its parent ends (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(error)}")


def main() -> None:
    die_with_parent()
    dbt = Path(sys.executable).with_name("dbt")
    os.execv(dbt, [str(dbt), *sys.argv[1:]])
