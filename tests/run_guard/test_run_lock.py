"""One run at a time: a second run is refused at once naming the first; a dead run's lock (and a
child it left) never blocks the next; runs Dagster starts take the same lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import dagster as dg
import pytest

from siyu.run_guard.lock import RunLockedError, lock_path, read_holder, run_lock
from tests.run_guard.guarded_job import PROBE_JOB, guarded_probe_job

# `python -m orchestration.run` as a function, then which heavy modules it had imported by then
REFUSED_RUN = textwrap.dedent(
    """
    import sys
    from orchestration.run import main
    code = main()
    print("exit", code, "dagster imported", "dagster" in sys.modules, "dbt imported",
          "dagster_dbt" in sys.modules)
    """
)


def deployment_environment(settings) -> dict[str, str]:
    return {
        **os.environ,
        "SIYU_LANDING_DIR": str(settings.landing_dir),
        "SIYU_WAREHOUSE": str(settings.warehouse_path),
        "SIYU_WORK_WAREHOUSE": str(settings.work_warehouse_path),
        "SIYU_PARQUET_DIR": str(settings.parquet_dir),
        "SIYU_MIN_FREE_MB": "0",
    }


def test_a_second_run_is_refused_in_its_first_second_naming_the_running_run(
    deployment, lock_holder
):
    holder = lock_holder(deployment.work_warehouse_path, "run-1234")
    second = subprocess.run(
        [sys.executable, "-c", REFUSED_RUN],
        env=deployment_environment(deployment),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    summary = second.stdout
    assert "another siyu run is running on this working warehouse: run run-1234 " in summary
    assert f"(pid {holder.pid}, started " in summary
    assert "NOT PUBLISHED: the run did not start" in summary
    # refused before it built the definitions or parsed dbt: neither was even imported
    assert summary.strip().endswith("exit 2 dagster imported False dbt imported False")
    assert not deployment.warehouse_path.exists()


def test_a_killed_run_leaves_no_stale_lock(deployment, lock_holder):
    holder = lock_holder(deployment.work_warehouse_path, "run-killed")
    with (
        pytest.raises(RunLockedError, match="run run-killed"),
        run_lock(deployment.work_warehouse_path, "run-2"),
    ):
        pass
    os.kill(holder.pid, signal.SIGKILL)
    holder.process.wait(timeout=30)

    with run_lock(deployment.work_warehouse_path, "run-2") as held:
        assert held.run_id == "run-2"
        assert read_holder(lock_path(deployment.work_warehouse_path)) == held


def test_a_child_of_a_killed_run_does_not_keep_its_lock(deployment, lock_holder):
    """Python opens the lock file non-inheritable, so a child (dbt) does not hold the lock."""
    holder = lock_holder(deployment.work_warehouse_path, "run-with-child", with_child=True)
    os.kill(holder.pid, signal.SIGKILL)
    holder.process.wait(timeout=30)
    try:
        os.kill(holder.child_pid, 0)  # the child still runs
        with run_lock(deployment.work_warehouse_path, "run-2") as held:
            assert held.pid == os.getpid()
    finally:
        os.kill(holder.child_pid, signal.SIGKILL)


def test_the_process_holding_the_lock_takes_it_again(deployment):
    with run_lock(deployment.work_warehouse_path, "outer") as outer:
        with run_lock(deployment.work_warehouse_path, "inner") as inner:
            assert inner == outer
        # still held by the outer run after the inner one ends
        assert read_holder(lock_path(deployment.work_warehouse_path)) == outer


def run_probe_job(deployment, monkeypatch) -> tuple[bool, str, dict | None, str]:
    """(success, run id, what the step saw, the run failure's error) of one probe run."""
    for name, value in deployment_environment(deployment).items():
        if name.startswith("SIYU_"):
            monkeypatch.setenv(name, value)
    with (
        dg.instance_for_test() as instance,
        dg.execute_job(
            dg.reconstructable(guarded_probe_job), instance=instance, raise_on_error=False
        ) as result,
    ):
        failures = [
            str(entry.dagster_event.event_specific_data.error)
            for entry in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        ]
        seen = result.output_for_node(PROBE_JOB) if result.success else None
        return result.success, result.run_id, seen, "".join(failures)


def test_a_run_dagster_starts_takes_the_same_lock(deployment, lock_holder, monkeypatch):
    """The schedule, the sensor and the UI start runs through the job's executor, not through
    orchestration.run: the executor takes the run lock before the first step."""
    success, run_id, seen, _ = run_probe_job(deployment, monkeypatch)
    assert success
    assert seen["run_id"] == run_id  # the step ran while its run held the lock

    lock_holder(deployment.work_warehouse_path, "run-from-make-run")
    success, _, seen, failure = run_probe_job(deployment, monkeypatch)
    assert not success
    assert seen is None  # the step never ran
    assert "another siyu run is running" in failure
    assert "run run-from-make-run" in failure


def test_daily_refresh_runs_in_the_guarded_executor(deployment):
    from orchestration.definitions import build_definitions

    job = build_definitions(deployment).resolve_job_def("daily_refresh")
    assert job.executor_def.name == "siyu_in_process"
