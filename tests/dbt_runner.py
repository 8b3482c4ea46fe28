"""Run the dbt project against a given warehouse file, as the pipeline does (for tests).

dbt parses the whole project again (about 6 s) unless the target folder holds a parse of the same
project with the same profile; the warehouse's path is part of the profile. So every call names
its warehouse by one relative path (a hard link beside the target folder, dbt's working directory:
DuckDB names the database after the file it opens, and follows a symbolic link to its target's
name) and starts from the parse this process made first: dbt reparses only what differs (its own
check).
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import duckdb

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


# the warehouse as dbt's profile sees it: a hard link in dbt's working directory, with the name of
# the pipeline's working warehouse
WAREHOUSE_LINK = "siyu_work.duckdb"
PARSE_FILE = "partial_parse.msgpack"


def _dbt(args: list[str], target_path: Path, env: dict[str, str]) -> str:
    target_path.mkdir(parents=True, exist_ok=True)
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), *args, *project_args(target_path)],
        cwd=target_path.parent,
        env={
            **os.environ,
            "SIYU_WORK_WAREHOUSE": WAREHOUSE_LINK,
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


@cache
def first_parse() -> Path:
    """This process's parse of the project, made once (a warehouse is not needed to parse); its
    folder is removed when the process ends."""
    folder = tempfile.mkdtemp(prefix="siyu-dbt-parse-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    target_path = Path(folder) / "target"
    _dbt(["parse"], target_path, {})
    return target_path / PARSE_FILE


def run_dbt(args: list[str], warehouse: Path, target_path: Path, **env: str) -> str:
    """Run `dbt <args>` on `warehouse`; raise with dbt's output if it fails. `target_path`'s
    parent is dbt's working directory, where the warehouse's link is made."""
    refuse_unmarked_build(f"dbt {' '.join(args[:1])}")
    target_path.mkdir(parents=True, exist_ok=True)
    if not warehouse.exists():
        duckdb.connect(str(warehouse)).close()
    link = target_path.parent / WAREHOUSE_LINK
    if not (link.exists() and link.samefile(warehouse)):
        link.unlink(missing_ok=True)
        link.hardlink_to(warehouse)
    if not (target_path / PARSE_FILE).exists():
        shutil.copy(first_parse(), target_path / PARSE_FILE)
    return _dbt(args, target_path, env)
