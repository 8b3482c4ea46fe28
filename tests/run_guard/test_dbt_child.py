"""dbt runs as a child that dies with the run that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from dbt.version import __version__ as dbt_version

from orchestration.dbt.project import build_dbt_project
from orchestration.dbt.resource import build_dbt_resource

# a run: starts a child that sets the death signal as siyu-dbt does, then waits
RUN = textwrap.dedent(
    """
    import subprocess, sys
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    print(child.pid, flush=True)
    sys.stdin.readline()
    """
)
CHILD = textwrap.dedent(
    """
    import time
    from siyu.dbt.child_process import die_with_parent
    die_with_parent()
    print("ready", flush=True)
    time.sleep(600)
    """
)


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_dbt_child_dies_with_the_run_that_started_it():
    run = subprocess.Popen(
        [sys.executable, "-c", RUN, CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    child = int(run.stdout.readline())
    assert is_running(child)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    deadline = time.monotonic() + 30
    while is_running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_running(child)


@pytest.mark.build
def test_the_dbt_step_starts_dbt_through_siyu_dbt(deployment):
    dbt = build_dbt_resource(build_dbt_project(deployment))
    assert Path(dbt.dbt_executable) == Path(sys.executable).with_name("siyu-dbt")
    version = subprocess.run(
        [dbt.dbt_executable, "--version"], capture_output=True, text=True, check=True
    )
    assert dbt_version in version.stdout  # siyu-dbt is dbt, with the same arguments
