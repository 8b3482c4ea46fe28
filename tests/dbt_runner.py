"""Run the dbt project against a given warehouse file, as the pipeline does (for tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from siyu.settings import DBT_PROJECT_DIR


def project_args(target_path: Path) -> list[str]:
    """The arguments every test's dbt call takes: siyu's project and profiles, its own target."""
    return [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
    ]


def refuse_unmarked_build(what: str) -> None:
    """Fail when a test whose module is not marked `build` starts dbt or Spark (tests/conftest)."""
    if os.environ.get("SIYU_TEST_MAY_BUILD") == "0":
        raise AssertionError(
            f"this test starts {what}: mark its module `pytestmark = pytest.mark.build` "
            "(make test-fast leaves such modules out)"
        )


def run_dbt(args: list[str], warehouse: Path, target_path: Path, **env: str) -> str:
    """Run `dbt <args>` on `warehouse`; raise with dbt's output if it fails."""
    refuse_unmarked_build(f"dbt {' '.join(args[:1])}")
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), *args, *project_args(target_path)]
    result = subprocess.run(
        command,
        env={
            **os.environ,
            "SIYU_WORK_WAREHOUSE": str(warehouse),
            "DBT_LOG_PATH": str(target_path),
            # the DuckDB file above, whatever SIYU_TARGET the shell has (tests/spark/ runs Spark)
            "SIYU_TARGET": "duckdb",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}")
    return result.stdout
