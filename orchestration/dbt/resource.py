"""siyu's dbt CLI resource: this environment's dbt, started with the environment it is given.

dagster-dbt 0.29's `DbtCliResource.cli()` takes no environment: it starts dbt with a copy of
this process's `os.environ` (an `env` argument was proposed upstream, dagster-io/dagster#29656,
and declined in favour of setting the environment around the call). `SiyuDbtCliResource.cli`
takes the variables dbt needs as `env` and sets them only while dagster-dbt starts dbt; callers
never change the process's environment themselves.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject
from packaging import version

from siyu.settings import DEFAULT_DBT_TARGETS_KEPT, environment_set

DBT = "dbt"
# the console script of siyu/dbt/child_process.py (pyproject.toml)
DBT_CHILD = "siyu-dbt"


class SiyuDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource with the environment passed per command, and without two
    start-up costs siyu does not need.

    Before every dbt command, DbtCliResource runs `dbt --version` in a subprocess (about 3 s
    here) and builds a dbt adapter in this process (2-4 s, loading every macro); the adapter
    serves only `fetch_row_counts()` and `fetch_column_metadata()`, which siyu does not call.
    When the executable is this environment's own dbt, its version is the installed dbt-core's;
    the adapter handle is left out. Both are overrides of private dagster-dbt methods, kept for
    those seconds on every run; tests/test_dagster_dbt_private.py fails when dagster-dbt changes
    them.

    `targets_kept`: the invocation target folders a build leaves (siyu/dbt/targets.py).
    """

    targets_kept: int = DEFAULT_DBT_TARGETS_KEPT

    def cli(
        self, args: Sequence[str], *, env: Mapping[str, str] | None = None, **kwargs: Any
    ) -> DbtCliInvocation:
        """`DbtCliResource.cli`, dbt started with `env` added to this process's environment
        (which is as it was again once dbt has started)."""
        with environment_set(env or {}):
            return super().cli(args, **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) in {beside_python(DBT), beside_python(DBT_CHILD)}:
            from dbt.version import __version__ as installed

            return version.parse(installed)
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def beside_python(name: str) -> Path:
    """An executable of this Python environment (the venv's bin folder)."""
    return Path(sys.executable).with_name(name)


def dbt_executable() -> str:
    """This environment's dbt, started as a child that dies with the run (siyu-dbt,
    siyu/dbt/child_process.py); plain dbt where siyu is not installed as a package."""
    for name in (DBT_CHILD, DBT):
        if beside_python(name).exists():
            return str(beside_python(name))
    return shutil.which(DBT) or DBT


def build_dbt_resource(
    project: DbtProject, targets_kept: int = DEFAULT_DBT_TARGETS_KEPT
) -> SiyuDbtCliResource:
    """The dbt CLI of this Python environment (the venv's), whatever PATH says."""
    executable = dbt_executable()
    return SiyuDbtCliResource(
        project_dir=project, dbt_executable=executable, targets_kept=targets_kept
    )
