"""Whether a run's dbt step builds, and how: skipped when nothing it reads changed since the
published marts were built (build_inputs.py), a full refresh of the incremental models when
their basis changed or one is asked (incremental.py), else an incremental build.

`plan_build` decides before dbt starts (and clears the record of the last build and the
incremental basis, which the build about to start replaces); `record_build_plan` records a full
build once it succeeded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from siyu.dbt.build_inputs import (
    BuildDecision,
    clear_recorded_build,
    decide_build,
    inputs_fingerprint,
    record_build,
    recorded_build,
)
from siyu.dbt.incremental import (
    FULL_REFRESH_NOTE,
    INCREMENTAL_BUILD_NOTE,
    full_refresh_reason,
    incremental_basis,
    record_basis,
    withdraw_basis,
)


@dataclass(frozen=True)
class BuildRequest:
    """What the run asks of the dbt step: every dbt asset or a subset, a forced rebuild, a full
    refresh of the incremental models."""

    builds_everything: bool
    forced: bool = False
    full_refresh_asked: bool = False


@dataclass(frozen=True)
class BuildInputs:
    """What the build reads besides the raw tables, as digests that tell nothing of the key."""

    source_tables: Sequence[str]
    project_fingerprint: str
    hash_key_fingerprint: str
    # the inputs the published marts were built from (the publish record), if any
    published_fingerprint: str | None


UNIT_TESTS_EXCLUDED = ("--exclude-resource-type", "unit_test")


@dataclass(frozen=True)
class BuildPlan:
    decision: BuildDecision
    inputs_fingerprint: str
    builds_everything: bool
    # set when the build runs: the incremental models' basis, and why they are fully refreshed
    basis: str | None = None
    full_refresh: str | None = None

    @property
    def dbt_args(self) -> list[str]:
        # dbt unit tests check the models' logic on fixed rows, not the day's data: they run in
        # `make test` (tests/test_dbt_unit_tests.py), never in a scheduled build
        build = ["build", *UNIT_TESTS_EXCLUDED]
        return [*build, "--full-refresh"] if self.full_refresh else build

    def describe(self) -> str:
        how = f"{FULL_REFRESH_NOTE}: {self.full_refresh}" if self.full_refresh else None
        return f"dbt build: {self.decision.reason}; " + (how or INCREMENTAL_BUILD_NOTE)


def plan_build(
    con: duckdb.DuckDBPyConnection, request: BuildRequest, inputs: BuildInputs
) -> BuildPlan:
    """The decision for this run (build_inputs.decide_build). A build clears the recorded build
    and withdraws the incremental basis first: until it succeeds, the marts match no recorded
    inputs, and a build that stops part way makes the next one a full refresh."""
    fingerprint = inputs_fingerprint(
        con,
        inputs.source_tables,
        inputs.project_fingerprint,
        {"hash_key": inputs.hash_key_fingerprint},
    )
    decision = decide_build(
        current=fingerprint,
        built=recorded_build(con),
        published=inputs.published_fingerprint,
        builds_everything=request.builds_everything,
        forced=request.forced,
    )
    if not decision.build:
        return BuildPlan(decision, fingerprint, request.builds_everything)
    clear_recorded_build(con)
    basis = incremental_basis(inputs.project_fingerprint, inputs.hash_key_fingerprint)
    full_refresh = full_refresh_reason(con, basis, asked=request.full_refresh_asked)
    withdraw_basis(con)
    return BuildPlan(decision, fingerprint, request.builds_everything, basis, full_refresh)


def record_build_plan(con: duckdb.DuckDBPyConnection, plan: BuildPlan) -> None:
    """After a build of every dbt asset succeeded: its inputs and its incremental basis."""
    if not (plan.decision.build and plan.builds_everything and plan.basis is not None):
        return
    record_build(con, plan.inputs_fingerprint)
    record_basis(con, plan.basis)
