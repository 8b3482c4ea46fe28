"""After a withdrawal the incremental staging models hold what a rebuild from the remaining raw
history gives: rebuilt in full when a build had read the file, built incrementally when none had."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pytest

from siyu.dbt.incremental import (
    DELETED_ROWS_REASON,
    full_refresh_reason,
    incremental_basis,
    record_basis,
)
from siyu.settings import SiyuSettings
from siyu.withdraw.__main__ import WITHDRAWN, main
from tests.conftest import ingest_landing
from tests.dbt_runner import run_dbt
from tests.staging.members import MEMBERS, staged_members, write_members

pytestmark = pytest.mark.build  # needs a dbt build, a Spark session or a whole run

BASIS = incremental_basis("project", "salt")


@dataclass(frozen=True)
class Builds:
    staged_reason: str | None  # why the build after withdrawing a staged file refreshes in full
    after_staged_withdrawal: dict[str, tuple[str, int]]
    unstaged_reason: str | None  # ... and after withdrawing a file no build had read
    after_unstaged_withdrawal: dict[str, tuple[str, int]]
    rebuilt: dict[str, tuple[str, int]]  # a full refresh on the same raw history


def _build(warehouse: Path, target: Path) -> str | None:
    """A dbt build as the dbt step decides it; records the basis; returns the full refresh
    reason."""
    with duckdb.connect(str(warehouse)) as con:
        reason = full_refresh_reason(con, BASIS, asked=False)
    run_dbt(["run", *MEMBERS, *(["--full-refresh"] if reason else [])], warehouse, target)
    with duckdb.connect(str(warehouse)) as con:
        record_basis(con, BASIS)
    return reason


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.mktemp("withdrawal_rebuilds")
    landing, warehouse, target = root / "landing", root / "warehouse.duckdb", root / "target"
    settings = replace(
        SiyuSettings.from_env({}), landing_dir=landing, work_warehouse_path=warehouse
    )
    write_members(
        landing,
        "day1",
        [
            "M1,13900000001,甲,F,,S01,2026-03-01 10:00:00,GOLD,10,",
            "M2,13900000002,乙,M,,S01,2026-03-02 10:00:00,NORMAL,20,",
        ],
    )
    write_members(
        landing,
        "day2",
        [
            "M2,13900000002,乙,M,,S01,2026-03-02 10:00:00,GOLD,25,",  # re-delivered, upgraded
            "M3,13900000003,丙,F,,S02,2026-03-03 10:00:00,NORMAL,5,",
        ],
    )
    ingest_landing(warehouse, landing)
    _build(warehouse, target)
    assert main(["day2.csv", "--reason", "wrong member export"], settings=settings) == WITHDRAWN
    staged_reason = _build(warehouse, target)
    after_staged = staged_members(warehouse)
    write_members(landing, "day3", ["M4,13900000004,丁,F,,S02,2026-03-04 10:00:00,NORMAL,1,"])
    ingest_landing(warehouse, landing)  # loaded, then withdrawn before any build reads it
    assert main(["day3.csv", "--reason", "sent twice"], settings=settings) == WITHDRAWN
    unstaged_reason = _build(warehouse, target)
    after_unstaged = staged_members(warehouse)
    run_dbt(["run", *MEMBERS, "--full-refresh"], warehouse, target)
    return Builds(
        staged_reason, after_staged, unstaged_reason, after_unstaged, staged_members(warehouse)
    )


def test_withdrawing_a_file_a_build_had_read_makes_the_next_build_a_full_refresh(builds: Builds):
    assert builds.staged_reason == DELETED_ROWS_REASON
    assert builds.after_staged_withdrawal == {"M1": ("GOLD", 10), "M2": ("NORMAL", 20)}


def test_withdrawing_a_file_no_build_had_read_keeps_the_build_incremental(builds: Builds):
    assert builds.unstaged_reason is None
    assert builds.after_unstaged_withdrawal == builds.rebuilt == builds.after_staged_withdrawal
