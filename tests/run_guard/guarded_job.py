"""A one-step job in siyu's guarded executor, reconstructable (dg.execute_job runs it the way the
daemon and the UI run daily_refresh): its step reports who holds the run lock."""

from __future__ import annotations

import dagster as dg

from orchestration.run_guard.executor import build_guarded_executor
from siyu.run_guard.lock import lock_path, read_holder
from siyu.settings import SiyuSettings

PROBE_JOB = "lock_probe"


def guarded_probe_job() -> dg.JobDefinition:
    settings = SiyuSettings.from_env()

    @dg.op(name=PROBE_JOB)
    def lock_probe() -> dict:
        holder = read_holder(lock_path(settings.work_warehouse_path))
        return {"run_id": holder.run_id if holder else None}

    @dg.job(name=PROBE_JOB, executor_def=build_guarded_executor(settings))
    def probe():
        lock_probe()

    return probe
