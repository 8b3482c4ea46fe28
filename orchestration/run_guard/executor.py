"""The executor of siyu's jobs: Dagster's in-process executor, inside the run guard.

Runs Dagster starts itself (the daily schedule and the landing sensor through the daemon, a
launch from the UI) execute their plan here, so they take the same run lock as
`python -m orchestration.run`, clean up after an interrupted run and check the folders before
their first step. `execute_in_process` (what orchestration.run uses) replaces a job's executor
with its own, so a run started there is guarded by orchestration.run instead; were it guarded
twice, the process already holding the lock takes it again (run_guard/lock.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dagster as dg

from siyu.run_guard.guard import guarded_run
from siyu.settings import SiyuSettings


class GuardedExecutor(dg.Executor):
    """Executes the plan with `inner` while holding the run guard."""

    def __init__(self, inner: dg.Executor, settings: SiyuSettings) -> None:
        self._inner = inner
        self._settings = settings

    @property
    def retries(self) -> Any:
        return self._inner.retries

    @property
    def step_dependency_config(self) -> Any:
        return self._inner.step_dependency_config

    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Any]:
        with guarded_run(self._settings, plan_context.run_id) as leftovers:
            for line in leftovers.lines():
                plan_context.log.info(f"after an interrupted run: {line}")
            yield from self._inner.execute(plan_context, execution_plan)


def build_guarded_executor(settings: SiyuSettings) -> dg.ExecutorDefinition:
    in_process = dg.in_process_executor

    @dg.executor(
        name="siyu_in_process",
        config_schema=in_process.config_schema,
    )
    def siyu_in_process(init_context: dg.InitExecutorContext) -> dg.Executor:
        """Every step in one process, one run at a time (siyu/run_guard)."""
        return GuardedExecutor(in_process.executor_creation_fn(init_context), settings)

    return siyu_in_process
